// What every AF_UNIX socket end has, whatever its type (net/unix/af_unix.c):
// a receive queue (a ring of the core holding the bytes, and the messages'
// lengths and charges here), a peer, and a send buffer that the truesize of
// its messages still queued at the peer fills.

import { O_NONBLOCK } from '../constants.js';
import { OpenFile } from './file.js';
import type { Kctx, Pos, Result } from './kctx.js';
import { BLOCK, EAGAIN } from './kctx.js';
import { SNDBUF, type Message } from './skb.js';

/** splice_to_socket() gathers at most this many pipe buffers per sendmsg. */
const SPLICE_BVECS = 16;

export abstract class UnixSocket<M extends Message = Message> extends OpenFile {
  abstract readonly peer: UnixSocket<M>;
  /** SOCK_STREAM, SOCK_DGRAM or SOCK_SEQPACKET. */
  abstract readonly type: number;
  /** The last fd has gone: SOCK_DEAD. */
  closed = false;
  /** Messages queued in this end's rx ring, oldest first. */
  readonly skbs: M[] = [];

  constructor(
    readonly rx: number,
    flags: number,
  ) {
    super(flags);
  }

  get nonblock(): boolean {
    return (this.flags & O_NONBLOCK) !== 0;
  }
  /** sock_fasync(). */
  override get fasync(): boolean {
    return true;
  }

  /** sk_wmem_alloc: 1 (the socket's own bias) plus the truesize of every message of ours the peer has not read. */
  wmem(): number {
    return this.peer.skbs.reduce((n, skb) => n + skb.truesize, 1);
  }

  /** sock_alloc_send_pskb() waits only while sk_wmem_alloc_get() (no bias) is at the limit. */
  protected canSend(): boolean {
    return this.wmem() - 1 < SNDBUF;
  }

  /** canSend(), and the peer's ring has `slots` free for the message (see newRings). */
  protected canQueue(k: Kctx, slots: number): boolean {
    const rx = this.peer.rx;
    return this.canSend() && k.core.ringSize(rx) - k.core.occupancy(rx) >= slots;
  }

  /** unix_writable(): sk_wmem_alloc at most a quarter of sk_sndbuf. */
  protected roomToWrite(): boolean {
    return this.wmem() * 4 <= SNDBUF;
  }

  /**
   * sendmsg() of the first `len` bytes of pipe ring `r` (MSG_SPLICE_PAGES):
   * the count sent, which leaves the pipe, or an error.
   */
  protected abstract sendPages(k: Kctx, r: number, len: number): Result;

  /** What a peer still open learns when this end goes. */
  protected abstract tellPeerClosed(k: Kctx): void;

  /**
   * splice_to_socket(): batches of up to 16 pipe buffers to sendmsg while
   * the pipe has data; `nonblock` decides only whether an empty pipe waits.
   */
  override spliceWrite(k: Kctx, r: number, _pos: Pos, len: number, nonblock: boolean): Result {
    let spliced = 0;
    while (len > 0) {
      if (k.core.occupancy(r) === 0) {
        if (spliced > 0 || k.core.writers(r) === 0) break;
        return nonblock ? EAGAIN : BLOCK;
      }
      const batch = Math.min(len, k.core.prefixBytes(r, SPLICE_BVECS));
      const sent = batch === 0 ? 0 : this.sendPages(k, r, batch);
      if (sent <= 0) return spliced > 0 ? spliced : sent;
      spliced += sent;
      len -= sent;
    }
    return spliced;
  }

  /** unix_release_sock(): the peer is told, the receive queue thrown out (uncharging the peer). */
  override release(k: Kctx): void {
    this.closed = true;
    if (!this.peer.closed) {
      this.tellPeerClosed(k);
      k.core.addWriters(this.peer.rx, -1);
    }
    this.skbs.length = 0;
    k.core.ringFree(this.rx);
  }
}

/**
 * Receive rings for a new pair, each with one reader (its end) and one
 * writer (the peer); `n` of them, or none and the error.
 *
 * Each has a ring's most slots (the core's ringCap(), 1024), a fragment a
 * slot. A written message is charged at least an empty skb's truesize
 * (768) a slot, so writes alone never fill it before SNDBUF does
 * (2 * SNDBUF / 768 < 1024). A spliced message is charged 768 plus its
 * bytes for up to 17 fragments, so 1-byte pieces could queue about 4,600
 * fragments on Linux; here a full ring makes the sender wait as a full
 * send buffer does (canQueue; README, Unlike Linux).
 */
export function newRings(k: Kctx, n: number): number[] | number {
  const rings: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = k.core.ringNew(k.core.ringCap());
    if (r < 0) {
      for (const got of rings) k.core.ringFree(got);
      return r;
    }
    k.core.addReaders(r, 1);
    k.core.addWriters(r, 1);
    rings.push(r);
  }
  return rings;
}
