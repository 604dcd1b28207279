// Draws each pipe as its ring of slots: one cell per slot with page, offset,
// length and flags, the head and tail markers under their slots, and an
// arrow from the last slot back to the first (the ring wraps).

import type { RingView, SlotView } from '../snapshot.js';
import { slotKey, type StepChanges } from './changes.js';
import { isForeign } from '../spaces.js';
import { flagNames, pageName, slotPosition } from './names.js';
import type { LabState } from './state.js';
import { changeTag, labelled, svgEl, text } from './svg.js';

export const CELL_W = 48;
const GAP = 2;
const CELL_H = 82;
const PER_ROW = 16;
/** Rows: slot numbers, cell, change word, tail and head markers. */
const ROW_H = 12 + CELL_H + 14 + 26;
const MAX_DRAWN = 256;

const FLAG_SHORT: Record<string, string> = { CAN_MERGE: 'MERGE', GIFT: 'GIFT', PACKET: 'PACKET' };

/** `info` replaces the line after the ring's name (the unacked rings of TCP-like sockets say what they are). */
export function drawRing(
  ring: RingView,
  name: string,
  state: LabState,
  changes: StepChanges | undefined,
  x0: number,
  y0: number,
  info?: string,
): { g: SVGGElement; height: number } {
  const cells = ring.kind === 'pipe' ? Math.min(ring.maxUsage, MAX_DRAWN) : Math.max(ring.slots.length, 1);
  const bySlot = new Map(ring.slots.map((s) => [slotPosition(ring, s.index), s]));
  const bytes = ring.slots.reduce((n, s) => n + s.len, 0);
  const size = ring.kind === 'pipe' ? `${ring.maxUsage} slot${ring.maxUsage === 1 ? '' : 's'} (${ring.maxUsage * 4096} bytes)` : 'queue';
  const header = `${name}: ${size}, ${ring.slots.length} in use holding ${bytes} bytes; head ${ring.head}, tail ${ring.tail}; readers ${ring.readers}, writers ${ring.writers}`;
  const g = svgEl('g', { class: 'ring', 'data-ring-name': name, 'data-slots-used': ring.slots.length, 'data-max-usage': ring.maxUsage, 'data-bytes': bytes });
  g.appendChild(text(x0, y0 + 14, name, { class: 'ring-name' }));
  g.appendChild(text(x0 + 8 + name.length * 8.5, y0 + 14, info ?? header.slice(name.length + 2), { class: 'ring-info' }));
  // An empty socket queue is one line: sockets have no fixed slots to show.
  if (ring.kind === 'socket' && ring.slots.length === 0) return { g, height: 24 };
  const rows = Math.ceil(cells / PER_ROW);
  const top = y0 + 22;
  for (let pos = 0; pos < cells; pos++) {
    const x = x0 + 14 + (pos % PER_ROW) * (CELL_W + GAP);
    const y = top + Math.floor(pos / PER_ROW) * ROW_H;
    g.appendChild(text(x + CELL_W / 2, y + 9, String(pos), { class: 'slot-pos', 'text-anchor': 'middle' }));
    g.appendChild(drawSlot(ring, name, pos, bySlot.get(pos), state, changes, x, y + 12));
  }
  const headPos = ring.kind === 'pipe' ? ring.head & (ring.maxUsage - 1) : ring.slots.length;
  const tailPos = ring.kind === 'pipe' ? ring.tail & (ring.maxUsage - 1) : 0;
  g.appendChild(marker('tail', tailPos, ring.tail, x0, top, 0, `${name}: tail (next slot to read) is slot ${tailPos}, counter ${ring.tail}`));
  g.appendChild(
    marker('head', headPos, ring.head, x0, top, tailPos === headPos ? 1 : 0, `${name}: head (next slot to fill) is slot ${headPos}, counter ${ring.head}`),
  );
  if (ring.kind === 'pipe') g.appendChild(wrapArrow(x0, top, Math.min(cells, PER_ROW), rows));
  return { g, height: 22 + rows * ROW_H + 8 };
}

