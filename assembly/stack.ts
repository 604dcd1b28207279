// The free stacks (kernel pages, rings, release tags): u32 ids at `base`,
// the count in a superblock word, guarded by the pool lock once threaded.

import { sb, SB_POOL_LOCK, threaded } from "./layout";

/**
 * This instance's thread id: what its lock words hold. A Wasm global is the
 * instance's own, and there is one instance per thread.
 */
let TID: u32 = 1;

export function setThreadId(tid: u32): void { TID = tid; }
export function threadId(): u32 { return TID; }

/**
 * Spins for a lock word, storing this thread's id in it; contended only
 * across threads, and holders never block.
 */
export function lockWord(addr: usize): void {
  while (atomic.cmpxchg<u32>(addr, 0, TID) != 0) {
    // spin
  }
}

/** Lets go of a lock word if thread `tid` holds it (a thread that died). */
export function releaseWordOf(addr: usize, tid: u32): void {
  atomic.cmpxchg<u32>(addr, tid, 0);
}

@inline export function unlockWord(addr: usize): void {
  atomic.store<u32>(addr, 0);
}

/** The pool lock, taken only once the kernel is threaded. */
@inline export function lockPool(): void { if (threaded()) lockWord(sb(SB_POOL_LOCK)); }
@inline export function unlockPool(): void { if (threaded()) unlockWord(sb(SB_POOL_LOCK)); }

/** Fills a stack with ids first..first+n-1, the lowest on top (handed out first). */
export function stackInit(base: usize, topField: usize, first: u32, n: u32): void {
  for (let i: u32 = 0; i < n; i++) store<u32>(base + (<usize>i << 2), first + n - 1 - i);
  store<u32>(sb(topField), n);
}

/** Takes an id, or -1 when the stack is empty. */
export function stackPop(base: usize, topField: usize): i32 {
  lockPool();
  const top = load<u32>(sb(topField));
  let id: i32 = -1;
  if (top != 0) {
    id = <i32>load<u32>(base + (<usize>(top - 1) << 2));
    store<u32>(sb(topField), top - 1);
  }
  unlockPool();
  return id;
}

export function stackPush(base: usize, topField: usize, id: u32): void {
  lockPool();
  const top = load<u32>(sb(topField));
  store<u32>(base + (<usize>top << 2), id);
  store<u32>(sb(topField), top + 1);
  unlockPool();
}
