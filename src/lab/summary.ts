// Plain-language account of one step, for the live region and the page:
// which pages travelled by reference, which had bytes copied, which were freed.

import type { PageChange } from './changes.js';
import { describeHolder, heldBy, parseHolder, ringNames } from './names.js';
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
    out.push(r.kind === 'socket' ? `New ${names.get(ring)} (a socket queue).` : `New ${names.get(ring)} with ${slots(r.maxUsage)}.`);
  }
  for (const [ring, old] of changes.resized) {
    const r = after.snapshot.rings.find((x) => x.ring === ring)!;
    out.push(`${cap(names.get(ring)!)} now has ${slots(r.maxUsage)} (was ${old}).`);
  }
  const where = (s: LabState, n: Map<number, string>, holders: string[], page: number) =>
    holders.map((h) => describeHolder(s, n, parseHolder(h), page)).join(', ');
  const sentences = [...changes.pages.values()].map(
    (c) =>
      pageSentence(
        c,
        where(after, names, c.added, c.page),
        where(before, oldNames, c.removed, c.page),
        where(after, names, holdersOf(after, c.page), c.page),
        where(
          after,
          names,
          holdersOf(after, c.page).filter((h) => !h.startsWith('ring ')),
          c.page,
        ),
      ) + consequence(step, c),
  );
  const freed = changes.freed
    .filter((f) => !changes.pages.has(f.page))
    .map((f) => `Page ${f.page} (was ${where(before, oldNames, f.holders, f.page)}) went back to the pool.`);
  const all = [...sentences, ...freed];
  out.push(...all.slice(0, MAX_SENTENCES));
  if (all.length > MAX_SENTENCES) out.push(`…and ${all.length - MAX_SENTENCES} more page changes.`);
  if (all.length === 0 && changes.newRings.length === 0 && changes.resized.size === 0) out.push('No page changed.');
  out.push(...notifySentences(step, names));
  return out;
}

function pageSentence(c: PageChange, added: string, removed: string, now: string, origin: string): string {
  const refs = c.refsBefore === c.refsAfter ? `reference count stays ${c.refsAfter}` : `reference count ${c.refsBefore} → ${c.refsAfter}`;
  switch (c.kind) {
    case 'moved':
      return `Page ${c.page} moved by reference from ${removed} to ${added}; ${refs}; no bytes copied.`;
    case 'cloned':
      return `Page ${c.page} is now also in ${added} (cloned reference); ${refs}; no bytes copied.`;
    case 'mapped':
      return `Page ${c.page} (${origin}) mapped into ${added} without copying; ${refs}.`;
    case 'dropped':
      return removed ? `Page ${c.page} is no longer in ${removed}; ${refs}; nothing copied, the page lives on.` : `Page ${c.page} lost a reference; ${refs}.`;
    case 'copied':
      if (c.direction === 'out') {
        return c.refsAfter === 0
          ? `Bytes copied out of page ${c.page} (was ${removed}) to the caller; the page went back to the pool.`
          : `Bytes copied out of page ${c.page} (${now || removed}) to the caller; ${refs}.`;
      }
      return c.fresh ? `New page ${c.page} (${now}): bytes copied into it.` : `Bytes copied into page ${c.page} (${now}).`;
  }
}

/** Why a copy into a shared page matters: someone else holds the very same page. */
function consequence(step: LabStep, c: PageChange): string {
  if (c.kind !== 'copied' || c.direction !== 'in' || c.fresh) return '';
  const held = holdersOf(step.after, c.page).map(parseHolder);
  const file = held.find((h) => h.kind === 'file');
  const inRing = held.some((h) => h.kind === 'ring');
  if (step.op.kind === 'write' && file && inRing && isPipe(step.after, step.op.fd)) {
    return ` A write to a pipe changed file ${file.path}: its page-cache page was in the pipe with CAN_MERGE set.`;
  }
  if (step.op.kind === 'fill' && inRing) {
    const unacked = new Set(step.after.unacked.map((u) => u.ring));
    const rings = held.filter((h) => h.kind === 'ring').map((h) => step.after.snapshot.rings.find((r) => r.ring === h.ring));
    if (rings.every((r) => r && unacked.has(r.ring))) {
      return ' The socket still keeps this page until its ACK arrives: a retransmission would send the new bytes.';
    }
    if (rings.some((r) => r?.kind === 'pipe')) return ' A pipe holds this very page, so its reader will see the new bytes.';
    return " A socket's receive queue holds this very page, so its reader will see the new bytes.";
  }
  return '';
}

/** Release notifications that changed, and what a `released` or `tick` line found. */
function notifySentences(step: LabStep, names: Map<number, string>): string[] {
  const out: string[] = [];
  const { before, after, op } = step;
  if (op.kind === 'tick') out.push(`The kernel's clock went from ${before.clock} to ${after.clock} ms.`);
  for (const nv of after.notify) {
    const name = fdName(after, nv.fd);
    const old = before.notify.find((v) => v.fd === nv.fd);
    for (const t of nv.ids) {
      const was = old?.ids.find((x) => x.id === t.id);
      if (t.released && was && !was.released) {
        out.push(
          `Notification on ${name}: id ${t.id} (line ${t.line}) is released: nothing in the kernel references its pages any more, so that part of the buffer may be refilled.`,
        );
      } else if (!t.released && op.kind === 'released' && op.id === t.id && after.fdNames.get(op.notify) === nv.fd) {
        out.push(`Id ${t.id} is not released yet: ${heldBy(after, names, t.pages) || 'its pages are still referenced'}.`);
      }
    }
  }
  return out;
}

function fdName(s: LabState, fd: number): string {
  const names = [...s.fdNames].filter(([, f]) => f === fd).map(([n]) => n);
  return names.length > 0 ? names.join(', ') : `fd ${fd}`;
}

function isPipe(s: LabState, name: string): boolean {
  const fd = s.fdNames.get(name);
  return s.snapshot.fds.some((f) => f.fd === fd && f.kind === 'pipe-write');
}

function holdersOf(s: LabState, page: number): string[] {
  return s.snapshot.pages.find((p) => p.page === page)?.holders ?? [];
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const slots = (n: number) => `${n} slot${n === 1 ? '' : 's'}`;
