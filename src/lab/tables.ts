// The drawing as tables, for screen readers (kept visually hidden): every
// slot of every pipe, and every page with its references and holders.

import type { StepChanges } from './changes.js';
import { describeHolder, flagNames, heldBy, pageName, parseHolder, ringNames, slotPosition } from './names.js';
import type { LabState } from './state.js';
import { changeTag } from './svg.js';

function table(caption: string, head: string[], rows: string[][]): HTMLTableElement {
  const t = document.createElement('table');
  t.createCaption().textContent = caption;
  const hr = t.createTHead().insertRow();
  for (const h of head) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = h;
    hr.appendChild(th);
  }
  const body = t.createTBody();
  for (const r of rows) {
    const tr = body.insertRow();
    for (const c of r) tr.insertCell().textContent = c;
  }
  if (rows.length === 0) body.insertRow().insertCell().textContent = 'none';
  return t;
}

export function stateTables(state: LabState, changes: StepChanges | undefined): HTMLTableElement[] {
  const rings = ringNames(state);
  const slots: string[][] = [];
  for (const ring of state.snapshot.rings) {
    for (const s of ring.slots) {
      slots.push([
        rings.get(ring.ring)!,
        String(slotPosition(ring, s.index)),
        pageName(s.page),
        String(s.offset),
        String(s.len),
        flagNames(s.flags).join(' ') || 'none',
        s.ops,
        changeTag(changes?.pages.get(s.page)) ?? '',
      ]);
    }
  }
  const pages = state.snapshot.pages.map((p) => [
    pageName(p.page),
    String(p.refs),
    p.holders.map((h) => describeHolder(state, rings, parseHolder(h), p.page)).join('; '),
    changeTag(changes?.pages.get(p.page)) ?? '',
  ]);
  for (const f of changes?.freed ?? []) pages.push([String(f.page), '0', 'freed in this step', '']);
  const ringRows = state.snapshot.rings.map((r) => [rings.get(r.ring)!, String(r.maxUsage), String(r.slots.length), String(r.head), String(r.tail)]);
  const out = [
    table('Pipes', ['pipe', 'slots', 'in use', 'head', 'tail'], ringRows),
    table('Pipe slots in use', ['pipe', 'slot', 'page', 'offset', 'length', 'flags', 'page kind', 'change'], slots),
    table('Pages in use', ['page', 'references', 'held by', 'change'], pages),
  ];
  if (state.notify.length > 0) {
    const rows = state.notify.flatMap((nv) =>
      nv.ids.map((t) => [
        [...state.fdNames]
          .filter(([, fd]) => fd === nv.fd)
          .map(([n]) => n)
          .join(', ') || `fd ${nv.fd}`,
        String(t.id),
        String(t.line),
        t.pages.join(', '),
        t.released ? 'released' : `waiting: ${heldBy(state, rings, t.pages) || 'still referenced'}`,
      ]),
    );
    out.push(table(`Release notifications (kernel clock ${state.clock} ms)`, ['notify fd', 'id', 'line', 'pages', 'state'], rows));
  }
  return out;
}
