// The whole picture of one state: pipes, page pool, buffers and files, and
// the fd table, stacked in one SVG that scales to its container.

import { O_ACCMODE, O_APPEND, O_DIRECT, O_NONBLOCK } from '../constants.js';
import type { FdView } from '../snapshot.js';
import type { StepChanges } from './changes.js';
import { drawNotify } from './draw-notify.js';
import { drawHolders, drawPool } from './draw-pages.js';
import { drawRing } from './draw-rings.js';
import { ringNames } from './names.js';
import type { LabState } from './state.js';
import { fit, labelled, svgEl, text } from './svg.js';

export const WIDTH = 840;

/** A part drawn above the pipes (a pipeline's processes): it gets its top-left corner and the width. */
export type TopPart = (x0: number, y0: number, width: number) => { g: SVGGElement; height: number };

export function drawState(state: LabState, changes: StepChanges | undefined, caption: string, top?: TopPart): SVGSVGElement {
  const body = svgEl('g');
  let y = 4;
  if (top) {
    const part = top(8, y, WIDTH - 8);
    body.appendChild(part.g);
    y += part.height;
  }
  const names = ringNames(state);
  body.appendChild(text(8, y + 14, 'Pipes', { class: 'section-title' }));
  y += 22;
  if (state.snapshot.rings.length === 0) {
    body.appendChild(text(22, y + 14, 'no pipes yet', { class: 'empty-note' }));
    y += 26;
  }
  for (const ring of state.snapshot.rings) {
    const { g, height } = drawRing(ring, names.get(ring.ring)!, state, changes, 8, y, unackedInfo(state, ring.ring));
    body.appendChild(g);
    y += height;
  }
  const notify = drawNotify(state, 8, y);
  body.appendChild(notify.g);
  y += notify.height;
  for (const part of [drawPool, drawHolders]) {
    const { g, height } = part(state, changes, 8, y);
    body.appendChild(g);
    y += height + 8;
  }
  const fds = drawFds(state, 8, y);
  body.appendChild(fds.g);
  y += fds.height;

  const svg = svgEl('svg', {
    xmlns: 'http://www.w3.org/2000/svg',
    viewBox: `0 0 ${WIDTH} ${y}`,
    width: WIDTH,
    height: y,
    role: 'group',
    'aria-labelledby': 'state-title',
    class: 'state',
  });
  const title = svgEl('title', { id: 'state-title' });
  title.textContent = caption;
  svg.appendChild(title);
  svg.appendChild(defs());
  svg.appendChild(body);
  return svg;
}

function defs(): SVGDefsElement {
  const head = svgEl(
    'marker',
    { id: 'arrowhead', viewBox: '0 0 8 8', refX: 7, refY: 4, markerWidth: 7, markerHeight: 7, orient: 'auto' },
    svgEl('path', { d: 'M0,0 L8,4 L0,8 z', class: 'arrowhead' }),
  );
  return svgEl('defs', {}, head);
}

function drawFds(state: LabState, x0: number, y0: number): { g: SVGGElement; height: number } {
  const g = svgEl('g', { class: 'fds' });
  g.appendChild(text(x0, y0 + 14, 'File descriptors', { class: 'section-title' }));
  const byFd = new Map<number, string[]>();
  for (const [name, fd] of state.fdNames) byFd.set(fd, [...(byFd.get(fd) ?? []), name]);
  const rings = ringNames(state);
  const cols = [x0 + 14, x0 + 64, x0 + 150, x0 + 640];
  ['fd', 'name', 'open file', 'status flags'].forEach((h, i) => g.appendChild(text(cols[i]!, y0 + 34, h, { class: 'fd-head' })));
  state.snapshot.fds.forEach((f, i) => {
    const y = y0 + 50 + i * 16;
    const name = (byFd.get(f.fd) ?? ['(unnamed)']).join(', ');
    const what = describeFd(f, rings, state);
    const flags = statusFlags(f.flags);
    const row = labelled(`fd ${f.fd}, ${name}: ${what}, ${flags}`, { class: 'fd', 'data-fd': f.fd, 'data-name': name });
    [String(f.fd), fit(name, 10), fit(what, 76), flags].forEach((t, c) => row.appendChild(text(cols[c]!, y, t, { class: 'fd-cell' })));
    g.appendChild(row);
  });
  if (state.snapshot.fds.length === 0) g.appendChild(text(x0 + 14, y0 + 50, 'none open', { class: 'empty-note' }));
  return { g, height: 50 + Math.max(1, state.snapshot.fds.length) * 16 };
}

/** The header of a TCP-like socket's unacked ring: what it holds and why. */
function unackedInfo(state: LabState, ring: number): string | undefined {
  const u = state.unacked.find((x) => x.ring === ring);
  if (!u) return undefined;
  const r = state.snapshot.rings.find((x) => x.ring === ring)!;
  const bytes = r.slots.reduce((n, s) => n + s.len, 0);
  const sender =
    [...state.fdNames]
      .filter(([, fd]) => fd === u.senderFd)
      .map(([n]) => n)
      .join(', ') || `fd ${u.senderFd}`;
  const n = r.slots.length;
  return `sent by ${sender}, kept until the ACK (${u.ackDelay} ms): ${n} buffer${n === 1 ? '' : 's'}, ${bytes} bytes`;
}

function describeFd(f: FdView, rings: Map<number, string>, state: LabState): string {
  switch (f.kind) {
    case 'pipe-read':
      return `read end of ${rings.get(f.ring!) ?? `ring ${f.ring}`}`;
    case 'pipe-write':
      return `write end of ${rings.get(f.ring!) ?? `ring ${f.ring}`}`;
    case 'socket': {
      const u = state.unacked.find((x) => x.senderFd === f.fd);
      const rx = `socket, receives into ${rings.get(f.ring!) ?? `ring ${f.ring}`}`;
      return u ? `${rx}; sent pages wait in ${rings.get(u.ring)}` : rx;
    }
    case 'notify': {
      const nv = state.notify.find((v) => v.fd === f.fd);
      if (!nv) return 'release notifications';
      const done = nv.ids.filter((t) => t.released).map((t) => t.id);
      return `release notifications: released ${done.length > 0 ? `ids ${done.join(', ')}` : 'none'} of ${nv.ids.length}${nv.pending ? ' (poll: IN)' : ''}`;
    }
    case 'file':
      return `file ${f.path ?? '(deleted)'}, position ${f.pos}`;
    case 'null':
      return '/dev/null';
    case 'zero':
      return '/dev/zero';
    case 'full':
      return '/dev/full';
    default:
      return f.kind;
  }
}

function statusFlags(flags: number): string {
  const out = [['RDONLY', 'WRONLY', 'RDWR'][flags & O_ACCMODE] ?? '?'];
  if (flags & O_NONBLOCK) out.push('NONBLOCK');
  if (flags & O_DIRECT) out.push('DIRECT');
  if (flags & O_APPEND) out.push('APPEND');
  return out.join('|');
}
