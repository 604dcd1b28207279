// How much send-buffer space (sk_wmem_alloc) an AF_UNIX message charges:
// the skb's truesize, as unix_stream_sendmsg(), unix_dgram_sendmsg() and
// __alloc_skb() lay it out on x86_64 with 4 KiB pages.

import { PAGE_SIZE } from '../constants.js';

/** net.core.wmem_default: the send buffer limit (sk_sndbuf). */
export const SNDBUF = 212992;
/** SKB_MAX_HEAD(0): linear room in an order-0 head. */
const SKB_MAX_HEAD = 3776;
/** UNIX_SKB_FRAGS_SZ: paged part of one message. */
const UNIX_SKB_FRAGS_SZ = 32768;
/** SKB_DATA_ALIGN(sizeof(struct skb_shared_info)). */
const SHINFO = 320;
/** SKB_DATA_ALIGN(sizeof(struct sk_buff)). */
const SKB = 256;
/** The smallest kmalloc size class a head gets (measured: a 2-byte message charges 768). */
const MIN_HEAD = 512;
/** MAX_SKB_FRAGS: page fragments one message can carry. */
export const MAX_SKB_FRAGS = 17;
/** SKB_MAX_ALLOC, SKB_MAX_ORDER(0, 2): the largest linear part of a datagram. */
const SKB_MAX_ALLOC = (PAGE_SIZE << 2) - SHINFO;
/** unix_dgram_sendmsg(): a datagram longer than sk_sndbuf - 32 is EMSGSIZE. */
export const DGRAM_MAX = SNDBUF - 32;

/** One queued message: bytes not yet read and what it charges its sender. */
export interface Message {
  len: number;
  truesize: number;
}

/** A stream message, whose bytes not yet read may still be in the linear part. */
export interface Skb extends Message {
  linear: number;
}

/** How unix_stream_sendmsg() lays out a message of `size` bytes: linear part and frag sizes. */
export function skbLayout(size: number): { linear: number; frags: number[] } {
  const over = Math.max(0, size - SKB_MAX_HEAD);
  let dataLen = Math.min(size, Math.ceil(over / PAGE_SIZE) * PAGE_SIZE);
  const linear = size - dataLen;
  // alloc_skb_with_frags(): the largest order (at most 3) that the pages left fill.
  const frags: number[] = [];
  let pages = Math.ceil(dataLen / PAGE_SIZE);
  while (dataLen > 0) {
    let order = 3;
    while (order > 0 && pages < 1 << order) order--;
    const chunk = Math.min(dataLen, PAGE_SIZE << order);
    frags.push(chunk);
    dataLen -= chunk;
    pages -= 1 << order;
  }
  return { linear, frags };
}

/** The payload of the next message of a write() with `left` bytes to go. */
export function nextSkbSize(left: number): number {
  return Math.min(left, Math.floor(SNDBUF / 2) - 64, SKB_MAX_HEAD + UNIX_SKB_FRAGS_SZ);
}

/** truesize of a write() message of `size` bytes: a kmalloc'd head plus whole frag pages. */
export function writeTruesize(size: number): number {
  const over = Math.max(0, size - SKB_MAX_HEAD);
  const dataLen = Math.min(size, Math.ceil(over / PAGE_SIZE) * PAGE_SIZE);
  // alloc_skb_with_frags() charges whole pages, even when the data ends mid-page.
  return headTruesize(size - dataLen) + Math.ceil(dataLen / PAGE_SIZE) * PAGE_SIZE;
}

/** truesize of a message whose pages were spliced in (MSG_SPLICE_PAGES): empty head + bytes. */
export function spliceTruesize(size: number): number {
  return headTruesize(0) + size;
}

/**
 * truesize of a datagram of `size` bytes (unix_dgram_sendmsg()): past
 * SKB_MAX_ALLOC, up to 17 whole pages go in fragments, the rest in the head.
 */
export function dgramTruesize(size: number): number {
  const dataLen = size > SKB_MAX_ALLOC ? Math.ceil(Math.min(size - SKB_MAX_ALLOC, MAX_SKB_FRAGS * PAGE_SIZE) / PAGE_SIZE) * PAGE_SIZE : 0;
  return headTruesize(size - dataLen) + dataLen;
}

function headTruesize(linear: number): number {
  const obj = Math.ceil(linear / 64) * 64 + SHINFO;
  // kmalloc_size_roundup(): power-of-two classes, whole page orders past 8 KiB.
  const alloc = Math.max(MIN_HEAD, 2 ** Math.ceil(Math.log2(obj)));
  // SKB_TRUESIZE(SKB_WITH_OVERHEAD(alloc)): the head minus shinfo, plus sk_buff and shinfo.
  return alloc - SHINFO + SKB + SHINFO;
}
