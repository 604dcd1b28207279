// The page pool: 4096-byte pages with atomic reference counts.
//
// Kernel pages (pipe buffers, page cache) come from a free stack; user pages
// (memory handed out for vmsplice) come in contiguous runs from their own
// range, so a user buffer is one flat view. Both share one refcount array:
// a page is free when its count is 0, and the last put returns it.

import {
  sb, SB_NPAGES, SB_NUSER, SB_FREE_TOP, SB_POOL_LOCK, SB_USER_CURSOR, threaded,
  REFS, RUNS, FREE_STACK, PAGES, PAGE_SHIFT, ENOMEM,
  FOREIGN, SPACE_SHIFT, SPACE_MASK, SPACE_REFS, SPACE_CLOSED, SPACE_DONE,
} from "./layout";
import { lockWord, unlockWord, stackInit, stackPop, stackPush } from "./stack";
import { completionPush } from "./tags";
import { poolGrow } from "./grow";

/**
 * The host copies `len` bytes at `off` in a foreign page (a page of another
 * memory: see FOREIGN) into this memory at `dst`. It never blocks.
 */
@external("env", "foreignCopy")
declare function foreignCopy(dst: usize, page: u32, off: u32, len: u32): void;

@inline export function isForeign(page: u32): bool {
  return (page & FOREIGN) != 0;
}

@inline function spaceRefAddr(page: u32): usize {
  return SPACE_REFS + (<usize>((page >>> SPACE_SHIFT) & SPACE_MASK) << 2);
}

/** Copies `n` bytes at `off` in page `page` (of this memory or a foreign one) to `dst`. */
@inline export function copyOut(dst: usize, page: u32, off: u32, n: u32): void {
  if (isForeign(page)) foreignCopy(dst, page, off, n);
  else memory.copy(dst, pageAddr(page) + off, n);
}

/** RUNS word of a compound tail page: the head's index with this bit. */
const TAIL: u32 = 0x80000000;

/** A compound page counts references on its head (like struct folio). */
@inline function headOf(page: u32): u32 {
  const v = load<u32>(RUNS + (<usize>page << 2));
  return (v & TAIL) != 0 ? v & ~TAIL : page;
}

@inline function refAddr(page: u32): usize {
  return REFS + (<usize>headOf(page) << 2);
}

@inline export function pageAddr(page: u32): usize {
  return PAGES + (<usize>page << PAGE_SHIFT);
}

@inline export function npages(): u32 {
  return load<u32>(sb(SB_NPAGES));
}

/** Whether `page` is in the user range (kernel pages lie below it and, once grown, above). */
@inline function isUserPage(page: u32): bool {
  return page - npages() < load<u32>(sb(SB_NUSER));
}

export { lockWord, unlockWord };

/** count += delta; returns the old count. */
@inline function addRef(addr: usize, delta: u32): u32 {
  if (threaded()) return atomic.add<u32>(addr, delta);
  const old = load<u32>(addr);
  store<u32>(addr, old + delta);
  return old;
}

/** Fills the kernel free stack with every kernel page. Called once by init. */
export function poolInit(kernelPages: u32): void {
  stackInit(FREE_STACK, SB_FREE_TOP, 0, kernelPages);
}

/** alloc_page(): a kernel page with one reference, or -ENOMEM. */
export function pageAlloc(): i32 {
  let page = stackPop(FREE_STACK, SB_FREE_TOP);
  while (page < 0 && poolGrow()) page = stackPop(FREE_STACK, SB_FREE_TOP);
  if (page < 0) return ENOMEM;
  atomic.store<u32>(refAddr(<u32>page), 1);
  return page;
}

/** get_page(): one more reference (a foreign page's count is its space's). */
@inline export function pageGet(page: u32): void {
  addRef(isForeign(page) ? spaceRefAddr(page) : refAddr(page), 1);
}

/**
 * put_page(): drops a reference; the last one returns the page to the
 * pool. A foreign page's space is told done when its process has ended
 * and its last reference goes.
 */
export function pagePut(page: u32): void {
  if (isForeign(page)) {
    if (addRef(spaceRefAddr(page), <u32>-1) == (SPACE_CLOSED | 1)) completionPush(SPACE_DONE | ((page >>> SPACE_SHIFT) & SPACE_MASK));
    return;
  }
  page = headOf(page);
  if (addRef(refAddr(page), <u32>-1) != 1) return;
  if (isUserPage(page)) {
    // User-range pages are free at count 0; a compound head frees its tails.
    const run = load<u32>(RUNS + (<usize>page << 2));
    if (run > 1) {
      store<u32>(RUNS + (<usize>page << 2), 0);
      for (let i: u32 = 1; i < run; i++) {
        store<u32>(RUNS + (<usize>(page + i) << 2), 0);
        atomic.store<u32>(REFS + (<usize>(page + i) << 2), 0);
      }
    }
    return;
  }
  stackPush(FREE_STACK, SB_FREE_TOP, page);
}

