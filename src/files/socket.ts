// AF_UNIX stream socket pairs (net/unix/af_unix.c). Each end receives into
// a ring of the core, so data spliced in and out moves by page reference.

import { POLLERR, POLLHUP, POLLIN, POLLOUT, O_NONBLOCK } from '../constants.js';
import { OpenFile } from './file.js';
import type { Kctx, Pos, Result } from './kctx.js';
import { BLOCK, EAGAIN, ECONNRESET, EPIPE } from './kctx.js';
import { nextSkbSize, SNDBUF, spliceTruesize, writeTruesize, type Skb } from './skb.js';

/** Slot flags that survive a trip through a socket: only who made the buffer. */
const OPS_ONLY = 0x300;
/** splice_to_socket() sends at most this many pipe buffers per message. */
const SPLICE_BVECS = 16;


export class SocketEnd extends OpenFile {
  peer!: SocketEnd;
  /** The peer has closed: SHUTDOWN_MASK on this side. */
  shutdown = false;
  /** sk_err: ECONNRESET when the peer closed with our data unread. */
  reset = false;
  closed = false;
  /** Messages queued in this end's rx ring, oldest first. */
  readonly skbs: Skb[] = [];
  /**
   * TCP-like acknowledgements: what this end sent stays referenced in the
   * `unacked` ring until `ackDelay` ms of the kernel's clock have passed.
   */
  unacked = -1;
  private readonly inFlight: { slots: number; due: number }[] = [];
  constructor(readonly rx: number, flags: number, readonly ackDelay?: number) {
    super(flags);
  }

  /** Keeps references to what was just queued at the peer, until acknowledged. */
  private holdUntilAck(k: Kctx, from: number): void {
    if (this.ackDelay === undefined) return;
    const slots = (k.core.ringHead(this.peer.rx) - from) >>> 0;
    if (slots === 0) return;
    k.core.cloneSlots(this.peer.rx, from, slots, this.unacked);
    this.inFlight.push({ slots, due: k.clock + this.ackDelay });
  }

  /** Releases everything acknowledged by now; true if anything was. */
  ack(k: Kctx): boolean {
    let slots = 0;
    while (this.inFlight.length > 0 && this.inFlight[0].due <= k.clock) slots += this.inFlight.shift()!.slots;
    if (slots > 0) k.core.dropSlots(this.unacked, slots);
    return slots > 0;
  }

  get nonblock(): boolean { return (this.flags & O_NONBLOCK) !== 0; }

  /** sk_wmem_alloc: 1 plus the truesize of every message of ours the peer has not read. */
  wmem(): number {
    if (this.shutdown) return 1;
    return this.peer.skbs.reduce((n, skb) => n + skb.truesize, 1);
  }

  /** sock_alloc_send_pskb() waits only while the charge is at the limit. */
  private canSend(): boolean {
    return this.wmem() < SNDBUF;
  }

  /** The reader took `n` bytes: finished messages uncharge their sender. */
  private consumed(n: number): void {
    while (n > 0 && this.skbs.length > 0) {
      const skb = this.skbs[0];
      const m = Math.min(n, skb.len);
      skb.len -= m;
      n -= m;
      if (skb.len === 0) this.skbs.shift();
    }
  }

  read(k: Kctx, dst: number, count: number, _pos: Pos): Result {
    return this.recv(k, count, this.nonblock, (n) => k.core.pipeRead(this.rx, dst, n, true));
  }

  /** unix_stream_read_generic(): data first, then a pending reset, then EOF. */
  private recv(k: Kctx, count: number, nonblock: boolean, take: (n: number) => Result): Result {
    if (count === 0) return 0;
    if (k.core.occupancy(this.rx) > 0) {
      const n = take(count);
      if (n > 0) this.consumed(n);
      return n;
    }
    if (this.reset) {
      this.reset = false;
      return ECONNRESET;
    }
    if (this.shutdown) return 0;
    return nonblock ? EAGAIN : BLOCK;
  }

