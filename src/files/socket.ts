// AF_UNIX stream socket pairs (net/unix/af_unix.c). Each end receives into
// a ring of the core holding its messages' pieces: a linear piece, then
// fragments (write), or the spliced pages themselves (splice), so data
// spliced in and out moves by page reference.

import { PAGE_SIZE, POLLERR, POLLHUP, POLLIN, POLLOUT, SOCK_STREAM } from '../constants.js';
import type { Kctx, Pos, Result } from './kctx.js';
import { BLOCK, EAGAIN, ECONNRESET, ENOMEM, EPIPE } from './kctx.js';
import { MAX_SKB_FRAGS, nextSkbSize, skbLayout, spliceTruesize, writeTruesize, type Skb } from './skb.js';
import { newRings, UnixSocket } from './unix.js';

/** Slot flags that survive a trip through a socket: only who made the buffer. */
const OPS_ONLY = 0x300;
/** The task's page fragment (current->task_frag): 32 KiB, SKB_FRAG_PAGE_ORDER. */
const FRAG_PAGES = 8;

/** current->task_frag: where linear_to_page() copies linear data for splice. */
export interface TaskFrag {
  page: number;
  offset: number;
  size: number;
}

export class SocketEnd extends UnixSocket<Skb> {
  peer!: SocketEnd;
  readonly type = SOCK_STREAM;
  /** The peer has closed: SHUTDOWN_MASK on this side. */
  shutdown = false;
  /** sk_err: ECONNRESET when the peer closed with our data unread. */
  reset = false;
  /**
   * TCP-like acknowledgements: what this end sent stays referenced in the
   * `unacked` ring until `ackDelay` ms of the kernel's clock have passed.
   */
  unacked = -1;
  private readonly inFlight: { slots: number; due: number }[] = [];

  constructor(
    rx: number,
    flags: number,
    readonly ackDelay?: number,
  ) {
    super(rx, flags);
  }

