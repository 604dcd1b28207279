// Primitives that move page references, not bytes (fs/splice.c).

import {
  PAGE_SIZE, PIPE_BUF_FLAG_GIFT, PIPE_BUF_FLAG_CAN_MERGE, OPS_USER, OPS_CACHE,
  OPS_DEFAULT, OPS_MASK, EAGAIN, EPIPE, ENOMEM, BLOCK, SL_OFFSET, SL_LEN, SL_FLAGS,
  sb, SB_FLAGS,
} from "./layout";
import { pageGet, pageAlloc, pageAddr, pagePut, copyForward, copyOut, isForeign } from "./pages";
import {
  head, tail, setHead, setTail, slot, slotPage, slotOffset, slotLen, slotFlags,
  setSlot, isEmpty, isFull, lock, unlock, lock2, unlock2, bump, readers, writers,
  releaseSlot, maxUsage, slotTag, setSlotTag, copySlot, slotBase, ringMask, slotAt, consumeTail,
} from "./ring";
import { tagGet } from "./tags";

const CLEAR_ON_CLONE: u32 = PIPE_BUF_FLAG_GIFT | PIPE_BUF_FLAG_CAN_MERGE;

/** ipipe_prep(): 0 when there is data or no writer is left to bring any. */
function ipipePrep(r: u32, nonblock: bool): i32 {
  if (!isEmpty(r) || writers(r) == 0) return 0;
  return nonblock ? EAGAIN : BLOCK;
}

/** opipe_prep(): only a full pipe checks for readers. */
function opipePrep(r: u32, nonblock: bool): i32 {
  if (!isFull(r)) return 0;
  if (readers(r) == 0) return EPIPE;
  return nonblock ? EAGAIN : BLOCK;
}

/** wait_for_space(): readers first, then room. */
export function waitForSpace(r: u32, nonblock: bool): i32 {
  if (readers(r) == 0) return EPIPE;
  if (!isFull(r)) return 0;
  return nonblock ? EAGAIN : BLOCK;
}

/**
 * Moves up to `len` bytes of buffers from ring `a` to ring `b`, at most
 * `limit` slots in use in `b`: a whole buffer moves as is (flags kept); a
 * partial one is split, the copy taking a page reference and losing GIFT
 * and CAN_MERGE; flags outside `keep` are dropped. Both rings locked by
 * the caller. Returns bytes moved.
 */
export function moveBufs(a: u32, b: u32, len: u32, limit: u32, keep: u32): u32 {
  // Indices in locals, published once at the end (both rings are locked).
  const baseA = slotBase(a), maskA = ringMask(a), headA = head(a);
  const baseB = slotBase(b), maskB = ringMask(b), tailB = tail(b);
  let t = tail(a);
  let h = head(b);
  let ret: u32 = 0;
  while (len > 0 && t != headA && h - tailB < limit) {
    const ib = slotAt(baseA, maskA, t);
    const ob = slotAt(baseB, maskB, h);
    const n = slotLen(ib);
    let moved = n;
    if (len >= n) {
      copySlot(ob, ib);
      store<u32>(ob + SL_FLAGS, slotFlags(ib) & keep);
      t++;
    } else {
      pageGet(slotPage(ib));
      tagGet(slotTag(ib));
      setSlot(ob, slotPage(ib), slotOffset(ib), len, slotFlags(ib) & ~CLEAR_ON_CLONE & keep);
      setSlotTag(ob, slotTag(ib));
      store<u32>(ib + SL_OFFSET, slotOffset(ib) + len);
      store<u32>(ib + SL_LEN, n - len);
      moved = len;
    }
    h++;
    ret += moved;
    len -= moved;
  }
  setTail(a, t);
  setHead(b, h);
  return ret;
}

/** ipipe_prep() then opipe_prep(), as splice and tee both start. */
function preps(a: u32, b: u32, nonblock: bool): i32 {
  const ret = ipipePrep(a, nonblock);
  return ret != 0 ? ret : opipePrep(b, nonblock);
}

/** splice_pipe_to_pipe(). */
export function splicePipeToPipe(a: u32, b: u32, len: u32, nonblock: bool): i32 {
  const ret = preps(a, b, nonblock);
  if (ret != 0) return ret;
  lock2(a, b);
  let result: i32 = 0;
  if (readers(b) == 0) {
    result = EPIPE;
  } else if (isEmpty(a) && writers(a) == 0) {
    result = 0;
  } else if (isEmpty(a) || isFull(b)) {
    result = nonblock ? EAGAIN : BLOCK;
  } else {
    result = <i32>moveBufs(a, b, len, maxUsage(b), 0xffffffff);
  }
  unlock2(a, b);
  if (result > 0) { bump(a); bump(b); }
  return result;
}