function drawSlot(
  ring: RingView,
  name: string,
  pos: number,
  s: SlotView | undefined,
  state: LabState,
  changes: StepChanges | undefined,
  x: number,
  y: number,
): SVGGElement {
  if (!s) {
    const g = labelled(`${name} slot ${pos}: empty`, { class: 'slot empty', 'data-pos': pos });
    g.appendChild(svgEl('rect', { x, y, width: CELL_W, height: CELL_H, rx: 4, class: 'slot-box' }));
    return g;
  }
  const change = changes?.pages.get(s.page);
  const isNew = changes?.slots.has(slotKey(ring.ring, s.index)) ?? false;
  const flags = flagNames(s.flags);
  const tag = changeTag(change);
  const rewritten = state.rewritten?.has(s.page) ?? false;
  const label =
    `${name} slot ${pos}: page ${pageName(s.page)}${rewritten ? ' (rewritten by its program while referenced)' : ''}, offset ${s.offset}, length ${s.len}, ${s.ops} page, flags ${flags.join(' ') || 'none'}, starts with "${state.slotBytes.get(slotKey(ring.ring, s.index)) ?? ''}"` +
    (tag ? `; ${tag}${isNew ? '' : ' (same page as the highlighted one)'}` : '') +
    (s.page === state.zeroPage ? '; the zero page' : '');
  const g = labelled(label, {
    class: `slot used${change ? ` changed ${change.kind}` : ''}${isNew ? ' new' : ''}${rewritten ? ' rewritten' : ''}`,
    'data-pos': pos,
    'data-page': s.page,
    'data-offset': s.offset,
    'data-len': s.len,
    'data-flags': s.flags,
    'data-change': change?.kind,
    'data-direction': change?.direction,
    'data-new': isNew ? 'true' : undefined,
    'data-rewritten': rewritten ? 'true' : undefined,
  });
  g.appendChild(svgEl('rect', { x, y, width: CELL_W, height: CELL_H, rx: 4, class: 'slot-box' }));
  const cx = x + CELL_W / 2;
  g.appendChild(text(cx, y + 15, isForeign(s.page) ? pageName(s.page) : `p${s.page}`, { class: 'slot-page', 'text-anchor': 'middle' }));
  g.appendChild(text(cx, y + 28, `off ${s.offset}`, { class: 'slot-num', 'text-anchor': 'middle' }));
  g.appendChild(text(cx, y + 40, `len ${s.len}`, { class: 'slot-num', 'text-anchor': 'middle' }));
  g.appendChild(text(cx, y + 52, s.ops, { class: 'slot-ops', 'text-anchor': 'middle' }));
  // Several flags at once only happen with stale flags (5.16 mode): initials keep them in the cell.
  const flagText = flags.length > 1 ? flags.map((f) => f[0]).join('+') : flags.map((f) => FLAG_SHORT[f] ?? f).join('');
  if (flagText) g.appendChild(text(cx, y + 64, flagText, { class: 'slot-flag', 'text-anchor': 'middle' }));
  const bytes = state.slotBytes.get(slotKey(ring.ring, s.index)) ?? '';
  g.appendChild(svgEl('line', { x1: x + 4, x2: x + CELL_W - 4, y1: y + 68, y2: y + 68, class: 'slot-sep' }));
  g.appendChild(text(cx, y + 77, bytes, { class: 'slot-bytes', 'text-anchor': 'middle' }));
  if (tag && isNew) g.appendChild(text(cx, y + CELL_H + 11, tag, { class: `change-word ${change!.kind}`, 'text-anchor': 'middle' }));
  return g;
}

function marker(kind: 'head' | 'tail', pos: number, counter: number, x0: number, top: number, line: number, label: string): SVGGElement {
  const x = x0 + 14 + (pos % PER_ROW) * (CELL_W + GAP) + CELL_W / 2;
  const y = top + Math.floor(pos / PER_ROW) * ROW_H + 12 + CELL_H + 14 + line * 12;
  const g = labelled(label, { class: `marker ${kind}`, 'data-pos': pos, 'data-counter': counter });
  g.appendChild(text(x, y + 10, `▲ ${kind}`, { 'text-anchor': 'middle', class: `marker-text ${kind}` }));
  return g;
}

/** From the right of the last column back to the left of the first: slot n-1 is followed by slot 0. */
function wrapArrow(x0: number, top: number, cols: number, rows: number): SVGGElement {
  const right = x0 + 14 + cols * (CELL_W + GAP) - GAP;
  const left = x0 + 14;
  const midTop = top + 12 + CELL_H / 2;
  const midLast = midTop + (rows - 1) * ROW_H;
  const bottom = top + (rows - 1) * ROW_H + 12 + CELL_H + 14 + 26;
  const d = `M ${right + 1} ${midLast} h 7 V ${bottom} H ${left - 8} V ${midTop} h 5`;
  const g = svgEl('g', { class: 'wrap', 'aria-hidden': 'true' });
  g.appendChild(svgEl('path', { d, class: 'wrap-path', 'marker-end': 'url(#arrowhead)' }));
  return g;
}
