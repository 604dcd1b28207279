// Draws a pipeline's processes side by side: each one's name and state, its
// fd table, and the pages of its own memory that pipes reference (mapped
// by its vmsplice), with their reference counts. A page it rewrote while
// still referenced is drawn in the warning colour, with a word for it.

import type { FdView } from '../snapshot.js';
import { ownerOf, pageName, ringNames } from './names.js';
import type { LabState } from './state.js';
import { fit, labelled, svgEl, text } from './svg.js';

export interface ProcessInfo {
  name: string;
  /** argv as typed: `producer -n 49152`. */
  command: string;
  pid: number;
  /** "next call: vmsplice", "waits in vmsplice", "exited, status 0". */
  status: string;
}

const GAP = 8;
const CELL_W = 46;
const CELL_H = 30;

export function drawProcesses(state: LabState, procs: ProcessInfo[], x0: number, y0: number, width: number): { g: SVGGElement; height: number } {
  const g = svgEl('g', { class: 'processes' });
  g.appendChild(text(x0, y0 + 14, 'Processes', { class: 'section-title' }));
  const w = (width - x0 - GAP * (procs.length - 1)) / Math.max(1, procs.length);
  const rings = ringNames(state);
  let height = 0;
  procs.forEach((p, i) => {
    const part = drawProcess(state, rings, p, x0 + i * (w + GAP), y0 + 22, w);
    g.appendChild(part.g);
    height = Math.max(height, part.height);
  });
  return { g, height: height + 30 };
}

function drawProcess(state: LabState, rings: Map<number, string>, p: ProcessInfo, x: number, y: number, w: number): { g: SVGGElement; height: number } {
  const fds = state.snapshot.processes.find((v) => v.pid === p.pid)?.fds ?? [];
  const pages = state.snapshot.pages.filter((v) => ownerOf(state, v.page) === p.name);
  const chars = Math.floor(w / 6.2);
  const g = labelled(`process ${p.command}: ${p.status}; ${fds.length} fds open; ${pages.length} of its pages in pipes`, {
    class: 'process',
    'data-process': p.name,
    'data-status': p.status,
  });
  const rows = fds.length + (fds.length === 0 ? 1 : 0);
  const perRow = Math.max(1, Math.floor((w - 16) / (CELL_W + 4)));
  const pageRows = Math.max(1, Math.ceil(pages.length / perRow));
  const height = 46 + rows * 14 + 22 + pageRows * (CELL_H + 4) + 6;
  g.appendChild(svgEl('rect', { x, y, width: w, height, rx: 6, class: 'process-box' }));
  g.appendChild(text(x + 8, y + 16, fit(p.command, chars), { class: 'process-title' }));
  g.appendChild(text(x + 8, y + 31, fit(p.status, chars), { class: 'process-status' }));
  let yy = y + 48;
  for (const f of fds) {
    const row = text(x + 8, yy, fit(`${f.fd}  ${describe(f, state, rings)}`, chars), { class: 'process-fd', 'data-fd': f.fd });
    g.appendChild(row);
    yy += 14;
  }
  if (fds.length === 0) {
    g.appendChild(text(x + 8, yy, 'no fds: it has exited', { class: 'empty-note' }));
    yy += 14;
  }
  g.appendChild(text(x + 8, yy + 8, pages.length ? 'its own pages in pipes (refs):' : 'none of its pages in pipes', { class: 'process-sub' }));
  yy += 16;
  pages.forEach((v, i) => {
    const cx = x + 8 + (i % perRow) * (CELL_W + 4);
    const cy = yy + Math.floor(i / perRow) * (CELL_H + 4);
    const rewritten = state.rewritten?.has(v.page) ?? false;
    const cell = labelled(
      `${p.name}'s page ${pageName(v.page)}: ${v.refs} reference${v.refs === 1 ? '' : 's'}${rewritten ? ', rewritten while referenced' : ''}`,
      {
        class: `own-page${rewritten ? ' rewritten' : ''}`,
        'data-page': v.page,
        'data-refs': v.refs,
        'data-rewritten': rewritten ? 'true' : undefined,
      },
    );
    cell.appendChild(svgEl('rect', { x: cx, y: cy, width: CELL_W, height: CELL_H, rx: 4, class: 'page-box' }));
    cell.appendChild(text(cx + CELL_W / 2, cy + 13, `${pageName(v.page)}${rewritten ? '!' : ''}`, { class: 'slot-page', 'text-anchor': 'middle' }));
    cell.appendChild(text(cx + CELL_W / 2, cy + 25, `refs ${v.refs}`, { class: 'slot-num', 'text-anchor': 'middle' }));
    g.appendChild(cell);
  });
  return { g, height };
}

function describe(f: FdView, state: LabState, rings: Map<number, string>): string {
  // Pipes left out of the drawing (the page's empty stdio pipes) keep the names they were given.
  const ring = f.ring === undefined ? '' : (rings.get(f.ring) ?? state.ringLabels?.get(f.ring) ?? `ring ${f.ring}`);
  switch (f.kind) {
    case 'pipe-read':
      return `reads ${ring}`;
    case 'pipe-write':
      return `writes ${ring}`;
    case 'file':
      return `file ${f.path ?? '(deleted)'}`;
    case 'null':
      return '/dev/null';
    case 'notify':
      return 'release notifications';
    case 'directory':
      return 'directory .';
    default:
      return f.kind;
  }
}