  /** The reader took `n` bytes: finished messages uncharge their sender. */
  private consumed(n: number): void {
    while (n > 0 && this.skbs.length > 0) {
      const skb = this.skbs[0];
      const m = Math.min(n, skb.len);
      skb.len -= m;
      skb.linear = Math.max(0, skb.linear - m);
      n -= m;
      if (skb.len === 0) this.skbs.shift();
    }
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

  /** unix_stream_read_generic(): data first, then a pending reset, then EOF. */
  private recv(k: Kctx, count: number, nonblock: boolean, take: (n: number) => Result): Result {
    if (count === 0) return 0;
    if (k.core.occupancy(this.rx) > 0) return take(count);
    if (this.reset) {
      this.reset = false;
      return ECONNRESET;
    }
    if (this.shutdown) return 0;
    return nonblock ? EAGAIN : BLOCK;
  }

  read(k: Kctx, dst: number, count: number, _pos: Pos): Result {
    return this.recv(k, count, this.nonblock, (n) => {
      const got = k.core.pipeRead(this.rx, dst, n, true);
      if (got > 0) this.consumed(got);
      return got;
    });
  }

  /** unix_stream_sendmsg(): one message at a time while the send buffer has room. */
  write(k: Kctx, src: number, count: number, _pos: Pos): Result {
    // The shutdown check comes first: even an empty write to a closed peer is EPIPE.
    if (this.shutdown) return EPIPE;
    if (count === 0) return 0;
    let sent = 0;
    const from = k.core.ringHead(this.peer.rx);
    while (sent < count) {
      const size = nextSkbSize(count - sent);
      if (!this.canQueue(k, 1 + skbLayout(size).frags.length)) break;
      if (!this.queueMessage(k, src + sent, size)) break;
      sent += size;
    }
    this.holdUntilAck(k, from);
    if (sent > 0) return sent;
    return this.nonblock ? EAGAIN : BLOCK;
  }

  /** One message into the peer's ring: linear piece, then fragments; false if memory ran out. */
  private queueMessage(k: Kctx, src: number, size: number): boolean {
    const { linear, frags } = skbLayout(size);
    const rx = this.peer.rx;
    if (linear > 0 && k.core.pipeWrite(rx, src, linear, true, false, 0) !== linear) return false;
    let at = src + linear;
    for (const chunk of frags) {
      if (k.core.addFragCopy(rx, at, chunk) !== chunk) return false;
      at += chunk;
    }
    this.peer.skbs.push({ len: size, linear, truesize: writeTruesize(size) });
    return true;
  }

  override poll(k: Kctx): number {
    let mask = 0;
    if (this.reset) mask |= POLLERR;
    if (this.shutdown) mask |= POLLHUP | POLLIN;
    if (k.core.occupancy(this.rx) > 0) mask |= POLLIN;
    if (this.roomToWrite()) mask |= POLLOUT;
    return mask;
  }

  override fionread(k: Kctx): Result {
    return k.core.ringBytes(this.rx);
  }

  /**
   * unix_stream_splice_read(): message by message into the pipe while it has
   * room (skb_splice_bits): the linear part is copied into the task's page
   * fragment, fragments go by reference. A message not spliced whole ends it.
   */
  override spliceRead(k: Kctx, _pos: Pos, r: number, len: number, nonblock: boolean): Result {
    return this.recv(k, len, nonblock || this.nonblock, () => {
      let done = 0;
      while (done < len && this.skbs.length > 0 && !k.core.ringFull(r)) {
        const skb = this.skbs[0];
        const chunk = Math.min(len - done, skb.len);
        const n = this.spliceMessage(k, skb, chunk, r);
        if (n < 0) return done > 0 ? done : n;
        this.consumed(n);
        done += n;
        if (n < chunk || skb.len > 0) break;
      }
      return done;
    });
  }

  /** skb_splice_bits() for one message: `chunk` bytes at most. */
  private spliceMessage(k: Kctx, skb: Skb, chunk: number, r: number): Result {
    let done = 0;
    let coalesce = false;
    while (done < Math.min(chunk, skb.linear) && !k.core.ringFull(r)) {
      const frag = taskFragRefill(k);
      if (frag === undefined) return done > 0 ? done : ENOMEM;
      const n = Math.min(Math.min(chunk, skb.linear) - done, frag.size - frag.offset);
      k.core.linearToPipe(this.rx, r, n, frag.page, frag.offset, coalesce);
      frag.offset += n;
      done += n;
      coalesce = true;
    }
    if (done < chunk && done >= skb.linear) {
      done += k.core.move(this.rx, r, chunk - done, k.core.maxUsage(r), OPS_ONLY);
    }
    return done;
  }

  /**
   * unix_stream_sendmsg() with MSG_SPLICE_PAGES: messages of at most 17
   * page fragments while the send buffer has room; the pages move to the
   * peer by reference.
   */
  protected sendPages(k: Kctx, r: number, len: number): Result {
    if (this.shutdown) return EPIPE;
    let sent = 0;
    while (sent < len) {
      if (!this.canQueue(k, 1)) return sent > 0 ? sent : this.nonblock ? EAGAIN : BLOCK;
      const rx = this.peer.rx;
      const from = k.core.ringHead(rx);
      const n = k.core.moveToSkb(r, rx, len - sent, MAX_SKB_FRAGS);
      if (n === 0) break;
      this.holdUntilAck(k, from);
      this.peer.skbs.push({ len: n, linear: 0, truesize: spliceTruesize(n) });
      sent += n;
    }
    return sent;
  }

  /** The peer may not write any more; our data it never read resets it. */
  protected tellPeerClosed(k: Kctx): void {
    this.peer.shutdown = true;
    if (k.core.occupancy(this.rx) > 0) this.peer.reset = true;
  }

  override release(k: Kctx): void {
    super.release(k);
    if (this.unacked >= 0) k.core.ringFree(this.unacked);
  }
}

/**
 * skb_page_frag_refill(32, ...): reuse the fragment page from the start when
 * nobody else holds it, keep filling it while 32 bytes fit, else a new one.
 */
function taskFragRefill(k: Kctx): TaskFrag | undefined {
  const frag = k.taskFrag;
  if (frag.page >= 0) {
    if (k.core.pageRefs(frag.page) === 1) {
      frag.offset = 0;
      return frag;
    }
    if (frag.offset + 32 <= frag.size) return frag;
    k.core.pagePut(frag.page);
    frag.page = -1;
  }
  const page = k.core.compoundAlloc(FRAG_PAGES);
  if (page < 0) return undefined;
  Object.assign(frag, { page, offset: 0, size: FRAG_PAGES * PAGE_SIZE });
  return frag;
}

/** A connected pair; with `ackDelay`, each end also keeps what it sent in a ring of its own until acknowledged. */
export function streamPair(k: Kctx, flags: number, ackDelay?: number): [SocketEnd, SocketEnd] | Result {
  const rings = newRings(k, ackDelay === undefined ? 2 : 4);
  if (typeof rings === 'number') return rings;
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