/** link_pipe() after the preps (do_tee): clones references, input untouched. */
export function tee(a: u32, b: u32, len: u32, nonblock: bool): i32 {
  const ret = preps(a, b, nonblock);
  if (ret != 0) return ret;
  lock2(a, b);
  let done: u32 = 0;
  // Readers cannot change while both rings are locked: check once.
  const result: i32 = readers(b) == 0 ? EPIPE : 0;
  if (result == 0) {
    const baseA = slotBase(a), maskA = ringMask(a), headA = head(a);
    const baseB = slotBase(b), maskB = ringMask(b), tailB = tail(b), limit = maxUsage(b);
    let i = tail(a);
    let h = head(b);
    while (len > 0 && i != headA && h - tailB < limit) {
      const ib = slotAt(baseA, maskA, i);
      const ob = slotAt(baseB, maskB, h);
      const page = slotPage(ib);
      const tag = slotTag(ib);
      pageGet(page);
      tagGet(tag);
      let n = slotLen(ib);
      if (n > len) n = len;
      setSlot(ob, page, slotOffset(ib), n, slotFlags(ib) & ~CLEAR_ON_CLONE);
      setSlotTag(ob, tag);
      h++;
      done += n;
      len -= n;
      i++;
    }
    setHead(b, h);
  }
  unlock2(a, b);
  if (done > 0) {
    bump(b);
    return <i32>done;
  }
  return result;
}

/**
 * vmsplice_to_pipe(): one buffer per page fragment of each iovec, each
 * referencing the caller's page (zero-copy). iovecs at `iov`: `niov` pairs
 * of (u32 first page, u32 offset in that run, u32 length) — 12 bytes each.
 * `tag` (0 for none) marks every slot for a release notification.
 */
export function vmspliceToPipe(r: u32, iov: usize, niov: u32, gift: bool, nonblock: bool, tag: u32): i32 {
  lock(r);
  const wait = waitForSpace(r, nonblock);
  if (wait != 0) {
    unlock(r);
    return wait;
  }
  const flags = (gift ? PIPE_BUF_FLAG_GIFT : 0) | OPS_USER;
  const base = slotBase(r), mask = ringMask(r), t = tail(r), limit = maxUsage(r);
  let h = head(r);
  let total: u32 = 0;
  let full = false;
  for (let i: u32 = 0; i < niov && !full; i++) {
    const e = iov + <usize>i * 12;
    const firstPage = load<u32>(e);
    let off = load<u32>(e + 4);
    let left = load<u32>(e + 8);
    while (left > 0) {
      if (h - t >= limit) { full = true; break; }
      const page = firstPage + (off >> 12);
      const start = off & (PAGE_SIZE - 1);
      const size = min(left, PAGE_SIZE - start);
      pageGet(page);
      tagGet(tag);
      const s = slotAt(base, mask, h);
      setSlot(s, page, start, size, flags);
      setSlotTag(s, tag);
      h++;
      total += size;
      off += size;
      left -= size;
    }
  }
  setHead(r, h);
  unlock(r);
  if (total > 0) bump(r);
  return <i32>total;
}

/**
 * splice_folio_into_pipe() for page-cache pages (filemap_splice_read):
 * `len` bytes starting `off` bytes into the first of the `n` pages listed
 * at `list`, one buffer per page part, while the pipe has room. New slots
 * get flags 0, except in 5.16 mode, which leaves the slot's stale flags
 * (CVE-2022-0847). Returns bytes added.
 */
export function addCachePages(r: u32, list: usize, n: u32, off: u32, len: u32): i32 {
  lock(r);
  const stale = (load<u32>(sb(SB_FLAGS)) & 1) != 0;
  let done: u32 = 0;
  let i: u32 = 0;
  while (done < len && i < n && !isFull(r)) {
    const page = load<u32>(list + (<usize>i << 2));
    const part = min(PAGE_SIZE - off, len - done);
    const s = slot(r, head(r));
    const flags = stale ? (slotFlags(s) & ~OPS_MASK) | OPS_CACHE : OPS_CACHE;
    pageGet(page);
    setSlot(s, page, off, part, flags);
    setHead(r, head(r) + 1);
    done += part;
    off = 0;
    i++;
  }
  unlock(r);
  if (done > 0) bump(r);
  return <i32>done;
}

/** copy_splice_read() for devices such as /dev/zero: see freshPages. */
export function addZeroPages(r: u32, len: u32): i32 {
  return freshPages(r, 0, len, true);
}

/** copy_splice_read() for a socket: `len` bytes at `src`, which its read_iter took; see freshPages. */
export function addCopiedPages(r: u32, src: usize, len: u32): i32 {
  return freshPages(r, src, len, false);
}

/**
 * Fresh pages, one per 4096 bytes, while the pipe has room, zeroed or
 * holding the bytes at `src` (default_pipe_buf_ops: they never merge a
 * later write). Returns bytes or -ENOMEM.
 */
