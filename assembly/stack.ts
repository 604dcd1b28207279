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
 * Whether this instance's thread may sleep in memory.atomic.wait (a
 * Worker); a browser's main thread may not, and spins instead.
 */
let MAY_SLEEP = false;

export function setMaySleep(may: bool): void { MAY_SLEEP = may; }

/** Set in a lock word, beside the holder's id, while some thread sleeps for it. */
const CONTENDED: u32 = 0x80000000;
/** Tries before sleeping: a holder that runs lets go within them (critical sections are short). */
const SPINS: i32 = 256;
/** A sleeper looks again after this long even unwoken (ns). */
const SLEEP_NS: i64 = 10_000_000;

/**
 * Takes a lock word, storing this thread's id in it: a futex mutex
 * (Drepper, "Futexes Are Tricky", mutex 2). Spins first; then, where the
 * thread may sleep, marks the word contended and sleeps until the holder
 * lets go, so a thread never burns its time slice on a holder that the
 * scheduler has put aside (more threads than cores). Holders never block.
 */
export function lockWord(addr: usize): void {
  if (atomic.cmpxchg<u32>(addr, 0, TID) == 0) return;
  for (let i = 0; i < SPINS || !MAY_SLEEP; i++) {
    if (atomic.load<u32>(addr) == 0 && atomic.cmpxchg<u32>(addr, 0, TID) == 0) return;
  }
  // From here on take it marked contended: others may still sleep for it.
  for (;;) {
    const seen = atomic.load<u32>(addr);
    if (seen == 0) {
      if (atomic.cmpxchg<u32>(addr, 0, TID | CONTENDED) == 0) return;
      continue;
    }
    if ((seen & CONTENDED) == 0 && atomic.cmpxchg<u32>(addr, seen, seen | CONTENDED) != seen) continue;
    memory.atomic.wait32(addr, seen | CONTENDED, SLEEP_NS);
  }
}

/** Lets go of a lock word if thread `tid` holds it (a thread that died). */
export function releaseWordOf(addr: usize, tid: u32): void {
  const seen = atomic.load<u32>(addr);
  if ((seen & ~CONTENDED) == tid && atomic.cmpxchg<u32>(addr, seen, 0) == seen && (seen & CONTENDED) != 0) {
    atomic.notify(addr, 1);
  }
}

@inline export function unlockWord(addr: usize): void {
  if ((atomic.xchg<u32>(addr, 0) & CONTENDED) != 0) atomic.notify(addr, 1);
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
