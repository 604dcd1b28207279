// AF_UNIX messages (skbs) in a socket's receive ring: a linear piece in a
// kernel page, then fragments, each one slot that may span a compound page.

import { OPS_ANON, OPS_MASK, PAGE_SIZE, RING_CAP, ENOMEM, SL_OFFSET, SL_LEN } from "./layout";
import { compoundAlloc, copyOut, pageAddr, pageGet } from "./pages";
import {
  head, tail, setHead, setTail, slot, slotPage, slotOffset, slotLen, slotFlags, slotTag, setSlot,
  setSlotTag, isEmpty, occupancy, lock, unlock, lock2, unlock2, bump, releaseSlot,
} from "./ring";
import { tagGet } from "./tags";

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
 * One message of sendmsg(MSG_SPLICE_PAGES) from splice_to_socket(): up to
 * `len` bytes of ring `a`'s buffers become fragments in ring `b`, one per
 * page (skb_splice_from_iter() takes pages, so a compound buffer splits),
 * a piece continuing the previous fragment on the same page extending it
 * (skb_can_coalesce), at most `maxFrags` fragments. Pipe flags go.
 */
export function moveToSkb(a: u32, b: u32, len: u32, maxFrags: u32): u32 {
  lock2(a, b);
  let ret: u32 = 0;
  let frags: u32 = 0;
  let full = false;
  while (len > 0 && !isEmpty(a) && !full) {
    const ib = slot(a, tail(a));
    const tag = slotTag(ib);
    const flags = slotFlags(ib) & OPS_MASK;
    while (len > 0 && slotLen(ib) > 0) {
      const off = slotOffset(ib);
      const page = slotPage(ib) + (off >> 12);
      const po = off & (PAGE_SIZE - 1);
      const part = min(min(len, slotLen(ib)), PAGE_SIZE - po);
      const prev = frags > 0 ? slot(b, head(b) - 1) : 0;
      if (prev != 0 && slotPage(prev) == page && slotOffset(prev) + slotLen(prev) == po && slotTag(prev) == tag) {
        store<u32>(prev + SL_LEN, slotLen(prev) + part);
      } else {
        if (frags == maxFrags || occupancy(b) >= RING_CAP) { full = true; break; }
        pageGet(page);
        tagGet(tag);
        const ob = slot(b, head(b));
        setSlot(ob, page, po, part, flags);
        setSlotTag(ob, tag);
        setHead(b, head(b) + 1);
        frags++;
      }
      store<u32>(ib + SL_OFFSET, off + part);
      store<u32>(ib + SL_LEN, slotLen(ib) - part);
      ret += part;
      len -= part;
    }
    if (slotLen(ib) > 0) break;
    releaseSlot(ib);
    setTail(a, tail(a) + 1);
  }
  unlock2(a, b);
  if (ret > 0) { bump(a); bump(b); }
  return ret;
}

/** Bytes in the first `n` buffers of a ring (splice_to_socket's bvec batch). */
export function prefixBytes(r: u32, n: u32): u32 {
  let bytes: u32 = 0;
  for (let i = tail(r); i != head(r) && n > 0; i++, n--) bytes += slotLen(slot(r, i));
  return bytes;
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
  copyOut(pageAddr(frag) + fragOff, slotPage(s), slotOffset(s), n);
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
