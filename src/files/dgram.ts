// AF_UNIX SOCK_DGRAM and SOCK_SEQPACKET pairs (net/unix/af_unix.c:
// unix_dgram_sendmsg(), __unix_dgram_recvmsg() and the seqpacket wrappers
// around them). A write is one message, whole or not at all; a read takes
// one message and drops what did not fit. The bytes sit in the receiving
// end's ring, the boundaries and charges in `skbs`. These types have no
// splice_read: splice and sendfile out of them go through read_iter
// (copy_splice_read()), and splice into them sends each batch of pipe
// buffers as one message (splice_to_socket()).

import { PAGE_SIZE, POLLERR, POLLHUP, POLLIN, POLLOUT, SOCK_SEQPACKET } from '../constants.js';
import type { Kctx, Pos, Result } from './kctx.js';
import { BLOCK, EAGAIN, ECONNREFUSED, ECONNRESET, EMSGSIZE, ENOBUFS, ENOMEM, ENOTCONN, EPIPE } from './kctx.js';
import { PIPE_BUF_FLAG_CAN_MERGE } from './pipe.js';
import { dgramTruesize, DGRAM_MAX } from './skb.js';
import { newRings, UnixSocket } from './unix.js';

export class DgramSocket extends UnixSocket {
  peer!: DgramSocket;
  /** unix_peer(sk): a datagram end forgets a dead peer at its next send. */
  connected = true;
  /** The peer has closed (SOCK_SEQPACKET only): SHUTDOWN_MASK on this side. */
  shutdown = false;
  /** sk_err: ECONNRESET (SOCK_SEQPACKET only) when the peer closed with messages unread. */
  reset = false;

  constructor(
    rx: number,
    flags: number,
    readonly type: number,
  ) {
    super(rx, flags);
  }

  /** sock_error(): the pending error, cleared as it is reported. */
  private takeError(): Result {
    if (!this.reset) return 0;
    this.reset = false;
    return ECONNRESET;
  }

  /** __unix_dgram_recvmsg(): the next message into `dst`, `count` bytes of it at most. */
  private recv(k: Kctx, dst: number, count: number): Result {
    // sock_read_iter(): reading nothing returns before the socket is asked.
    if (count === 0) return 0;
    // __skb_try_recv_datagram(): a pending error comes before queued messages.
    const err = this.takeError();
    if (err) return err;
    const skb = this.skbs.shift();
    if (skb === undefined) {
      // EOF once a seqpacket peer has gone; a datagram pair is never shut down, so it waits.
      if (this.shutdown) return 0;
      return this.nonblock ? EAGAIN : BLOCK;
    }
    const n = Math.min(count, skb.len);
    if (n > 0) k.core.pipeRead(this.rx, dst, n, true);
    // A short read truncates the message (MSG_TRUNC): the rest goes with it.
    if (skb.len > n) k.core.pipeDiscard(this.rx, skb.len - n, true);
    return n;
  }

  read(k: Kctx, dst: number, count: number, _pos: Pos): Result {
    return this.recv(k, dst, count);
  }

  /**
   * The checks of a send of `len` bytes in Linux's order, before anything
   * is queued: 0 when it may go. unix_seqpacket_sendmsg() reports a pending
   * error first; unix_dgram_sendmsg() then wants a peer and a size below
   * the send buffer, sock_alloc_send_pskb() no shutdown and room, and last
   * a dead peer makes a datagram end let go of it.
   */
  private maySend(k: Kctx, len: number): Result {
    const err = this.takeError();
    if (err) return err;
    if (!this.connected) return ENOTCONN;
    if (len > DGRAM_MAX) return EMSGSIZE;
    if (this.shutdown) return EPIPE;
    if (!this.canSend()) return this.nonblock ? EAGAIN : BLOCK;
    // alloc_skb_with_frags(): no memory for the whole message.
    if (k.core.freeKernelPages() < this.pagesFor(k, len)) return ENOBUFS;
    if (this.peer.closed) {
      // unix_dgram_disconnected(): what the dead peer sent and we did not read goes too.
      this.connected = false;
      this.dropAll(k);
      return ECONNREFUSED;
    }
    // The peer's queue length (sk_max_ack_backlog) stops only a sender the
    // receiver is not connected back to: never one end of a pair.
    return 0;
  }

  /** New pages `len` bytes take in the peer's ring: queue() packs a sub-page tail into the last page where it fits. */
  private pagesFor(k: Kctx, len: number): number {
    const tail = len % PAGE_SIZE;
    const packed = tail !== 0 && tail <= k.core.mergeRoom(this.peer.rx) ? tail : 0;
    return Math.ceil((len - packed) / PAGE_SIZE);
  }