  /** unix_stream_sendmsg(): one message at a time while the send buffer has room. */
  write(k: Kctx, src: number, count: number, _pos: Pos): Result {
    // The shutdown check comes first: even an empty write to a closed peer is EPIPE.
    if (this.shutdown) return EPIPE;
    if (count === 0) return 0;
    let sent = 0;
    const from = k.core.ringHead(this.peer.rx);
    while (sent < count && this.canSend()) {
      const size = nextSkbSize(count - sent);
      const n = k.core.pipeWrite(this.peer.rx, src + sent, size, true, false, 0);
      if (n <= 0) break;
      this.peer.skbs.push({ len: n, truesize: writeTruesize(size) });
      sent += n;
      if (n < size) break;
    }
    this.holdUntilAck(k, from);
    if (sent > 0) return sent;
    return this.nonblock ? EAGAIN : BLOCK;
  }

  override poll(k: Kctx): number {
    let mask = 0;
    if (this.reset) mask |= POLLERR;
    if (this.shutdown) mask |= POLLHUP | POLLIN;
    if (k.core.occupancy(this.rx) > 0) mask |= POLLIN;
    if (this.wmem() * 4 <= SNDBUF) mask |= POLLOUT;
    return mask;
  }

  override fionread(k: Kctx): Result { return k.core.ringBytes(this.rx); }

  /** unix_stream_splice_read(): buffers move by reference, their flags cleared. */
  override spliceRead(k: Kctx, _pos: Pos, r: number, len: number, nonblock: boolean): Result {
    return this.recv(k, len, nonblock || this.nonblock, (n) => k.core.move(this.rx, r, n, k.core.maxUsage(r), OPS_ONLY));
  }

  /**
   * splice_to_socket(): the pipe's buffers move to the peer by reference,
   * up to 16 buffers per message, while the send buffer has room.
   */
  override spliceWrite(k: Kctx, r: number, _pos: Pos, len: number, nonblock: boolean): Result {
    let spliced = 0;
    while (len > 0) {
      if (k.core.occupancy(r) === 0) {
        if (spliced > 0 || k.core.writers(r) === 0) break;
        return nonblock ? EAGAIN : BLOCK;
      }
      if (this.shutdown) return spliced > 0 ? spliced : EPIPE;
      if (!this.canSend()) {
        if (spliced > 0) break;
        return this.nonblock ? EAGAIN : BLOCK;
      }
      const rx = this.peer.rx;
      const from = k.core.ringHead(rx);
      // In an skb the pipe's buffer flags mean nothing: PACKET and CAN_MERGE go.
      const n = k.core.move(r, rx, len, k.core.occupancy(rx) + SPLICE_BVECS, OPS_ONLY);
      if (n === 0) break;
      this.holdUntilAck(k, from);
      this.peer.skbs.push({ len: n, truesize: spliceTruesize(n) });
      spliced += n;
      len -= n;
    }
    return spliced;
  }

  override release(k: Kctx): void {
    const peer = this.peer;
    this.closed = true;
    if (!peer.closed) {
      peer.shutdown = true;
      if (k.core.occupancy(this.rx) > 0) peer.reset = true;
      k.core.addWriters(peer.rx, -1);
    }
    k.core.ringFree(this.rx);
    if (this.unacked >= 0) k.core.ringFree(this.unacked);
  }
}

/** A connected pair: each end's rx ring has one reader (itself) and one writer (its peer). */
export function socketPair(k: Kctx, flags: number, ackDelay?: number): [SocketEnd, SocketEnd] | Result {
  const rings: number[] = [];
  for (let i = 0; i < (ackDelay === undefined ? 2 : 4); i++) {
    const r = k.core.ringNew(1024);
    if (r < 0) {
      for (const got of rings) k.core.ringFree(got);
      return r;
    }
    k.core.addReaders(r, 1);
    k.core.addWriters(r, 1);
    rings.push(r);
  }
  const a = new SocketEnd(rings[0], flags, ackDelay);
  const b = new SocketEnd(rings[1], flags, ackDelay);
  if (ackDelay !== undefined) {
    a.unacked = rings[2];
    b.unacked = rings[3];
  }
  a.peer = b;
  b.peer = a;
  return [a, b];
}
