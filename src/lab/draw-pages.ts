// Draws the page pool (every page in use, its reference count and who holds
// it), then user buffers and files as strips of their pages.

import type { PageView } from '../snapshot.js';
import { isForeign } from '../spaces.js';
import type { StepChanges } from './changes.js';
import { bufferName, describeHolder, ownerOf, pageName, parseHolder, ringNames } from './names.js';
import type { LabState } from './state.js';
import { changeTag, fit, labelled, svgEl, text } from './svg.js';

const BOX_W = 128;
const BOX_H = 78;
const PER_ROW = 6;
const GAP = 6;
const SMALL_W = 58;
const SMALL_H = 34;

/** Pages worth drawing: all in use, but the pinned zero page only while something maps it. */
function drawnPages(state: LabState): PageView[] {
  return state.snapshot.pages.filter((p) => p.page !== state.zeroPage || p.holders.length > 1);
}

export function drawPool(state: LabState, changes: StepChanges | undefined, x0: number, y0: number): { g: SVGGElement; height: number } {
  const pages = drawnPages(state);
  const freed = changes?.freed ?? [];
  const rings = ringNames(state);
  const { pool } = state.snapshot;
  const g = svgEl('g', { class: 'pool', 'data-in-use': pool.inUse });
  g.appendChild(text(x0, y0 + 14, 'Page pool', { class: 'section-title' }));
  g.appendChild(
    text(x0 + 84, y0 + 14, `${pool.inUse} of ${pool.total} pages in use (4096 bytes each); the pinned zero page is not counted`, { class: 'ring-info' }),
  );
  const all: (PageView | { page: number; freed: string[] })[] = [...pages, ...freed.map((f) => ({ page: f.page, freed: f.holders }))];
  all.forEach((p, i) => {
    const x = x0 + 14 + (i % PER_ROW) * (BOX_W + GAP);
    const y = y0 + 24 + Math.floor(i / PER_ROW) * (BOX_H + GAP);
    g.appendChild('freed' in p ? freedBox(p.page, x, y) : pageBox(p, state, rings, changes, x, y));
  });
  if (all.length === 0) g.appendChild(text(x0 + 14, y0 + 40, 'no pages in use', { class: 'empty-note' }));
  const rows = Math.max(1, Math.ceil(all.length / PER_ROW));
  return { g, height: 24 + rows * (BOX_H + GAP) + 6 };
}

function pageBox(p: PageView, state: LabState, rings: Map<number, string>, changes: StepChanges | undefined, x: number, y: number): SVGGElement {
  const change = changes?.pages.get(p.page);
  const holders = p.holders.map((h) => describeHolder(state, rings, parseHolder(h), p.page));
  // A program's own page: its memory holds it, not the pool.
  if (isForeign(p.page)) holders.push(`${ownerOf(state, p.page) ?? 'the program'}'s memory`);
  const rewritten = state.rewritten?.has(p.page) ?? false;
  const tag = rewritten ? 'rewritten while referenced' : changeTag(change);
  const label = `page ${pageName(p.page)}: reference count ${p.refs}; held by ${holders.join(', ')}${tag ? `; ${tag} in this step` : ''}`;
  const g = labelled(label, {
    class: `page${change ? ` changed ${change.kind}` : ''}${rewritten ? ' rewritten' : ''}`,
    'data-page': p.page,
    'data-refs': p.refs,
    'data-rewritten': rewritten ? 'true' : undefined,
    'data-holders': holders.join('|'),
    'data-change': change?.kind,
    'data-direction': change?.direction,
  });
  g.appendChild(svgEl('rect', { x, y, width: BOX_W, height: BOX_H, rx: 5, class: 'page-box' }));
  g.appendChild(text(x + 8, y + 16, `page ${pageName(p.page)}`, { class: 'page-title' }));
  g.appendChild(svgEl('circle', { cx: x + BOX_W - 16, cy: y + 14, r: 10, class: 'refs-badge' }));
  g.appendChild(text(x + BOX_W - 16, y + 18, String(p.refs), { class: 'refs-text', 'text-anchor': 'middle' }));
  g.appendChild(text(x + BOX_W - 32, y + 18, 'refs', { class: 'refs-word', 'text-anchor': 'end' }));
  const shown = holders.slice(0, holders.length > 3 ? 2 : 3);
  shown.forEach((h, i) => g.appendChild(text(x + 8, y + 31 + i * 12, fit(h, 22), { class: 'holder' })));
  if (holders.length > shown.length) g.appendChild(text(x + 8, y + 31 + 2 * 12, `+${holders.length - shown.length} more`, { class: 'holder' }));
  if (tag) g.appendChild(text(x + 8, y + BOX_H - 6, tag, { class: `change-word ${rewritten ? 'rewritten' : change!.kind}` }));
  return g;
}

