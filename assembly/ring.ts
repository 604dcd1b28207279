// The pipe ring (struct pipe_inode_info): free-running head/tail, a
// power-of-two ring_size, capacity counted in slots (max_usage).

import {
  sb, SB_NRINGS, SB_RING_FREE_TOP, SB_CHANGE, SB_CHANGE_WAITERS, RING_HDRS, RING_FREE, threaded,
  RING_CAP, RH_HEAD, RH_TAIL, RH_RING_SIZE, RH_MAX_USAGE, RH_READERS, RH_WRITERS,
  RH_LOCK, RH_SEQ, RH_IN_USE, RH_FILES, RH_WAITERS, RH_SHARED, RH_SLOTS, RH_SIZE,
  SL_PAGE, SL_OFFSET, SL_LEN, SL_FLAGS, SL_TAG, SL_SIZE,
  ENFILE, ENOMEM, EBUSY, EINVAL,
} from "./layout";
import { pagePut, lockWord, unlockWord } from "./pages";
import { slabAlloc, slabFree, orderOf } from "./slab";
import { stackInit, stackPop, stackPush } from "./stack";
import { tagPut } from "./tags";

@inline export function hdr(r: u32): usize {
  return RING_HDRS + <usize>r * RH_SIZE;
}

@inline export function head(r: u32): u32 { return load<u32>(hdr(r) + RH_HEAD); }
@inline export function tail(r: u32): u32 { return load<u32>(hdr(r) + RH_TAIL); }
@inline export function setHead(r: u32, v: u32): void { store<u32>(hdr(r) + RH_HEAD, v); }
@inline export function setTail(r: u32, v: u32): void { store<u32>(hdr(r) + RH_TAIL, v); }
@inline export function maxUsage(r: u32): u32 { return load<u32>(hdr(r) + RH_MAX_USAGE); }
@inline export function readers(r: u32): u32 { return atomic.load<u32>(hdr(r) + RH_READERS); }
@inline export function writers(r: u32): u32 { return atomic.load<u32>(hdr(r) + RH_WRITERS); }

/** Address of a ring's slot array, and the mask of its ring_size: for hot loops. */
@inline export function slotBase(r: u32): usize {
  return <usize>load<u32>(hdr(r) + RH_SLOTS);
}
@inline export function ringMask(r: u32): u32 {
  return load<u32>(hdr(r) + RH_RING_SIZE) - 1;
}
/** Slot `i` of a ring whose base and mask the caller holds (32-byte slots). */
@inline export function slotAt(base: usize, mask: u32, i: u32): usize {
  return base + (<usize>(i & mask) << 5);
}

/** Address of the slot that free-running index `i` names (pipe_buf()). */
@inline export function slot(r: u32, i: u32): usize {
  const h = hdr(r);
  const mask = load<u32>(h + RH_RING_SIZE) - 1;
  return <usize>load<u32>(h + RH_SLOTS) + (<usize>(i & mask) << 5);
}

@inline export function slotPage(s: usize): u32 { return load<u32>(s + SL_PAGE); }
@inline export function slotOffset(s: usize): u32 { return load<u32>(s + SL_OFFSET); }
@inline export function slotLen(s: usize): u32 { return load<u32>(s + SL_LEN); }
@inline export function slotFlags(s: usize): u32 { return load<u32>(s + SL_FLAGS); }
@inline export function slotTag(s: usize): u32 { return load<u32>(s + SL_TAG); }
@inline export function setSlotTag(s: usize, tag: u32): void { store<u32>(s + SL_TAG, tag); }

/** Copies a whole slot (32 bytes) with plain stores: memory.copy is a call out in V8. */
@inline export function copySlot(dst: usize, src: usize): void {
  store<u64>(dst, load<u64>(src));
  store<u64>(dst, load<u64>(src, 8), 8);
  store<u64>(dst, load<u64>(src, 16), 16);
  store<u64>(dst, load<u64>(src, 24), 24);
}

@inline export function setSlot(s: usize, page: u32, offset: u32, len: u32, flags: u32): void {
  store<u32>(s + SL_PAGE, page);
  store<u32>(s + SL_OFFSET, offset);
  store<u32>(s + SL_LEN, len);
  store<u32>(s + SL_FLAGS, flags);
  store<u32>(s + SL_TAG, 0);
}