function freshPages(r: u32, src: usize, len: u32, zero: bool): i32 {
  lock(r);
  let done: u32 = 0;
  let result: i32 = 0;
  while (done < len && !isFull(r)) {
    const page = pageAlloc();
    if (page < 0) { result = ENOMEM; break; }
    const part = min(PAGE_SIZE, len - done);
    if (zero) memory.fill(pageAddr(<u32>page), 0, PAGE_SIZE);
    else memory.copy(pageAddr(<u32>page), src + done, part);
    setSlot(slot(r, head(r)), <u32>page, 0, part, OPS_DEFAULT);
    setHead(r, head(r) + 1);
    done += part;
  }
  unlock(r);
  if (done > 0) { bump(r); return <i32>done; }
  return result;
}

/**
 * Consumes `len` bytes (present: the caller checked) from ring `r`, copying
 * them into the listed pages from `off` in the first (iter_file_splice_write
 * writing into the page cache).
 */
export function drainToPages(r: u32, len: u32, list: usize, off: u32): void {
  lock(r);
  let done: u32 = 0;
  while (done < len) {
    const s = slot(r, tail(r));
    const n = min(slotLen(s), len - done);
    const page = slotPage(s);
    if (isForeign(page)) intoPages(list, off + done, page, slotOffset(s), n);
    else intoPages(list, off + done, NO_PAGE, pageAddr(page) + slotOffset(s), n);
    consumeTail(r, s, n);
    done += n;
  }
  unlock(r);
  bump(r);
}

/** Copies `len` bytes from `src` into listed pages, starting `off` bytes into the run. */
export function copyToPages(list: usize, off: u32, src: usize, len: u32): void {
  intoPages(list, off, NO_PAGE, src, len);
}

/** No source page: intoPages copies from an address of this memory. */
const NO_PAGE: u32 = 0xffffffff;

/**
 * Copies `len` bytes into listed pages from `off` in the run: from
 * `srcPage` at offset `src` where that is a foreign page, else from address
 * `src` of this memory (forward, as the kernel's memcpy: a page may be
 * copied onto itself).
 */
function intoPages(list: usize, off: u32, srcPage: u32, src: usize, len: u32): void {
  let done: u32 = 0;
  while (done < len) {
    const pos = off + done;
    const page = load<u32>(list + (<usize>(pos >> 12) << 2));
    const start = pos & (PAGE_SIZE - 1);
    const n = min(PAGE_SIZE - start, len - done);
    if (srcPage != NO_PAGE) copyOut(pageAddr(page) + start, srcPage, <u32>src + done, n);
    else copyForward(pageAddr(page) + start, src + done, n);
    done += n;
  }
}

/** Copies `len` bytes out of listed pages, starting `off` bytes into the run. */
export function copyFromPages(list: usize, off: u32, dst: usize, len: u32): void {
  let done: u32 = 0;
  while (done < len) {
    const pos = off + done;
    const page = load<u32>(list + (<usize>(pos >> 12) << 2));
    const start = pos & (PAGE_SIZE - 1);
    const n = min(PAGE_SIZE - start, len - done);
    memory.copy(dst + done, pageAddr(page) + start, n);
    done += n;
  }
}

/** Drops every listed page's reference (a file's page cache going away). */
export function putPages(list: usize, n: u32): void {
  for (let i: u32 = 0; i < n; i++) pagePut(load<u32>(list + (<usize>i << 2)));
}

/** Allocates `n` zeroed kernel pages into `list`; all or nothing. */
export function allocPages(list: usize, n: u32): i32 {
  for (let i: u32 = 0; i < n; i++) {
    const p = pageAlloc();
    if (p < 0) {
      putPages(list, i);
      return ENOMEM;
    }
    memory.fill(pageAddr(<u32>p), 0, PAGE_SIZE);
    store<u32>(list + (<usize>i << 2), <u32>p);
  }
  return 0;
}

/**
 * Clones the `count` slots of ring `a` from free-running index `from` into
 * ring `b` (references and tags taken, flags kept): what a TCP-like socket
 * keeps for retransmission until the peer acknowledges.
 */
export function cloneSlots(a: u32, from: u32, count: u32, b: u32): void {
  lock2(a, b);
  for (let i: u32 = 0; i < count; i++) {
    const ib = slot(a, from + i);
    const ob = slot(b, head(b));
    pageGet(slotPage(ib));
    tagGet(slotTag(ib));
    copySlot(ob, ib);
    setHead(b, head(b) + 1);
  }
  unlock2(a, b);
}

/** Releases the `count` oldest slots of a ring (an acknowledgement arrived). */
export function dropSlots(r: u32, count: u32): void {
  lock(r);
  for (let i: u32 = 0; i < count && !isEmpty(r); i++) {
    releaseSlot(slot(r, tail(r)));
    setTail(r, tail(r) + 1);
  }
  unlock(r);
  bump(r);
}
