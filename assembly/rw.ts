// Copies between user memory and a pipe: write(), read(), and vmsplice()
// out of a pipe. These are the only places a pipe's bytes are copied.

import {
  PAGE_SIZE, PAGE_SHIFT, PIPE_BUF_FLAG_CAN_MERGE, PIPE_BUF_FLAG_PACKET, OPS_ANON,
  EAGAIN, EPIPE, ENOMEM, BLOCK, FOREIGN, SPACE_SHIFT,
} from "./layout";
import { pageAlloc, pageAddr, pageGet, copyForward, copyOut, isForeign } from "./pages";
import { tagGet } from "./tags";
import {
  head, tail, setHead, setTail, slot, slotPage, slotOffset, slotLen, slotFlags,
  setSlot, isEmpty, isFull, lock, unlock, bump, readers, writers, releaseSlot, slotBase, ringMask, slotAt,
  consumeTail, copySlot, slotTag, setSlotTag, maxUsage,
} from "./ring";
import { SL_OFFSET, SL_LEN } from "./layout";

/**
 * anon_pipe_write() (fs/pipe.c). `merge`: apply the sub-page merge rule
 * (false when continuing a write after a wait, as Linux merges only once).
 * `newFlags`: CAN_MERGE for a pipe, PACKET when the writer has O_DIRECT,
 * 0 for a socket queue (skbs never merge into a pipe's buffers).
 */
export function pipeWrite(r: u32, src: usize, len: u32, nonblock: bool, merge: bool, newFlags: u32): i32 {
  return pipeWriteFrom(r, 0, src, len, nonblock, merge, newFlags);
}

/**
 * pipeWrite from `src` in space `space`: 0 is this memory, else a
 * process's own memory (a guest writing from its buffer: one copy, as
 * Linux's copy_page_from_iter).
 */
export function pipeWriteFrom(r: u32, space: u32, src: usize, len: u32, nonblock: bool, merge: bool, newFlags: u32): i32 {
  if (len == 0) return 0;
  lock(r);
  if (readers(r) == 0) {
    unlock(r);
    return EPIPE;
  }
  let ret: u32 = 0;
  const chars = len & (PAGE_SIZE - 1);
  if (merge && chars != 0 && !isEmpty(r)) {
    const s = slot(r, head(r) - 1);
    const offset = slotOffset(s) + slotLen(s);
    if ((slotFlags(s) & PIPE_BUF_FLAG_CAN_MERGE) != 0 && offset + chars <= PAGE_SIZE) {
      copyIn(pageAddr(slotPage(s)) + offset, space, src, chars);
      store<u32>(s + SL_LEN, slotLen(s) + chars);
      ret = chars;
    }
  }
  let result: i32 = 0;
  while (ret < len) {
    if (isFull(r)) {
      if (ret == 0) result = nonblock ? EAGAIN : BLOCK;
      break;
    }
    const page = pageAlloc();
    if (page < 0) {
      if (ret == 0) result = ENOMEM;
      break;
    }
    const n = min(PAGE_SIZE, len - ret);
    copyIn(pageAddr(<u32>page), space, src + ret, n);
    setSlot(slot(r, head(r)), <u32>page, 0, n, newFlags | OPS_ANON);
    setHead(r, head(r) + 1);
    ret += n;
  }
  unlock(r);
  if (ret > 0) bump(r);
  return ret > 0 ? <i32>ret : result;
}

/** Bytes a write could merge into ring `r`'s last buffer under pipeWrite's rule (0: none). */
export function mergeRoom(r: u32): u32 {
  if (isEmpty(r)) return 0;
  const s = slot(r, head(r) - 1);
  if ((slotFlags(s) & PIPE_BUF_FLAG_CAN_MERGE) == 0) return 0;
  return PAGE_SIZE - (slotOffset(s) + slotLen(s));
}

/** Copies `n` bytes at `src` in space `space` (0: this memory) to `dst` in this memory. */
function copyIn(dst: usize, space: u32, src: usize, n: u32): void {
  if (space == 0) {
    memory.copy(dst, src, n);
    return;
  }
  // Page by page of the source: a foreign page is named by its number.
  let done: u32 = 0;
  while (done < n) {
    const at = <u32>src + done;
    const m = min(n - done, PAGE_SIZE - (at & (PAGE_SIZE - 1)));
    copyOut(dst + done, FOREIGN | (space << SPACE_SHIFT) | (at >> PAGE_SHIFT), at & (PAGE_SIZE - 1), m);
    done += m;
  }
}

/**
 * anon_pipe_read() (fs/pipe.c) that moves instead of copying: up to `len`
 * bytes of buffers go from ring `r` to ring `into` (a reader's own, empty),
 * for the reader to copy out of their pages and then drop. A buffer taken
 * in part is split (the part taken gets a reference of its own); a PACKET
 * buffer ends the read and its rest is dropped. Returns the bytes taken,
 * 0 at EOF, or EAGAIN/BLOCK as pipeRead.
 *
 * When bytes were taken, `r` stays locked until the reader has copied them
 * and calls readDone(r): anon_pipe_read() copies under pipe->mutex, so a
 * writer sees the room only once the bytes are copied. Else a vmsplice'd
 * page its owner refills as soon as the room shows (the 2006 producer)
 * would be read refilled, where Linux reads it as it was.
 */