  /**
   * skb_queue_tail() at the peer. Small messages pack into the ring's pages
   * (a CAN_MERGE slot never reaches a pipe: splice copies out of a socket).
   */
  private queue(k: Kctx, src: number, len: number): void {
    const got = len === 0 ? 0 : k.core.pipeWrite(this.peer.rx, src, len, true, true, PIPE_BUF_FLAG_CAN_MERGE);
    // maySend() saw the pages free, but another thread (a guest writing its
    // pipes) may take some first: the message then keeps what went in.
    const n = Math.max(0, got);
    this.peer.skbs.push({ len: n, truesize: dgramTruesize(n) });
  }

  /** unix_seqpacket_sendmsg() and unix_dgram_sendmsg(). */
  write(k: Kctx, src: number, count: number, _pos: Pos): Result {
    const ok = this.maySend(k, count);
    if (ok !== 0) return ok;
    this.queue(k, src, count);
    return count;
  }

  /** Throws out every message received (the ring stays). */
  private dropAll(k: Kctx): void {
    const bytes = k.core.ringBytes(this.rx);
    if (bytes > 0) k.core.pipeDiscard(this.rx, bytes, true);
    this.skbs.length = 0;
  }

  /** unix_dgram_poll(), for seqpacket ends too. */
  override poll(_k: Kctx): number {
    let mask = 0;
    if (this.reset) mask |= POLLERR;
    if (this.shutdown) mask |= POLLIN | POLLHUP;
    if (this.skbs.length > 0) mask |= POLLIN;
    // As in maySend, the peer's queue length never gates one end of a pair.
    if (this.roomToWrite()) mask |= POLLOUT;
    return mask;
  }

  /** unix_inq_len(): a datagram end counts its next message, a seqpacket end all of them. */
  override fionread(k: Kctx): Result {
    if (this.type === SOCK_SEQPACKET) return k.core.ringBytes(this.rx);
    return this.skbs[0]?.len ?? 0;
  }

  /**
   * copy_splice_read(): pages for `len` bytes first (the syscall capped it
   * at the pipe's free slots), then one message read into them. The read
   * waits unless the socket is O_NONBLOCK: SPLICE_F_NONBLOCK does not reach
   * read_iter.
   */
  override spliceRead(k: Kctx, _pos: Pos, r: number, len: number, _nonblock: boolean): Result {
    // alloc_pages_bulk(): fewer pages than asked read less.
    const pages = Math.min(Math.ceil(len / PAGE_SIZE), k.core.freeKernelPages());
    if (pages === 0) return ENOMEM;
    const got = this.recv(k, k.stage, Math.min(len, pages * PAGE_SIZE));
    if (got <= 0) return got;
    return k.core.addCopiedPages(r, k.stage, got);
  }

  /**
   * sendmsg() of a batch of pipe buffers: one message, copied in
   * (unix_dgram_sendmsg() takes no MSG_SPLICE_PAGES). The socket's
   * O_NONBLOCK decides whether a full send buffer waits.
   */
  protected sendPages(k: Kctx, r: number, len: number): Result {
    const ok = this.maySend(k, len);
    if (ok !== 0) return ok;
    new Uint32Array(k.mem.buffer, k.args, 2).set([k.stage, len]);
    k.core.pipeToUser(r, k.args, 1, true);
    this.queue(k, k.stage, len);
    return len;
  }

  /**
   * A seqpacket peer may not write any more, and messages left unread
   * reset it, but an empty one at the head is passed over (the test is
   * meant for a consumed out-of-band byte). A datagram peer learns at its
   * next send.
   */
  protected tellPeerClosed(_k: Kctx): void {
    if (this.type !== SOCK_SEQPACKET) return;
    this.peer.shutdown = true;
    const head = this.skbs[0];
    if (head !== undefined && (head.len > 0 || this.skbs.length > 1)) this.peer.reset = true;
  }
}

/** unix_socketpair() of two SOCK_DGRAM or SOCK_SEQPACKET ends. */
export function dgramPair(k: Kctx, type: number, flags: number): [DgramSocket, DgramSocket] | Result {
  const rings = newRings(k, 2);
  if (typeof rings === 'number') return rings;
  const a = new DgramSocket(rings[0], flags, type);
  const b = new DgramSocket(rings[1], flags, type);
  a.peer = b;
  b.peer = a;
  return [a, b];
}