function freedBox(page: number, x: number, y: number): SVGGElement {
  const g = labelled(`page ${page}: freed in this step, back in the pool`, { class: 'page freed', 'data-page': page });
  g.appendChild(svgEl('rect', { x, y, width: BOX_W, height: BOX_H, rx: 5, class: 'page-box' }));
  g.appendChild(text(x + 8, y + 16, `page ${page}`, { class: 'page-title' }));
  g.appendChild(text(x + 8, y + 36, 'freed: refs 0', { class: 'holder' }));
  return g;
}

/** User buffers and files, each a row of its pages; changed pages keep their colour. */
export function drawHolders(state: LabState, changes: StepChanges | undefined, x0: number, y0: number): { g: SVGGElement; height: number } {
  const g = svgEl('g', { class: 'holders' });
  const rows: { label: string; cls: string; pages: number[] }[] = [
    ...state.snapshot.userBuffers.map((b) => ({
      label: `${bufferName(state, b.addr)}: ${b.length} bytes`,
      cls: 'bufpage',
      pages: Array.from({ length: b.pages }, (_, i) => b.firstPage + i),
    })),
    ...state.snapshot.files.map((f) => ({ label: `file ${f.path}: ${f.size} bytes`, cls: 'filepage', pages: f.pages })),
  ];
  g.appendChild(text(x0, y0 + 14, 'User buffers and files (page cache)', { class: 'section-title' }));
  if (rows.length === 0) g.appendChild(text(x0 + 14, y0 + 36, 'none yet', { class: 'empty-note' }));
  let y = y0 + 24;
  const refs = new Map(state.snapshot.pages.map((p) => [p.page, p.refs]));
  for (const row of rows) {
    g.appendChild(text(x0 + 14, y + SMALL_H / 2 + 4, fit(row.label, 30), { class: 'strip-label' }));
    const perRow = 9;
    row.pages.forEach((page, i) => {
      const x = x0 + 230 + (i % perRow) * (SMALL_W + 4);
      const yy = y + Math.floor(i / perRow) * (SMALL_H + 4);
      const change = changes?.pages.get(page);
      const tag = changeTag(change);
      const cell = labelled(`${row.label}, its page ${i} is page ${page}, reference count ${refs.get(page) ?? 0}${tag ? `; ${tag}` : ''}`, {
        class: `${row.cls}${change ? ` changed ${change.kind}` : ''}`,
        'data-page': page,
        'data-change': change?.kind,
      });
      cell.appendChild(svgEl('rect', { x, y: yy, width: SMALL_W, height: SMALL_H, rx: 4, class: 'page-box' }));
      cell.appendChild(text(x + SMALL_W / 2, yy + 14, `p${page}`, { class: 'slot-page', 'text-anchor': 'middle' }));
      cell.appendChild(text(x + SMALL_W / 2, yy + 27, `refs ${refs.get(page) ?? 0}`, { class: 'slot-num', 'text-anchor': 'middle' }));
      g.appendChild(cell);
    });
    y += Math.max(1, Math.ceil(row.pages.length / perRow)) * (SMALL_H + 4) + 4;
  }
  return { g, height: Math.max(y - y0, 44) + 6 };
}
