// The core's exports: one call moves many pages; the host never loops per page.

import {
  BASE, MAGIC, sb, SB_MAGIC, SB_NPAGES, SB_NUSER, SB_NRINGS, SB_FLAGS, SB_SIZE, SB_THREADED,
  SB_SLAB_UNITS, SB_NEXT_TID, SB_POOL_LOCK, SB_MAX_PAGES, RH_LOCK, SPACE_REFS, MAX_SPACES,
  computeLayout, PAGES, REFS, RING_CAP, SL_SIZE, SCRATCH,
} from "./layout";
import {
  poolInit, freeKernelPages, freeUserPages, userAlloc, userFree, pageRefs, pagePut, pageGet, compoundAlloc, spaceOpen, spaceClose,
} from "./pages";
import {
  ringsInit, ringNew, ringFree, ringOpen, ringClose, ringShare, ringResize, ringBytes, ringSize, addReaders, addWriters,
  head, tail, maxUsage, readers, writers, seqAddr, waitersAddr, isFull, occupancy, lock2, unlock2, bump, hdr, slotBase,
  changeAddr,
} from "./ring";
import { pipeWrite, pipeWriteFrom, pipeRead, pipeToUser, pipeDiscard, takeForRead, readDone, mergeRoom } from "./rw";
import { addFragCopy, moveToSkb, linearToPipe, prefixBytes } from "./skb";
import { slabInit, slabFreeUnits } from "./slab";
import { grownPages, maxPages } from "./grow";
import { releaseWordOf, setMaySleep, setThreadId, threadId } from "./stack";
import { tagsInit, tagNew, tagFree, tagRefs, completionPop, completionSeqAddr } from "./tags";
import {
  splicePipeToPipe, tee, vmspliceToPipe, addCachePages, addZeroPages, addCopiedPages, drainToPages,
  copyToPages, copyFromPages, putPages, allocPages, waitForSpace, moveBufs,
  cloneSlots, dropSlots,
} from "./splice";

/**
 * Lays out a new kernel in the memory; returns the address of page 0.
 * `slabUnits`: the slot arena in slots, a multiple of RING_CAP. The pool
 * starts with `npages` kernel pages and grows on demand to `maxPages`.
 */
export function init(npages: u32, maxPages: u32, nuser: u32, nrings: u32, slabUnits: u32): usize {
  memory.fill(BASE, 0, SB_SIZE);
  store<u32>(sb(SB_NPAGES), npages);
  store<u32>(sb(SB_MAX_PAGES), maxPages);
  store<u32>(sb(SB_NUSER), nuser);
  store<u32>(sb(SB_NRINGS), nrings);
  store<u32>(sb(SB_SLAB_UNITS), slabUnits);
  computeLayout(maxPages, nuser, nrings, slabUnits);
  memory.fill(REFS, 0, <usize>(maxPages + nuser) << 3); // refcounts and run lengths
  memory.fill(SPACE_REFS, 0, <usize>MAX_SPACES << 2);
  poolInit(npages);
  ringsInit(nrings);
  slabInit(slabUnits);
  tagsInit();
  setThreadId(1);
  store<u32>(sb(SB_NEXT_TID), 2);
  atomic.store<u32>(sb(SB_MAGIC), MAGIC);
  return PAGES;
}

/**
 * The address of page 0 in a kernel of this size (the pool's pages follow
 * it: npages + nuser at first, maxPages + nuser at most).
 */
export function pagesAddr(maxPages: u32, nuser: u32, nrings: u32, slabUnits: u32): usize {
  return computeLayout(maxPages, nuser, nrings, slabUnits);
}

/** The host's scratch: ARGS_SIZE bytes of args, then STAGE_SIZE of stage. */
export function scratchAddr(): usize { return SCRATCH; }

export { grownPages, maxPages };

/**
 * Joins a kernel another instance laid out, as thread `tid` (0: a new id);
 * returns page 0's address, or 0 when the memory holds no kernel.
 */
export function attach(tid: u32): usize {
  if (atomic.load<u32>(sb(SB_MAGIC)) != MAGIC) return 0;
  computeLayout(load<u32>(sb(SB_MAX_PAGES)), load<u32>(sb(SB_NUSER)), load<u32>(sb(SB_NRINGS)), load<u32>(sb(SB_SLAB_UNITS)));
  setThreadId(tid != 0 ? tid : newThreadId());
  return PAGES;
}

/** An id for a thread yet to attach (see releaseLocksOf). */
export function newThreadId(): u32 {
  return atomic.add<u32>(sb(SB_NEXT_TID), 1);
}

/**
 * A thread died (its Worker was terminated): every lock it held is let go,
 * so no other thread spins on it for ever.
 */
export function releaseLocksOf(tid: u32): void {
  releaseWordOf(sb(SB_POOL_LOCK), tid);
  const n = load<u32>(sb(SB_NRINGS));
  for (let r: u32 = 0; r < n; r++) releaseWordOf(hdr(r) + RH_LOCK, tid);
}

export function setFlags(flags: u32): void { store<u32>(sb(SB_FLAGS), flags); }

/** From now on another thread may use the kernel: every count and lock is atomic. */
export function setThreaded(): void { atomic.store<u32>(sb(SB_THREADED), 1); }

export function ringCap(): u32 { return RING_CAP; }
/** Address of ring `r`'s slot array (ringSize(r) slots of SL_SIZE bytes). */
export function ringSlotBase(r: u32): usize { return slotBase(r); }
export { threadId, setMaySleep, slabFreeUnits, ringSize, spaceOpen, spaceClose, changeAddr };

export {
  freeKernelPages, freeUserPages, userAlloc, userFree, pageRefs, pagePut, pageGet, compoundAlloc,
  ringNew, ringFree, ringOpen, ringClose, ringShare, ringResize, ringBytes, addReaders, addWriters,
  maxUsage, readers, writers, seqAddr, waitersAddr, occupancy,
  pipeWrite, pipeWriteFrom, pipeRead, pipeToUser, pipeDiscard, takeForRead, readDone, mergeRoom,
  splicePipeToPipe, tee, vmspliceToPipe, addCachePages, addZeroPages, addCopiedPages, drainToPages,
  copyToPages, copyFromPages, putPages, allocPages, waitForSpace,
  tagNew, tagFree, tagRefs, completionPop, completionSeqAddr, cloneSlots, dropSlots,
  addFragCopy, moveToSkb, linearToPipe, prefixBytes,
};

export function ringHead(r: u32): u32 { return head(r); }
export function ringTail(r: u32): u32 { return tail(r); }
export function ringFull(r: u32): bool { return isFull(r); }

/**
 * Moves buffers between two rings (pipe <-> socket queue), at most `limit`
 * slots in use in `b`, keeping only the slot flags in `keep`.
 */
export function move(a: u32, b: u32, len: u32, limit: u32, keep: u32): u32 {
  lock2(a, b);
  const n = moveBufs(a, b, len, limit, keep);
  unlock2(a, b);
  if (n > 0) { bump(a); bump(b); }
  return n;
}