export function takeForRead(r: u32, into: u32, len: u32, nonblock: bool): i32 {
  if (len == 0) return 0;
  lock(r);
  let ret: u32 = 0;
  let h = head(into);
  const room = maxUsage(into) + tail(into);
  while (ret < len && !isEmpty(r) && h != room) {
    const s = slot(r, tail(r));
    const o = slot(into, h);
    const have = slotLen(s);
    let n = min(have, len - ret);
    const packet = (slotFlags(s) & PIPE_BUF_FLAG_PACKET) != 0;
    if (n == have || packet) {
      // The whole buffer moves; a packet read short loses its rest.
      copySlot(o, s);
      store<u32>(o + SL_LEN, n);
      setTail(r, tail(r) + 1);
    } else {
      pageGet(slotPage(s));
      tagGet(slotTag(s));
      setSlot(o, slotPage(s), slotOffset(s), n, slotFlags(s));
      setSlotTag(o, slotTag(s));
      store<u32>(s + SL_OFFSET, slotOffset(s) + n);
      store<u32>(s + SL_LEN, have - n);
    }
    h++;
    ret += n;
    if (packet) break;
  }
  setHead(into, h);
  if (ret > 0) return <i32>ret;
  unlock(r);
  return writers(r) != 0 ? (nonblock ? EAGAIN : BLOCK) : 0;
}

/** The reader of takeForRead() has copied what it took: `r` unlocks, and its writers may go on. */
export function readDone(r: u32): void {
  unlock(r);
  bump(r);
}

/** anon_pipe_read() (fs/pipe.c): a PACKET buffer ends the read and drops its rest. */
export function pipeRead(r: u32, dst: usize, len: u32, nonblock: bool): i32 {
  if (len == 0) return 0;
  lock(r);
  let ret: u32 = 0;
  let total = len;
  while (!isEmpty(r)) {
    const s = slot(r, tail(r));
    let chars = slotLen(s);
    if (chars > total) chars = total;
    copyOut(dst + ret, slotPage(s), slotOffset(s), chars);
    ret += chars;
    store<u32>(s + SL_OFFSET, slotOffset(s) + chars);
    store<u32>(s + SL_LEN, slotLen(s) - chars);
    if ((slotFlags(s) & PIPE_BUF_FLAG_PACKET) != 0) {
      total = chars;
      store<u32>(s + SL_LEN, 0);
    }
    if (slotLen(s) == 0) {
      releaseSlot(s);
      setTail(r, tail(r) + 1);
    }
    total -= chars;
    if (total == 0) break;
  }
  let result: i32 = <i32>ret;
  if (ret == 0 && writers(r) != 0) result = nonblock ? EAGAIN : BLOCK;
  unlock(r);
  if (ret > 0) bump(r);
  return result;
}

/**
 * vmsplice_to_user() via __splice_from_pipe(pipe_to_user) (fs/splice.c):
 * copies across buffer and packet boundaries into the iovecs at `iov`
 * (`niov` pairs of u32 address, u32 length), consuming what it copies.
 */
export function pipeToUser(r: u32, iov: usize, niov: u32, nonblock: bool): i32 {
  let total: u32 = 0;
  for (let i: u32 = 0; i < niov; i++) total += load<u32>(iov + (<usize>i << 3) + 4);
  if (total == 0) return 0;
  lock(r);
  if (isEmpty(r)) {
    const result: i32 = writers(r) == 0 ? 0 : nonblock ? EAGAIN : BLOCK;
    unlock(r);
    return result;
  }
  let done: u32 = 0;
  let seg: u32 = 0;
  let segOff: u32 = 0;
  while (!isEmpty(r) && done < total) {
    const s = slot(r, tail(r));
    let n = slotLen(s);
    if (n > total - done) n = total - done;
    // Scatter n bytes of this buffer over the iovecs.
    let copied: u32 = 0;
    while (copied < n) {
      const segLen = load<u32>(iov + (<usize>seg << 3) + 4);
      if (segOff == segLen) { seg++; segOff = 0; continue; }
      const segAddr = <usize>load<u32>(iov + (<usize>seg << 3));
      const m = min(n - copied, segLen - segOff);
      // A page of this memory may be copied onto itself (the kernel's forward memcpy); a foreign one never is.
      const page = slotPage(s);
      if (isForeign(page)) copyOut(segAddr + segOff, page, slotOffset(s) + copied, m);
      else copyForward(segAddr + segOff, pageAddr(page) + slotOffset(s) + copied, m);
      copied += m;
      segOff += m;
    }
    consumeTail(r, s, n);
    done += n;
  }
  unlock(r);
  bump(r);
  return <i32>done;
}

/**
 * splice to /dev/null (splice_write_null via __splice_from_pipe): consumes
 * up to `len` bytes in one pass; an empty pipe is EOF without writers.
 */
export function pipeDiscard(r: u32, len: u32, nonblock: bool): i32 {
  lock(r);
  if (isEmpty(r)) {
    const result: i32 = writers(r) == 0 ? 0 : nonblock ? EAGAIN : BLOCK;
    unlock(r);
    return result;
  }
  const base = slotBase(r), mask = ringMask(r), h = head(r);
  let t = tail(r);
  let done: u32 = 0;
  while (done < len && t != h) {
    const s = slotAt(base, mask, t);
    const have = slotLen(s);
    const n = min(have, len - done);
    done += n;
    if (n == have) {
      releaseSlot(s);
      t++;
    } else {
      store<u32>(s + SL_OFFSET, slotOffset(s) + n);
      store<u32>(s + SL_LEN, have - n);
    }
  }
  setTail(r, t);
  unlock(r);
  bump(r);
  return <i32>done;
}
