// A few helpers to build SVG with the DOM: elements, text, labelled groups.

import type { ChangeKind, PageChange } from './changes.js';

const NS = 'http://www.w3.org/2000/svg';

export type Attrs = Record<string, string | number | undefined>;

export function svgEl<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Node | undefined)[]): SVGElementTagNameMap[K] {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) e.setAttribute(k, String(v));
  for (const c of children) if (c) e.appendChild(c);
  return e;
}

export function text(x: number, y: number, content: string, attrs: Attrs = {}): SVGTextElement {
  const t = svgEl('text', { x, y, ...attrs });
  t.textContent = content;
  return t;
}

/** A group a screen reader reads as one picture: aria-label, plus a <title> for the mouse. */
export function labelled(label: string, attrs: Attrs = {}): SVGGElement {
  const g = svgEl('g', { role: 'img', 'aria-label': label, ...attrs });
  const t = svgEl('title');
  t.textContent = label;
  g.appendChild(t);
  return g;
}

/** Cut to `max` characters with an ellipsis, since SVG text does not wrap. */
export function fit(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** The word drawn next to a changed page: colour is never the only cue. */
export function changeTag(c: PageChange | undefined): string | undefined {
  if (!c) return undefined;
  if (c.kind === 'copied') return c.direction === 'out' ? 'copied out' : 'copied in';
  if (c.kind === 'dropped') return 'ref dropped';
  return c.kind;
}

export const CHANGE_WORDS: Record<ChangeKind, string> = {
  moved: 'moved by reference',
  cloned: 'cloned reference (refcount +1)',
  mapped: 'user page mapped (vmsplice)',
  copied: 'bytes copied',
  dropped: 'reference dropped (refcount −1)',
};