/** A page's reference count; for a foreign page, its space's. */
@inline export function pageRefs(page: u32): u32 {
  return isForeign(page) ? atomic.load<u32>(spaceRefAddr(page)) & ~SPACE_CLOSED : atomic.load<u32>(refAddr(page));
}

/** A space starts with no references (its id is new, or used again). */
export function spaceOpen(space: u32): void {
  atomic.store<u32>(SPACE_REFS + (<usize>(space & SPACE_MASK) << 2), 0);
}

/**
 * A space's process has ended: returns the references left. At 0 the host
 * lets the space go now; otherwise the last pagePut queues SPACE_DONE.
 */
export function spaceClose(space: u32): u32 {
  return atomic.or<u32>(SPACE_REFS + (<usize>(space & SPACE_MASK) << 2), SPACE_CLOSED) & ~SPACE_CLOSED;
}

export function freeKernelPages(): u32 {
  return atomic.load<u32>(sb(SB_FREE_TOP));
}

/** Free user pages (count 0) in the user range. */
export function freeUserPages(): u32 {
  const first = npages();
  const end = first + load<u32>(sb(SB_NUSER));
  let n: u32 = 0;
  for (let p = first; p < end; p++) if (pageRefs(p) == 0) n++;
  return n;
}

/**
 * A run of `count` contiguous user pages, each with one reference (the
 * buffer's), zeroed; returns the first page or -ENOMEM. Next-fit from a cursor.
 */
export function userAlloc(count: u32): i32 {
  if (count == 0) return ENOMEM;
  const first = npages();
  const nuser = load<u32>(sb(SB_NUSER));
  if (count > nuser) return ENOMEM;
  lockWord(sb(SB_POOL_LOCK));
  let start = load<u32>(sb(SB_USER_CURSOR));
  let scanned: u32 = 0;
  let run: u32 = 0;
  let runStart: u32 = 0;
  while (scanned < nuser + count) {
    if (start + run >= nuser) { start = 0; run = 0; }
    const p = first + start + run;
    if (pageRefs(p) == 0) {
      if (run == 0) runStart = start;
      run++;
      if (run == count) break;
    } else {
      start = start + run + 1;
      run = 0;
    }
    scanned++;
  }
  if (run < count) {
    unlockWord(sb(SB_POOL_LOCK));
    return ENOMEM;
  }
  for (let i: u32 = 0; i < count; i++) atomic.store<u32>(refAddr(first + runStart + i), 1);
  store<u32>(sb(SB_USER_CURSOR), (runStart + count) % nuser);
  unlockWord(sb(SB_POOL_LOCK));
  memory.fill(pageAddr(first + runStart), 0, <usize>count << PAGE_SHIFT);
  return <i32>(first + runStart);
}

/** Drops the buffer's reference on each page of a user run. */
export function userFree(firstPage: u32, count: u32): void {
  for (let i: u32 = 0; i < count; i++) pagePut(firstPage + i);
}

/**
 * memcpy as the kernel's runs: forward. When a page is copied onto itself a
 * little further on (a file's page spliced back into the same file), the
 * bytes already copied are read again: "abcd" moved by 2 becomes "abab".
 */
export function copyForward(dst: usize, src: usize, n: usize): void {
  if (dst <= src || dst >= src + n) {
    memory.copy(dst, src, n);
    return;
  }
  const step = dst - src;
  for (let done: usize = 0; done < n; done += step) memory.copy(dst + done, src + done, min(step, n - done));
}


/**
 * A compound page (__GFP_COMP): `count` contiguous pages, one reference
 * count on the head. From the user range, the only contiguous one; a slot
 * may then span all of it (an skb fragment of up to 32 KiB).
 */
export function compoundAlloc(count: u32): i32 {
  const head = userAlloc(count);
  if (head < 0) return head;
  store<u32>(RUNS + (<usize>head << 2), count);
  for (let i: u32 = 1; i < count; i++) store<u32>(RUNS + (<usize>(head + i) << 2), TAIL | <u32>head);
  return head;
}
