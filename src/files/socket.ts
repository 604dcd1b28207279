// AF_UNIX stream socket pairs (net/unix/af_unix.c). Each end receives into
// a ring of the core, so data spliced in and out moves by page reference.

import { POLLERR, POLLHUP, POLLIN, POLLOUT, O_NONBLOCK } from '../constants.js';
import { OpenFile } from './file.js';
import type { Kctx, Pos, Result } from './kctx.js';
import { BLOCK, EAGAIN, ECONNRESET, EPIPE } from './kctx.js';
import { nextSkbSize, SNDBUF, spliceTruesize, writeTruesize, type Skb } from './skb.js';

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
  constructor(readonly rx: number, flags: number) {
    super(flags);
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
    if (count === 0) return 0;
    if (this.shutdown) return EPIPE;
    let sent = 0;
    while (sent < count && this.canSend()) {
      const size = nextSkbSize(count - sent);
      const n = k.core.pipeWrite(this.peer.rx, src + sent, size, true, false, 0);
      if (n <= 0) break;
      this.peer.skbs.push({ len: n, truesize: writeTruesize(size) });
      sent += n;
      if (n < size) break;
    }
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
    return this.recv(k, len, nonblock || this.nonblock, (n) => k.core.move(this.rx, r, n, k.core.maxUsage(r), 0x300));
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
      const n = k.core.move(r, rx, len, k.core.occupancy(rx) + SPLICE_BVECS, 0xffffffff);
      if (n === 0) break;
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
  }
}

/** A connected pair: each end's rx ring has one reader (itself) and one writer (its peer). */
export function socketPair(k: Kctx, flags: number): [SocketEnd, SocketEnd] | Result {
  const ra = k.core.ringNew(1024);
  if (ra < 0) return ra;
  const rb = k.core.ringNew(1024);
  if (rb < 0) {
    k.core.ringFree(ra);
    return rb;
  }
  for (const r of [ra, rb]) {
    k.core.addReaders(r, 1);
    k.core.addWriters(r, 1);
  }
  const a = new SocketEnd(ra, flags);
  const b = new SocketEnd(rb, flags);
  a.peer = b;
  b.peer = a;
  return [a, b];
}
