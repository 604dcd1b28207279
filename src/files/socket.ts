// AF_UNIX stream socket pairs (net/unix/af_unix.c). Each end receives into
// a ring of the core, so data spliced in and out moves by page reference.

import { POLLERR, POLLHUP, POLLIN, POLLOUT, O_NONBLOCK } from '../constants.js';
import { OpenFile } from './file.js';
import type { Kctx, Pos, Result } from './kctx.js';
import { BLOCK, EAGAIN, ECONNRESET, EPIPE } from './kctx.js';

/** net.core.wmem_default: the send buffer limit. */
export const SNDBUF = 212992;

export class SocketEnd extends OpenFile {
  peer!: SocketEnd;
  /** The peer has closed: SHUTDOWN_MASK on this side. */
  shutdown = false;
  /** sk_err: ECONNRESET when the peer closed with our data unread. */
  reset = false;
  closed = false;
  constructor(readonly rx: number, flags: number) {
    super(flags);
  }

  get nonblock(): boolean { return (this.flags & O_NONBLOCK) !== 0; }

  /** Bytes this end has sent that the peer has not read (sk_wmem_alloc). */
  wmem(k: Kctx): number {
    return this.shutdown ? 0 : k.core.ringBytes(this.peer.rx);
  }

  /** Room to send now, or a wait/error result. */
  private sendRoom(k: Kctx, nonblock: boolean): Result {
    if (this.shutdown) return EPIPE;
    const room = SNDBUF - this.wmem(k);
    if (room > 0) return room;
    return nonblock ? EAGAIN : BLOCK;
  }

  read(k: Kctx, dst: number, count: number, _pos: Pos): Result {
    return this.recv(k, count, this.nonblock, (n) => k.core.pipeRead(this.rx, dst, n, true));
  }

  /** unix_stream_read_generic(): data first, then a pending reset, then EOF. */
  private recv(k: Kctx, count: number, nonblock: boolean, take: (n: number) => Result): Result {
    if (count === 0) return 0;
    if (k.core.occupancy(this.rx) > 0) {
      return take(count);
    }
    if (this.reset) {
      this.reset = false;
      return ECONNRESET;
    }
    if (this.shutdown) return 0;
    return nonblock ? EAGAIN : BLOCK;
  }

  write(k: Kctx, src: number, count: number, _pos: Pos): Result {
    if (count === 0) return 0;
    const room = this.sendRoom(k, this.nonblock);
    if (room < 0) return room;
    return k.core.pipeWrite(this.peer.rx, src, Math.min(count, room), true, false, 0);
  }

  override poll(k: Kctx): number {
    let mask = 0;
    if (this.reset) mask |= POLLERR;
    if (this.shutdown) mask |= POLLHUP | POLLIN;
    if (k.core.occupancy(this.rx) > 0) mask |= POLLIN;
    if (this.wmem(k) * 4 <= SNDBUF) mask |= POLLOUT;
    return mask;
  }

  override fionread(k: Kctx): Result { return k.core.ringBytes(this.rx); }

  /** unix_stream_splice_read(): buffers move by reference, their flags cleared. */
  override spliceRead(k: Kctx, _pos: Pos, r: number, len: number, nonblock: boolean): Result {
    return this.recv(k, len, nonblock || this.nonblock, (n) => k.core.move(this.rx, r, n, k.core.maxUsage(r), 0x300));
  }

  /** splice_to_socket(): the pipe's buffers move to the peer by reference. */
  override spliceWrite(k: Kctx, r: number, _pos: Pos, len: number, nonblock: boolean): Result {
    if (k.core.occupancy(r) === 0) {
      if (k.core.writers(r) === 0) return 0;
      return nonblock ? EAGAIN : BLOCK;
    }
    const room = this.sendRoom(k, this.nonblock);
    if (room < 0) return room;
    return k.core.move(r, this.peer.rx, Math.min(len, room), 1024, 0xffffffff);
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