@inline export function isEmpty(r: u32): bool { return head(r) == tail(r); }
@inline export function occupancy(r: u32): u32 { return head(r) - tail(r); }
@inline export function isFull(r: u32): bool { return occupancy(r) >= maxUsage(r); }

/**
 * A ring only one thread uses needs no lock: the locked instructions would
 * be most of a splice's cost. A ring handed to another thread is marked
 * shared first (ringShare), and from then on every call locks it.
 */
@inline function isShared(r: u32): bool { return threaded() || atomic.load<u32>(hdr(r) + RH_SHARED) != 0; }
@inline export function lock(r: u32): void { if (isShared(r)) lockWord(hdr(r) + RH_LOCK); }
@inline export function unlock(r: u32): void { if (isShared(r)) unlockWord(hdr(r) + RH_LOCK); }

/** Marks a ring as used by more than one thread (before the other thread starts). */
export function ringShare(r: u32): void {
  atomic.store<u32>(hdr(r) + RH_SHARED, 1);
}

/** pipe_double_lock(): both rings, lower index first, so two threads never deadlock. */
export function lock2(a: u32, b: u32): void {
  if (a < b) { lock(a); lock(b); } else { lock(b); lock(a); }
}

export function unlock2(a: u32, b: u32): void {
  unlock(a);
  unlock(b);
}

/**
 * Wakes whoever waits on this ring: bump the futex word, and notify only
 * when a thread sleeps on it (a notify costs tens of ns even for nobody).
 * A waiter counts itself before re-reading seq, so with seq_cst order either
 * it sees the new seq or this sees its count.
 */
export function bump(r: u32): void {
  if (!isShared(r)) return;
  const w = hdr(r) + RH_SEQ;
  atomic.add<u32>(w, 1);
  if (atomic.load<u32>(hdr(r) + RH_WAITERS) != 0) atomic.notify(w, 0x7fffffff);
  // And the machine-wide change word, for a thread that waits for any change (the machine's).
  atomic.add<u32>(sb(SB_CHANGE), 1);
  if (atomic.load<u32>(sb(SB_CHANGE_WAITERS)) != 0) atomic.notify(sb(SB_CHANGE), 0x7fffffff);
}

/** The machine-wide change word (see SB_CHANGE) and its sleepers' count, for the host. */
export function changeAddr(): usize { return sb(SB_CHANGE); }

export function waitersAddr(r: u32): usize { return hdr(r) + RH_WAITERS; }

export function seqAddr(r: u32): usize { return hdr(r) + RH_SEQ; }

/** Takes `n` bytes off the front of tail slot `s`; an emptied slot is released and the tail moves on. */
@inline export function consumeTail(r: u32, s: usize, n: u32): void {
  store<u32>(s + SL_OFFSET, slotOffset(s) + n);
  const left = slotLen(s) - n;
  store<u32>(s + SL_LEN, left);
  if (left == 0) {
    releaseSlot(s);
    setTail(r, tail(r) + 1);
  }
}

/** pipe_buf_release(): drop the slot's page reference (and its tag's). */
@inline export function releaseSlot(s: usize): void {
  pagePut(slotPage(s));
  tagPut(slotTag(s));
}

export function ringsInit(nrings: u32): void {
  stackInit(RING_FREE, SB_RING_FREE_TOP, 0, nrings);
}

/**
 * alloc_pipe_info(): a ring of `slots` slots (a power of two up to
 * RING_CAP), or -ENFILE when no ring or slot memory is left (get_pipe_inode()
 * failing makes create_pipe_files() answer ENFILE).
 */
