// What the lab keeps of the kernel after each step: the snapshot, the trace's
// names for fds and buffers, and a hash of every page's bytes (so a copy
// into an existing page shows up even though no reference changed).

import { PAGE_SIZE } from '../constants.js';
import type { Kernel } from '../kernel.js';
import type { KernelSnapshot } from '../snapshot.js';
import type { Bindings } from '../trace/run.js';
import { notifyViews, unackedRings, withUnacked, type NotifyView, type UnackedRing } from './extras.js';

export interface LabState {
  snapshot: KernelSnapshot;
  /** fd name in the trace → fd number (only names still bound). */
  fdNames: Map<string, number>;
  /** buffer name → the buffer's address (matches snapshot.userBuffers[].addr). */
  bufNames: Map<string, number>;
  /** page → FNV-1a hash of its 4096 bytes, for pages in snapshot.pages. */
  contents: Map<number, number>;
  /** The pinned zero page (Linux's ZERO_PAGE), drawn only when something maps it. */
  zeroPage: number;
  /** `ring:index` → the first bytes a reader of that slot would get, printable. */
  slotBytes: Map<string, string>;
  /** TCP-like sockets' rings of sent, unacknowledged pages (also in snapshot.rings). */
  unacked: UnackedRing[];
  /** Release notifications asked for with vmsplice_notify. */
  notify: NotifyView[];
  /** The kernel's virtual clock (ms), which `tick` advances. */
  clock: number;
}

const PREVIEW = 7;

export function captureState(kernel: Kernel, names: Bindings): LabState {
  const unacked = unackedRings(kernel);
  const snapshot = withUnacked(kernel, kernel.snapshot(), unacked);
  const mem = kernel.mem;
  const contents = new Map<number, number>();
  for (const { page } of snapshot.pages) {
    const at = kernel.pages + page * PAGE_SIZE;
    contents.set(page, hashPage(mem, at));
  }
  const slotBytes = new Map<string, string>();
  for (const ring of snapshot.rings) {
    for (const slot of ring.slots) {
      const at = kernel.pages + slot.page * PAGE_SIZE + slot.offset;
      slotBytes.set(`${ring.ring}:${slot.index}`, printable(mem.subarray(at, at + Math.min(slot.len, PREVIEW))));
    }
  }
  return {
    snapshot,
    slotBytes,
    fdNames: new Map(names.fds),
    bufNames: new Map([...names.bufs].map(([name, buf]) => [name, buf.addr])),
    contents,
    zeroPage: kernel.zeroPage,
    unacked,
    notify: notifyViews(kernel, names, snapshot),
    clock: kernel.clock,
  };
}

/** Printable ASCII as is, anything else as a middle dot: a glance at the data, not a dump. */
function printable(bytes: Uint8Array): string {
  return String.fromCharCode(...bytes.map((b) => (b >= 0x20 && b < 0x7f ? b : 0xb7)));
}

/** FNV-1a over one page; collisions only hide a highlight, never change a result. */
function hashPage(mem: Uint8Array, at: number): number {
  let h = 0x811c9dc5;
  for (let i = at; i < at + PAGE_SIZE; i++) h = Math.imul(h ^ mem[i]!, 0x01000193);
  return h >>> 0;
}
