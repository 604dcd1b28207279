// Plain-language account of one step, for the live region and the page:
// which pages travelled by reference, which had bytes copied, which were freed.

import type { PageChange } from './changes.js';
import { describeHolder, parseHolder, ringNames } from './names.js';
import type { LabStep } from './session.js';
import type { LabState } from './state.js';

const MAX_SENTENCES = 6;

export function summarizeStep(step: LabStep): string[] {
  const { before, after, changes } = step;
  const out: string[] = [`Step ${step.n}, line ${step.line}: ${step.text} → ${step.result}.`];
  const names = ringNames(after);
  const oldNames = ringNames(before);
  for (const ring of changes.newRings) {
    const r = after.snapshot.rings.find((x) => x.ring === ring)!;
    out.push(`New ${names.get(ring)} with ${r.maxUsage} slots.`);
  }
  for (const [ring, old] of changes.resized) {
    const r = after.snapshot.rings.find((x) => x.ring === ring)!;
    out.push(`${cap(names.get(ring)!)} now has ${r.maxUsage} slots (was ${old}).`);
  }
  const where = (s: LabState, n: Map<number, string>, holders: string[], page: number) =>
    holders.map((h) => describeHolder(s, n, parseHolder(h), page)).join(', ');
  const sentences = [...changes.pages.values()].map((c) => pageSentence(c, where(after, names, c.added, c.page),
    where(before, oldNames, c.removed, c.page), where(after, names, holdersOf(after, c.page), c.page)));
  const freed = changes.freed.filter((f) => !changes.pages.has(f.page))
    .map((f) => `Page ${f.page} (was ${where(before, oldNames, f.holders, f.page)}) went back to the pool.`);
  const all = [...sentences, ...freed];
  out.push(...all.slice(0, MAX_SENTENCES));
  if (all.length > MAX_SENTENCES) out.push(`…and ${all.length - MAX_SENTENCES} more page changes.`);
  if (all.length === 0 && changes.newRings.length === 0 && changes.resized.size === 0) out.push('No page changed.');
  return out;
}

function pageSentence(c: PageChange, added: string, removed: string, now: string): string {
  const refs = c.refsBefore === c.refsAfter ? `reference count stays ${c.refsAfter}` : `reference count ${c.refsBefore} → ${c.refsAfter}`;
  switch (c.kind) {
    case 'moved':
      return `Page ${c.page} moved by reference from ${removed} to ${added}; ${refs}; no bytes copied.`;
    case 'cloned':
      return `Page ${c.page} is now also in ${added} (cloned reference); ${refs}; no bytes copied.`;
    case 'mapped':
      return `Page ${c.page} (${now}) mapped into the pipe without copying; ${refs}.`;
    case 'copied':
      if (c.direction === 'out') {
        return c.refsAfter === 0
          ? `Bytes copied out of page ${c.page} (was ${removed}) to the caller; the page went back to the pool.`
          : `Bytes copied out of page ${c.page} (${now || removed}) to the caller; ${refs}.`;
      }
      return c.fresh
        ? `New page ${c.page} (${now}): bytes copied into it.`
        : `Bytes copied into page ${c.page} (${now}).`;
  }
}

function holdersOf(s: LabState, page: number): string[] {
  return s.snapshot.pages.find((p) => p.page === page)?.holders ?? [];
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