export function ringNew(slots: u32): i32 {
  if (slots == 0 || slots > RING_CAP || (slots & (slots - 1)) != 0) return EINVAL;
  const id = stackPop(RING_FREE, SB_RING_FREE_TOP);
  if (id < 0) return ENFILE;
  const bufs = slabAlloc(orderOf(slots));
  if (bufs == 0) {
    stackPush(RING_FREE, SB_RING_FREE_TOP, <u32>id);
    return ENFILE;
  }
  // A fresh slot array is zeroed, as kcalloc() leaves it.
  memory.fill(bufs, 0, <usize>slots * SL_SIZE);
  const r = <u32>id;
  const h = hdr(r);
  // A sleeper of the ring's last pipe may not have woken and uncounted itself
  // yet: its count stays (zeroed, its decrement would hide the next sleeper from
  // bump), and the futex word moves on, so it sees a change, not its old value.
  const waiters = atomic.load<u32>(h + RH_WAITERS);
  const seq = atomic.load<u32>(h + RH_SEQ);
  memory.fill(h, 0, RH_SIZE);
  atomic.store<u32>(h + RH_WAITERS, waiters);
  atomic.store<u32>(h + RH_SEQ, seq + 1);
  store<u32>(h + RH_RING_SIZE, slots);
  store<u32>(h + RH_MAX_USAGE, slots);
  store<u32>(h + RH_IN_USE, 1);
  store<u32>(h + RH_FILES, 1);
  store<u32>(h + RH_SLOTS, <u32>bufs);
  return <i32>r;
}

/** free_pipe_info(): release every buffer still in the ring, then the ring. */
export function ringFree(r: u32): void {
  lock(r);
  for (let i = tail(r); i != head(r); i++) releaseSlot(slot(r, i));
  setTail(r, head(r));
  store<u32>(hdr(r) + RH_IN_USE, 0);
  const bufs = slotBase(r);
  const size = load<u32>(hdr(r) + RH_RING_SIZE);
  store<u32>(hdr(r) + RH_SLOTS, 0);
  unlock(r);
  bump(r);
  slabFree(bufs, orderOf(size));
  stackPush(RING_FREE, SB_RING_FREE_TOP, r);
}

export function nrings(): u32 { return load<u32>(sb(SB_NRINGS)); }

export function addReaders(r: u32, delta: i32): u32 {
  const v = atomic.add<u32>(hdr(r) + RH_READERS, <u32>delta) + <u32>delta;
  bump(r);
  return v;
}

export function addWriters(r: u32, delta: i32): u32 {
  const v = atomic.add<u32>(hdr(r) + RH_WRITERS, <u32>delta) + <u32>delta;
  bump(r);
  return v;
}

/**
 * pipe_resize_ring(): a new slot array first (ENOMEM when there is no
 * memory for it), then EBUSY when the buffers in use need more slots than
 * asked (counted in slots, not bytes); else the live slots move to the new
 * array from index 0 and the old array goes.
 */
export function ringResize(r: u32, slots: u32): i32 {
  if (slots == 0 || slots > RING_CAP || (slots & (slots - 1)) != 0) return EINVAL;
  const bufs = slabAlloc(orderOf(slots));
  if (bufs == 0) return ENOMEM;
  memory.fill(bufs, 0, <usize>slots * SL_SIZE);
  lock(r);
  const n = occupancy(r);
  if (slots < n) {
    unlock(r);
    slabFree(bufs, orderOf(slots));
    return EBUSY;
  }
  const t = tail(r);
  for (let i: u32 = 0; i < n; i++) copySlot(bufs + (<usize>i << 5), slot(r, t + i));
  const h = hdr(r);
  const old = slotBase(r);
  const oldSize = load<u32>(h + RH_RING_SIZE);
  store<u32>(h + RH_SLOTS, <u32>bufs);
  store<u32>(h + RH_RING_SIZE, slots);
  store<u32>(h + RH_MAX_USAGE, slots);
  setTail(r, 0);
  setHead(r, n);
  unlock(r);
  bump(r);
  slabFree(old, orderOf(oldSize));
  return 0;
}

/** ring_size (a power of two): the slot array's length. */
export function ringSize(r: u32): u32 { return load<u32>(hdr(r) + RH_RING_SIZE); }

/** FIONREAD: the bytes in every occupied slot. */
export function ringBytes(r: u32): u32 {
  let n: u32 = 0;
  for (let i = tail(r); i != head(r); i++) n += slotLen(slot(r, i));
  return n;
}

/** Another holder of the ring (an end passed to another thread). */
export function ringOpen(r: u32): void {
  atomic.add<u32>(hdr(r) + RH_FILES, 1);
}

/** A holder lets go; the last one frees the ring and its buffers. */
export function ringClose(r: u32): void {
  if (atomic.sub<u32>(hdr(r) + RH_FILES, 1) == 1) ringFree(r);
}
