// AF_UNIX messages (skbs) in a socket's receive ring: a linear piece in a
// kernel page, then fragments, each one slot that may span a compound page.

import { OPS_ANON, OPS_MASK, PAGE_SIZE, RING_CAP, ENOMEM, SL_OFFSET, SL_LEN, SL_SIZE } from "./layout";
import { compoundAlloc, pageAddr, pageGet, pagePut } from "./pages";
import {
  head, tail, setHead, setTail, slot, slotPage, slotOffset, slotLen, slotFlags, slotTag, setSlot,
  setSlotTag, isEmpty, isFull, occupancy, lock, unlock, lock2, unlock2, bump, releaseSlot,
} from "./ring";
import { tagGet, tagPut } from "./tags";

/** alloc_skb_with_frags(): a fragment of `len` bytes copied into a fresh compound page. */
export function addFragCopy(r: u32, src: usize, len: u32): i32 {
  const page = compoundAlloc((len + PAGE_SIZE - 1) / PAGE_SIZE);
  if (page < 0) return ENOMEM;
  memory.copy(pageAddr(<u32>page), src, len);
  lock(r);
  setSlot(slot(r, head(r)), <u32>page, 0, len, OPS_ANON);
  setHead(r, head(r) + 1);
  unlock(r);
  bump(r);
  return <i32>len;
}

/**
 * sendmsg(MSG_SPLICE_PAGES) from splice_to_socket(): up to `maxBufs` pipe
 * buffers (`len` bytes) of ring `a` become one message's fragments in ring
 * `b`; a piece that continues the previous fragment of this message on the
 * same page extends it (skb_can_coalesce). Pipe flags do not survive.
 */
export function moveToSkb(a: u32, b: u32, len: u32, maxBufs: u32): u32 {
  lock2(a, b);
  let ret: u32 = 0;
  let bufs: u32 = 0;
  let added: u32 = 0;
  while (len > 0 && !isEmpty(a) && bufs < maxBufs && occupancy(b) < RING_CAP) {
    const ib = slot(a, tail(a));
    const n = slotLen(ib);
    const take = min(n, len);
    const page = slotPage(ib);
    const off = slotOffset(ib);
    const tag = slotTag(ib);
    const prev = added > 0 ? slot(b, head(b) - 1) : 0;
    if (prev != 0 && slotPage(prev) == page && slotOffset(prev) + slotLen(prev) == off && slotTag(prev) == tag) {
      store<u32>(prev + SL_LEN, slotLen(prev) + take);
      if (take == n) {
        pagePut(page);
        tagPut(tag);
        setTail(a, tail(a) + 1);
      } else {
        store<u32>(ib + SL_OFFSET, off + take);
        store<u32>(ib + SL_LEN, n - take);
      }
    } else {
      const ob = slot(b, head(b));
      if (take == n) {
        memory.copy(ob, ib, SL_SIZE);
        setSlot(ob, page, off, take, slotFlags(ib) & OPS_MASK);
        setSlotTag(ob, tag);
        setTail(a, tail(a) + 1);
      } else {
        pageGet(page);
        tagGet(tag);
        setSlot(ob, page, off, take, slotFlags(ib) & OPS_MASK);
        setSlotTag(ob, tag);
        store<u32>(ib + SL_OFFSET, off + take);
        store<u32>(ib + SL_LEN, n - take);
      }
      setHead(b, head(b) + 1);
      added++;
    }
    bufs++;
    ret += take;
    len -= take;
  }
  unlock2(a, b);
  if (ret > 0) { bump(a); bump(b); }
  return ret;
}

/**
 * linear_to_page() + spd_fill_page(): `n` bytes of the linear piece at the
 * front of ring `rx` are copied into the task's fragment page at `fragOff`
 * and that becomes a pipe buffer (extending the previous one when
 * `coalesce` and contiguous on the same page: spd_can_coalesce).
 */
export function linearToPipe(rx: u32, r: u32, n: u32, frag: u32, fragOff: u32, coalesce: bool): i32 {
  lock2(rx, r);
  const s = slot(rx, tail(rx));
  memory.copy(pageAddr(frag) + fragOff, pageAddr(slotPage(s)) + slotOffset(s), n);
  store<u32>(s + SL_OFFSET, slotOffset(s) + n);
  store<u32>(s + SL_LEN, slotLen(s) - n);
  if (slotLen(s) == 0) {
    releaseSlot(s);
    setTail(rx, tail(rx) + 1);
  }
  const prev = slot(r, head(r) - 1);
  if (coalesce && !isEmpty(r) && slotPage(prev) == frag && slotOffset(prev) + slotLen(prev) == fragOff) {
    store<u32>(prev + SL_LEN, slotLen(prev) + n);
  } else {
    pageGet(frag);
    setSlot(slot(r, head(r)), frag, fragOff, n, OPS_ANON);
    setHead(r, head(r) + 1);
  }
  unlock2(rx, r);
  bump(rx);
  bump(r);
  return <i32>n;
}
