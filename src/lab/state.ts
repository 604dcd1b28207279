// What the lab keeps of the kernel after each step: the snapshot, the trace's
// names for fds and buffers, and a hash of every page's bytes (so a copy
// into an existing page shows up even though no reference changed).

import { PAGE_SIZE } from '../constants.js';
import type { Process } from '../process.js';
import { takeSnapshot, type KernelSnapshot } from '../snapshot.js';
import { gpageOf, isForeign, spaceOf } from '../spaces.js';
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
  /** Names given to rings by whoever made them (a pipeline's `pipe producer | tee`), before the fd names. */
  ringLabels?: Map<number, string>;
  /** A process's memory space → its program's name, for pages of its own memory. */
  owners?: Map<number, string>;
  /** Pages of a program's memory it rewrote while a pipe still referenced them (see page-watch.ts). */
  rewritten?: Set<number>;
}

const PREVIEW = 7;

/** The machine as `kernel` sees it: its fd table, and every ring, page and file (a Kernel, or a program's process). */
export function captureState(kernel: Process, names: Bindings): LabState {
  const unacked = unackedRings(kernel);
  const snapshot = perPageRefs(withUnacked(kernel, takeSnapshot(kernel.machine, kernel), unacked));
  const contents = new Map<number, number>();
  for (const { page } of snapshot.pages) contents.set(page, hashPage(pageBytes(kernel, page)));
  const slotBytes = new Map<string, string>();
  for (const ring of snapshot.rings) {
    for (const slot of ring.slots) {
      const bytes = pageBytes(kernel, slot.page).subarray(slot.offset, slot.offset + Math.min(slot.len, PREVIEW));
      slotBytes.set(`${ring.ring}:${slot.index}`, printable(bytes));
    }
  }
  return {
    snapshot,
    slotBytes,
    fdNames: new Map(names.fds),
    bufNames: new Map([...names.bufs].map(([name, buf]) => [name, buf.addr])),
    contents,
    zeroPage: kernel.machine.zeroPage,
    unacked,
    notify: notifyViews(kernel, names, snapshot),
    clock: kernel.clock,
  };
}

/**
 * The core counts the references to a program's own pages per memory (one
 * count for its space, see assembly/pages.ts); Linux counts them per page
 * (get_page on each). The lab draws Linux's: a foreign page's count is the
 * number of slots that hold it.
 */
function perPageRefs(snapshot: KernelSnapshot): KernelSnapshot {
  const pages = snapshot.pages.map((p) => (isForeign(p.page) ? { ...p, refs: p.holders.length } : p));
  return { ...snapshot, pages };
}

/** Printable ASCII as is, anything else as a middle dot: a glance at the data, not a dump. */
function printable(bytes: Uint8Array): string {
  return String.fromCharCode(...bytes.map((b) => (b >= 0x20 && b < 0x7f ? b : 0xb7)));
}

/** A page's bytes: in the pool, or in the memory of the program that vmspliced it (a foreign page). */
function pageBytes(kernel: Process, page: number): Uint8Array {
  if (!isForeign(page)) return kernel.mem.subarray(kernel.pages + page * PAGE_SIZE, kernel.pages + (page + 1) * PAGE_SIZE);
  const memory = kernel.machine.spaces.get(spaceOf(page));
  return memory ? new Uint8Array(memory.buffer, gpageOf(page) * PAGE_SIZE, PAGE_SIZE) : new Uint8Array(PAGE_SIZE);
}

/** FNV-1a over one page; collisions only hide a highlight, never change a result. */
function hashPage(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193);
  return h >>> 0;
}
