// Draws the release notifications a trace asked for (splicekit extension):
// per notify fd, every id with its pages and whether it is released, or who
// still holds its pages; and the kernel's virtual clock that ACKs run on.

import { heldBy, ringNames } from './names.js';
import type { LabState } from './state.js';
import { fit, labelled, svgEl, text } from './svg.js';

const ROW_H = 18;

/** Nothing to draw (height 0) unless the trace uses notifications or a TCP-like socket. */
export function drawNotify(state: LabState, x0: number, y0: number): { g: SVGGElement; height: number } {
  const g = svgEl('g', { class: 'notify', 'data-clock': state.clock });
  if (state.notify.length === 0 && state.unacked.length === 0) return { g, height: 0 };
  const rings = ringNames(state);
  g.appendChild(text(x0, y0 + 14, 'Release notifications', { class: 'section-title' }));
  g.appendChild(text(x0 + 168, y0 + 14, `splicekit extension, not Linux · kernel clock ${state.clock} ms`, { class: 'ring-info' }));
  let y = y0 + 24;
  for (const nv of state.notify) {
    const name =
      [...state.fdNames]
        .filter(([, fd]) => fd === nv.fd)
        .map(([n]) => n)
        .join(', ') || `fd ${nv.fd}`;
    const done = nv.ids.filter((t) => t.released).length;
    const head = `notify fd ${name}: ${done} of ${nv.ids.length} ids released; ${nv.pending ? 'records waiting to be read (poll: IN)' : 'no records waiting'}`;
    g.appendChild(text(x0 + 14, y + 13, head, { class: 'strip-label notify-head', 'data-pending': String(nv.pending) }));
    y += ROW_H + 2;
    if (nv.ids.length === 0) {
      g.appendChild(text(x0 + 28, y + 12, 'no vmsplice_notify yet', { class: 'empty-note' }));
      y += ROW_H;
    }
    for (const t of nv.ids) {
      const pages = t.pages.length > 0 ? `page${t.pages.length > 1 ? 's' : ''} ${t.pages.join(', ')}` : 'the zero page';
      const why = t.released ? 'released: no reference left in any pipe, socket or file' : `waiting: ${heldBy(state, rings, t.pages) || 'still referenced'}`;
      const row = labelled(`notify fd ${name}, id ${t.id} (vmsplice_notify at line ${t.line}, ${pages}): ${why}`, {
        class: `notice ${t.released ? 'released' : 'waiting'}`,
        'data-notify': name,
        'data-id': t.id,
        'data-released': String(t.released),
      });
      row.appendChild(svgEl('rect', { x: x0 + 26, y: y + 1, width: 74, height: ROW_H - 3, rx: 3, class: 'notice-badge' }));
      row.appendChild(text(x0 + 63, y + 13, t.released ? '✓ released' : '… waiting', { class: 'notice-word', 'text-anchor': 'middle' }));
      row.appendChild(text(x0 + 110, y + 13, `id ${t.id}`, { class: 'fd-cell notice-id' }));
      row.appendChild(text(x0 + 150, y + 13, `line ${t.line}, ${pages}`, { class: 'fd-cell' }));
      row.appendChild(
        text(x0 + 300, y + 13, fit(t.released ? 'no reference left in any pipe, socket or file' : why.slice('waiting: '.length), 86), { class: 'fd-cell' }),
      );
      g.appendChild(row);
      y += ROW_H;
    }
    y += 4;
  }
  for (const u of state.unacked) {
    const name = rings.get(u.ring) ?? `ring ${u.ring}`;
    const ring = state.snapshot.rings.find((r) => r.ring === u.ring);
    const n = ring?.slots.length ?? 0;
    const line = `${name}: ${n === 0 ? 'nothing unacknowledged' : n === 1 ? '1 sent buffer waits for the ACK' : `${n} sent buffers wait for the ACK`}, which comes ${u.ackDelay} ms after each send`;
    g.appendChild(text(x0 + 14, y + 13, line, { class: 'strip-label', 'data-unacked': n }));
    y += ROW_H + 2;
  }
  return { g, height: y - y0 + 6 };
}
