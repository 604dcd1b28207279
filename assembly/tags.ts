// Release tags: how the kernel tells a writer that every reference a
// vmsplice created has been dropped, wherever the buffers travelled.

import {
  sb, SB_TAG_FREE_TOP, SB_COMP_HEAD, SB_COMP_TAIL, SB_COMP_SEQ, SB_POOL_LOCK,
  TAG_COUNTS, TAG_FREE, COMP_RING, COMP_SIZE, NTAGS, EAGAIN, threaded,
} from "./layout";
import { lockWord, unlockWord } from "./pages";
import { stackInit, stackPop, stackPush } from "./stack";

@inline function countAddr(tag: u32): usize {
  return TAG_COUNTS + (<usize>tag << 2);
}

export function tagsInit(): void {
  memory.fill(TAG_COUNTS, 0, <usize>NTAGS << 2);
  // Every tag but 0 is free; hand out low ids first.
  stackInit(TAG_FREE, SB_TAG_FREE_TOP, 1, NTAGS - 1);
}

/** A fresh tag with no references, or -EAGAIN when all are in flight. */
export function tagNew(): i32 {
  const tag = stackPop(TAG_FREE, SB_TAG_FREE_TOP);
  if (tag < 0) return EAGAIN;
  atomic.store<u32>(countAddr(<u32>tag), 0);
  return tag;
}

/** Returns a tag whose completion was delivered (or that never got a reference). */
export function tagFree(tag: u32): void {
  stackPush(TAG_FREE, SB_TAG_FREE_TOP, tag);
}

@inline export function tagGet(tag: u32): void {
  if (tag == 0) return;
  if (threaded()) atomic.add<u32>(countAddr(tag), 1);
  else store<u32>(countAddr(tag), load<u32>(countAddr(tag)) + 1);
}

/** Drops one reference; the last one queues the tag's completion. */
export function tagPut(tag: u32): void {
  if (tag == 0) return;
  const a = countAddr(tag);
  let old: u32;
  if (threaded()) old = atomic.sub<u32>(a, 1);
  else {
    old = load<u32>(a);
    store<u32>(a, old - 1);
  }
  if (old != 1) return;
  completionPush(tag);
}

/** Queues a completion (a tag, or SPACE_DONE | space) for the host and wakes whoever waits. */
export function completionPush(what: u32): void {
  lockWord(sb(SB_POOL_LOCK));
  const head = load<u32>(sb(SB_COMP_HEAD));
  store<u32>(COMP_RING + (<usize>(head & (COMP_SIZE - 1)) << 2), what);
  store<u32>(sb(SB_COMP_HEAD), head + 1);
  unlockWord(sb(SB_POOL_LOCK));
  atomic.add<u32>(sb(SB_COMP_SEQ), 1);
  atomic.notify(sb(SB_COMP_SEQ), 0x7fffffff);
}

export function tagRefs(tag: u32): u32 {
  return atomic.load<u32>(countAddr(tag));
}

/** The next completion (a tag, or SPACE_DONE | space), or 0 when none is queued. */
export function completionPop(): u32 {
  if (atomic.load<u32>(sb(SB_COMP_HEAD)) == load<u32>(sb(SB_COMP_TAIL))) return 0;
  lockWord(sb(SB_POOL_LOCK));
  const tail = load<u32>(sb(SB_COMP_TAIL));
  let tag: u32 = 0;
  if (tail != load<u32>(sb(SB_COMP_HEAD))) {
    tag = load<u32>(COMP_RING + (<usize>(tail & (COMP_SIZE - 1)) << 2));
    store<u32>(sb(SB_COMP_TAIL), tail + 1);
  }
  unlockWord(sb(SB_POOL_LOCK));
  return tag;
}

/** The futex word bumped on every completion (for waiting across threads). */
export function completionSeqAddr(): usize {
  return sb(SB_COMP_SEQ);
}
