// What one step did to pages, found by comparing the states before and after:
// a page that turns up in a new place under the same number travelled by
// reference (moved, cloned, mapped); a new page, or changed bytes in an old
// one, means bytes were copied.

import type { Op } from '../trace/parse.js';
import { isForeign } from '../spaces.js';
import { parseHolder, type Holder } from './names.js';
import type { LabState } from './state.js';

/**
 * moved: a slot went from one place to another, reference count unchanged (splice pipe→pipe).
 * cloned: one more reference to the same page (tee, a split splice, splice from the page cache).
 * mapped: a user buffer's own page went into a pipe (vmsplice).
 * copied: bytes were copied into the page (write, fill, splice into a file) or out of it (read).
 * dropped: a reference went away and nothing was copied, but the page lives on (an ACK arrived).
 */
export type ChangeKind = 'moved' | 'cloned' | 'mapped' | 'copied' | 'dropped';

export interface PageChange {
  page: number;
  kind: ChangeKind;
  /** For copies: bytes went into the page, or out of it to the caller. */
  direction?: 'in' | 'out';
  /** The page did not exist before this step. */
  fresh: boolean;
  refsBefore: number;
  refsAfter: number;
  /** Holders gained and lost, as snapshot strings. */
  added: string[];
  removed: string[];
}

export interface StepChanges {
  pages: Map<number, PageChange>;
  /** Pages that went back to the pool (reference count 0). */
  freed: { page: number; holders: string[] }[];
  /** Ring slots (key `ring:index`) that are new or changed in this step. */
  slots: Set<string>;
  /** Rings created, and rings whose size changed (ring → old max usage). */
  newRings: number[];
  resized: Map<number, number>;
}

export const slotKey = (ring: number, index: number): string => `${ring}:${index}`;

export function diffStates(before: LabState, after: LabState, op: Pick<Op, 'kind'>): StepChanges {
  const old = new Map(before.snapshot.pages.map((p) => [p.page, p]));
  const now = new Map(after.snapshot.pages.map((p) => [p.page, p]));
  const pages = new Map<number, PageChange>();
  const consumed = consumedPages(before, after);
  const copiesOut = op.kind === 'read' || op.kind === 'vmsplice';
  const mapping = op.kind === 'vmsplice' || op.kind === 'vmsplice_notify';

  for (const p of after.snapshot.pages) {
    const prev = old.get(p.page);
    const wasHeld = new Set(prev?.holders ?? []);
    const isHeld = new Set(p.holders);
    const added = p.holders.filter((h) => !wasHeld.has(h));
    const removed = (prev?.holders ?? []).filter((h) => !isHeld.has(h));
    const fresh = prev === undefined;
    const base = { page: p.page, fresh, refsBefore: prev?.refs ?? 0, refsAfter: p.refs, added, removed };
    const kind = classify(base, prev?.holders ?? [], before.contents.get(p.page) !== after.contents.get(p.page), p.holders, mapping, isForeign(p.page));
    if (kind) pages.set(p.page, { ...base, ...kind });
    else if (consumed.has(p.page) && copiesOut) pages.set(p.page, { ...base, kind: 'copied', direction: 'out' });
    else if (!fresh && base.refsAfter < base.refsBefore) pages.set(p.page, { ...base, kind: 'dropped' });
  }

  const freed = before.snapshot.pages.filter((p) => !now.has(p.page)).map((p) => ({ page: p.page, holders: p.holders }));
  for (const f of freed) {
    if (consumed.has(f.page) && copiesOut) {
      pages.set(f.page, {
        page: f.page,
        kind: 'copied',
        direction: 'out',
        fresh: false,
        refsBefore: old.get(f.page)!.refs,
        refsAfter: 0,
        added: [],
        removed: f.holders,
      });
    }
  }

  return { pages, freed, slots: changedSlots(before, after), ...ringChanges(before, after) };
}

type Kind = { kind: ChangeKind; direction?: 'in' | 'out' } | undefined;

function classify(
  p: { fresh: boolean; refsBefore: number; refsAfter: number; added: string[]; removed: string[] },
  heldBefore: string[],
  bytesChanged: boolean,
  heldAfter: string[],
  mapping: boolean,
  foreign: boolean,
): Kind {
  const isPlace = (h: Holder) => h.kind === 'ring' || h.kind === 'file';
  if (p.fresh) {
    if (!heldAfter.map(parseHolder).some(isPlace)) return undefined;
    // A program's own page shows up only once a pipe holds it: its vmsplice mapped it.
    if (mapping && foreign) return { kind: 'mapped' };
    // A new buffer's pages are just allocated; a new page in a pipe or a file was filled by copying.
    return { kind: 'copied', direction: 'in' };
  }
  const newSlots = p.added.map(parseHolder).filter((h) => h.kind === 'ring');
  if (newSlots.length > 0) {
    // vmsplice of never-written memory maps the zero page, as Linux does.
    if (mapping && heldBefore.map(parseHolder).some((h) => h.kind === 'user' || h.kind === 'zero')) return { kind: 'mapped' };
    const leftSlot = p.removed.map(parseHolder).some((h) => h.kind === 'ring');
    if (leftSlot && p.refsAfter <= p.refsBefore) return { kind: 'moved' };
    return { kind: 'cloned' };
  }
  if (bytesChanged) return { kind: 'copied', direction: 'in' };
  return undefined;
}

/** Pages whose slots lost bytes in this step (read from, or spliced/moved out). */
function consumedPages(before: LabState, after: LabState): Set<number> {
  const out = new Set<number>();
  for (const ring of before.snapshot.rings) {
    const later = after.snapshot.rings.find((r) => r.ring === ring.ring);
    for (const s of ring.slots) {
      const t = later?.slots.find((x) => x.index === s.index);
      if (!t || t.page !== s.page || t.len < s.len) out.add(s.page);
    }
  }
  return out;
}

function changedSlots(before: LabState, after: LabState): Set<string> {
  const out = new Set<string>();
  for (const ring of after.snapshot.rings) {
    const prev = before.snapshot.rings.find((r) => r.ring === ring.ring);
    for (const s of ring.slots) {
      const p = prev?.slots.find((x) => x.index === s.index);
      const same = p && p.page === s.page && p.offset === s.offset && p.len === s.len && p.flags === s.flags;
      if (!same) out.add(slotKey(ring.ring, s.index));
    }
  }
  return out;
}

function ringChanges(before: LabState, after: LabState): Pick<StepChanges, 'newRings' | 'resized'> {
  const newRings: number[] = [];
  const resized = new Map<number, number>();
  for (const ring of after.snapshot.rings) {
    const prev = before.snapshot.rings.find((r) => r.ring === ring.ring);
    if (!prev) newRings.push(ring.ring);
    else if (prev.maxUsage !== ring.maxUsage) resized.set(ring.ring, prev.maxUsage);
  }
  return { newRings, resized };
}
