// Human names for what a snapshot numbers: rings get the trace's pipe names,
// holders ("ring 3 slot 17") become "pipe p slot 1".

import type { RingView } from '../snapshot.js';
import { gpageOf, isForeign, spaceOf } from '../spaces.js';
import type { LabState } from './state.js';

export type Holder =
  | { kind: 'ring'; ring: number; index: number }
  | { kind: 'file'; path: string; n: number }
  | { kind: 'user'; addr: number }
  | { kind: 'zero' }
  | { kind: 'other'; text: string };

/** Parses a holder string of src/snapshot.ts. */
export function parseHolder(text: string): Holder {
  let m = /^ring (\d+) slot (\d+)$/.exec(text);
  if (m) return { kind: 'ring', ring: Number(m[1]), index: Number(m[2]) };
  m = /^file (.*) page (\d+)$/.exec(text);
  if (m) return { kind: 'file', path: m[1]!, n: Number(m[2]) };
  m = /^user buffer 0x([0-9a-f]+)$/.exec(text);
  if (m) return { kind: 'user', addr: parseInt(m[1]!, 16) };
  if (text === 'zero page') return { kind: 'zero' };
  return { kind: 'other', text };
}

/**
 * Which trace names refer to each ring: `pipe p`, `socket s.a rx` (what s.a
 * receives), `s.a unacked` (what s.a sent, awaiting the ACK), or `ring 3`.
 */
export function ringNames(state: LabState): Map<number, string> {
  const byRing = new Map<number, string[]>();
  const add = (ring: number, name: string) => byRing.set(ring, [...(byRing.get(ring) ?? []), name]);
  for (const [name, fd] of state.fdNames) {
    const view = state.snapshot.fds.find((f) => f.fd === fd);
    if (view?.ring !== undefined) add(view.ring, name);
  }
  const unacked = new Map<number, string[]>();
  for (const u of state.unacked) {
    unacked.set(
      u.ring,
      [...state.fdNames]
        .filter(([, fd]) => fd === u.senderFd)
        .map(([name]) => name)
        .sort(),
    );
  }
  const out = new Map<number, string>();
  for (const ring of state.snapshot.rings) {
    const given = state.ringLabels?.get(ring.ring);
    if (given) {
      out.set(ring.ring, given);
      continue;
    }
    const senders = unacked.get(ring.ring);
    if (senders) {
      out.set(ring.ring, senders.length > 0 ? `${senders.join(', ')} unacked` : `unacked ring ${ring.ring}`);
      continue;
    }
    const names = (byRing.get(ring.ring) ?? []).sort();
    out.set(ring.ring, ringLabel(ring, names));
  }
  return out;
}

function ringLabel(ring: RingView, names: string[]): string {
  if (names.length === 0) return `${ring.kind} ring ${ring.ring}`;
  if (ring.kind === 'socket') return `socket ${names.join(', ')} rx`;
  const bases = [...new Set(names.map((n) => n.replace(/\.[rw]$/, '')))];
  return `pipe ${bases.join(', ')}`;
}

/** A slot's position in its drawn ring: Linux masks the free-running index. */
export function slotPosition(ring: RingView, index: number): number {
  if (ring.kind === 'socket') return (index - ring.tail) >>> 0;
  return index & (ring.maxUsage - 1);
}

export function bufferName(state: LabState, addr: number): string {
  for (const [name, a] of state.bufNames) if (a === addr) return `buffer ${name}`;
  return `buffer 0x${addr.toString(16)}`;
}

/** "pipe p slot 1", "file src.txt page 0", "buffer b page 2", "zero page". */
export function describeHolder(state: LabState, rings: Map<number, string>, h: Holder, page: number): string {
  switch (h.kind) {
    case 'ring': {
      const ring = state.snapshot.rings.find((r) => r.ring === h.ring);
      const pos = ring ? slotPosition(ring, h.index) : h.index;
      return `${rings.get(h.ring) ?? `ring ${h.ring}`} slot ${pos}`;
    }
    case 'file':
      return `file ${h.path} page ${h.n}`;
    case 'user': {
      const buf = state.snapshot.userBuffers.find((b) => b.addr === h.addr);
      return `${bufferName(state, h.addr)} page ${buf ? page - buf.firstPage : '?'}`;
    }
    case 'zero':
      return 'zero page';
    case 'other':
      return h.text;
  }
}

/** Short flag names of a slot: MERGE (CAN_MERGE 0x10), GIFT (0x04), PACKET (0x08). */
export function flagNames(flags: number): string[] {
  const out: string[] = [];
  if (flags & 0x10) out.push('CAN_MERGE');
  if (flags & 0x04) out.push('GIFT');
  if (flags & 0x08) out.push('PACKET');
  return out;
}

/** "page 5 is still in pipe q slot 0" for the pages of a tracked vmsplice, leaving out the buffer itself. */
export function heldBy(s: LabState, names: Map<number, string>, pages: number[]): string {
  const parts: string[] = [];
  for (const page of pages) {
    const where = (s.snapshot.pages.find((p) => p.page === page)?.holders ?? [])
      .map(parseHolder)
      .filter((h) => h.kind !== 'user' && h.kind !== 'zero')
      .map((h) => describeHolder(s, names, h, page));
    if (where.length > 0) parts.push(`page ${page} is still in ${where.join(', ')}`);
  }
  return parts.join('; ');
}

/**
 * How a page is numbered on the page: pool pages by number, a page of a
 * program's own memory (mapped by its vmsplice, not in the pool) as `u` and
 * its page number in that memory.
 */
export function pageName(page: number): string {
  return isForeign(page) ? `u${gpageOf(page)}` : String(page);
}

/** The program whose memory a foreign page is, where the state names them (a pipeline). */
export function ownerOf(state: LabState, page: number): string | undefined {
  return isForeign(page) ? state.owners?.get(spaceOf(page)) : undefined;
}
