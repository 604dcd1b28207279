// The calls a guest's own thread runs itself, as Linux runs a syscall in the
// calling task: reads, writes, vmsplice, splice and tee on pipe ends, their
// sizes and readiness, on this thread's core instance over the machine's
// memory, sleeping with Atomics.wait on the ring where Linux would sleep.
// Whatever else (files, sockets, the fd table's changes) goes to the
// machine's thread. The process's fd mirror (fdmirror.ts) says which fds
// are pipe ends.

import {
  F_GETFL,
  F_GETPIPE_SZ,
  FIONREAD,
  MAX_RW_COUNT,
  O_DIRECT,
  O_NONBLOCK,
  O_RDONLY,
  O_WRONLY,
  PAGE_SIZE,
  POLLERR,
  POLLHUP,
  POLLIN,
  POLLNVAL,
  POLLOUT,
  SPLICE_F_ALL,
  SPLICE_F_GIFT,
  SPLICE_F_NONBLOCK,
  UIO_MAXIOV,
} from '../constants.js';
import { BLOCK, instantiateCore, LAYOUT, type CoreExports } from '../core.js';
import { errnoName, SyscallError } from '../errors.js';
import { FdMirror, MIRROR_NONBLOCK, MIRROR_NULL, MIRROR_PACKET, MIRROR_READ, MIRROR_WRITE } from '../fdmirror.js';
import { PIPE_BUF_FLAG_CAN_MERGE, PIPE_BUF_FLAG_PACKET } from '../files/pipe.js';
import type { FdView } from '../snapshot.js';
import { LinearMemory } from '../linear.js';
import { Spaces } from '../spaces.js';
import type { IoVec, PollFd } from '../types.js';

/** What the guest's thread is given to run calls itself (see spawn-with.ts). */
export interface LocalStart {
  /** The process's fd mirror. */
  mirror: SharedArrayBuffer;
  nofile: number;
  /** An empty ring of the machine's for this thread's reads. */
  scratch: number;
  /** The core thread id this thread attaches as (its locks are let go if it dies). */
  tid: number;
  /** Process memories known when it started; the count of spaces made so far, shared. */
  spaces: [number, WebAssembly.Memory][];
  spaceGen: SharedArrayBuffer;
  /** The machine's zero page, and whether it maps it (see LinearMemory). */
  zeroPage: number;
  sharedZeroPage: boolean;
}

/** A call this thread does not run itself: the caller asks the machine's thread. */
export const NOT_HERE = Symbol('not here');

/** How long to poll a ring before sleeping on it (a sleep costs more than a little polling). */
const SPIN_MS = 0.01;
/** Longest sleep before looking again: a missed wake-up costs a retry, never a hang. */
const WAIT_MS = 100;

export class LocalCalls {
  private readonly core: CoreExports;
  private readonly words: Int32Array;
  private readonly mirror: FdMirror;
  private readonly spaces: Spaces;
  private readonly gen: Int32Array;
  private knownGen: number;
  /** The guest's memory as vmsplice maps it (the zero-page rule included). */
  private readonly own: LinearMemory | undefined;
  /** Entries for vmsplice: at the staging buffer's end, in the machine's memory. */
  private readonly entries: number;

  /**
   * @param memory the machine's memory; @param pages its pool page 0;
   * @param linear the guest's memory and its space, when the machine maps it;
   * @param staging the process's staging buffer in the machine's memory;
   * @param learn fetches process memories made since (false where this thread cannot).
   */
  constructor(
    private readonly s: LocalStart,
    memory: WebAssembly.Memory,
    pages: number,
    private readonly linear: { memory: WebAssembly.Memory; space: number } | undefined,
    private readonly staging: { addr: number; size: number },
    private readonly learn: () => [number, WebAssembly.Memory][] | false,
  ) {
    this.spaces = new Spaces(memory, pages);
    for (const [space, m] of s.spaces) this.spaces.set(space, m);
    if (linear) this.spaces.set(linear.space, linear.memory);
    this.core = instantiateCore(memory, true, this.spaces.copy);
    if (this.core.attach(s.tid) === 0) throw new Error('no machine in this memory');
    // A Worker's thread sleeps for a lock whose holder is not running (it already sleeps on rings).
    this.core.setMaySleep(true);
    this.words = new Int32Array(memory.buffer);
    this.mirror = new FdMirror(s.nofile, s.mirror);
    this.gen = new Int32Array(s.spaceGen);
    this.knownGen = s.spaces.length;
    // Room for UIO_MAXIOV page-spanning iovecs' entries (12 bytes each, a few per iovec).
    this.entries = staging.addr + staging.size - 64 * 1024;
    this.own = linear ? new LinearMemory(s, linear.memory, linear.space) : undefined;
  }

  // ---- the calls -------------------------------------------------------------------

  /** read(2) into `dst` (a view of the guest's memory, or any bytes). */
  readInto(fd: number, dst: Uint8Array): number | typeof NOT_HERE {
    if (this.mirror.kind(fd) !== MIRROR_READ || !this.knowsEverySpace()) return NOT_HERE;
    const r = this.mirror.ring(fd);
    const len = Math.min(dst.length, MAX_RW_COUNT, this.core.ringSize(this.s.scratch) * PAGE_SIZE);
    const n = this.blocking('read', r, () => this.core.takeForRead(r, this.s.scratch, len, this.nonblock(fd)));
    if (n > 0) this.copyOut(r, dst, n);
    return n;
  }

  read(fd: number, count: number): Uint8Array | typeof NOT_HERE {
    if (this.mirror.kind(fd) !== MIRROR_READ) return NOT_HERE;
    const buf = new Uint8Array(Math.min(count, 1 << 20));
    const n = this.readInto(fd, buf);
    return n === NOT_HERE ? n : buf.subarray(0, n);
  }

  /**
   * write(2), all of it unless the fd is non-blocking (`first` false: the
   * rest of a write that waited, which merges into no earlier page).
   */
  write(fd: number, data: Uint8Array, first = true): number | typeof NOT_HERE {
    // /dev/null takes everything (write_null).
    if (this.mirror.kind(fd) === MIRROR_NULL) return Math.min(data.length, MAX_RW_COUNT);
    if (this.mirror.kind(fd) !== MIRROR_WRITE) return NOT_HERE;
    const r = this.mirror.ring(fd);
    const nonblock = this.nonblock(fd);
    const newFlags = this.mirror.flags(fd) & MIRROR_PACKET ? PIPE_BUF_FLAG_PACKET : PIPE_BUF_FLAG_CAN_MERGE;
    const src = this.source(data);
    const len = Math.min(data.length, MAX_RW_COUNT);
    if (len === 0) return this.check('write', this.core.pipeWriteFrom(r, src.space, src.addr, 0, nonblock, first, newFlags));
    let done = 0;
    while (done < len) {
      let got: number;
      try {
        got = this.blocking('write', r, () => this.core.pipeWriteFrom(r, src.space, src.addr + done, len - done, nonblock, first && done === 0, newFlags));
      } catch (e) {
        if (done > 0) return done; // the partial count stands, as in Linux
        throw e;
      }
      done += got;
      if (nonblock) break;
    }
    return done;
  }

  /** vmsplice(2) into a pipe from the guest's own memory: its pages go in by reference. */
  vmsplice(fd: number, iov: IoVec[], flags: number): number | typeof NOT_HERE {
    const own = this.own;
    if (this.mirror.kind(fd) !== MIRROR_WRITE || !own || flags & ~SPLICE_F_ALL || iov.length > UIO_MAXIOV) return NOT_HERE;
    if (iov.some((v) => v.buf.space !== own.space || !own.contains(v.offset, v.length))) return NOT_HERE;
    const total = iov.reduce((n, v) => n + v.length, 0);
    if (total === 0) return 0;
    const r = this.mirror.ring(fd);
    const out = new Uint32Array(this.words.buffer, this.entries, (64 * 1024) / 4);
    let n = 0;
    let left = Math.min(total, MAX_RW_COUNT);
    for (const v of iov) {
      const len = Math.min(v.length, left);
      if (len > 0) n = own.entries(out, n, v.offset, len);
      left -= len;
      if (left === 0) break;
    }
    const gift = (flags & SPLICE_F_GIFT) !== 0;
    const nonblock = (flags & SPLICE_F_NONBLOCK) !== 0;
    return this.blocking('vmsplice', r, () => this.core.vmspliceToPipe(r, this.entries, n, gift, nonblock, 0));
  }

  /** splice(2) between two pipes, or from a pipe to /dev/null (the splices that stay in this thread). */
  splice(fdIn: number, offIn: unknown, fdOut: number, offOut: unknown, len: number, flags: number): number | typeof NOT_HERE {
    if (offIn !== null || offOut !== null || flags & ~SPLICE_F_ALL || this.mirror.kind(fdIn) !== MIRROR_READ) return NOT_HERE;
    if (this.mirror.kind(fdOut) === MIRROR_NULL) {
      if (len === 0) return 0;
      // splice_write_null(): consumes what the pipe has; only the pipe's O_NONBLOCK counts.
      const a = this.mirror.ring(fdIn);
      const nonblock = (flags & SPLICE_F_NONBLOCK) !== 0 || this.nonblock(fdIn);
      return this.blocking('splice', a, () => this.core.pipeDiscard(a, Math.min(len, MAX_RW_COUNT), nonblock));
    }
    if (this.mirror.kind(fdOut) !== MIRROR_WRITE) return NOT_HERE;
    const a = this.mirror.ring(fdIn);
    const b = this.mirror.ring(fdOut);
    if (a === b) return NOT_HERE;
    if (len === 0) return 0;
    const nonblock = (flags & SPLICE_F_NONBLOCK) !== 0 || this.nonblock(fdIn) || this.nonblock(fdOut);
    return this.blocking2('splice', a, b, () => this.core.splicePipeToPipe(a, b, Math.min(len, MAX_RW_COUNT), nonblock));
  }

  /** tee(2) between two pipes. */
  tee(fdIn: number, fdOut: number, len: number, flags: number): number | typeof NOT_HERE {
    if (flags & ~SPLICE_F_ALL || this.mirror.kind(fdIn) !== MIRROR_READ || this.mirror.kind(fdOut) !== MIRROR_WRITE) return NOT_HERE;
    const a = this.mirror.ring(fdIn);
    const b = this.mirror.ring(fdOut);
    if (a === b) return NOT_HERE;
    if (len === 0) return 0;
    const nonblock = (flags & SPLICE_F_NONBLOCK) !== 0 || this.nonblock(fdIn) || this.nonblock(fdOut);
    return this.blocking2('tee', a, b, () => this.core.tee(a, b, Math.min(len, MAX_RW_COUNT), nonblock));
  }

  /** fcntl(2): F_GETPIPE_SZ and F_GETFL of a pipe end. */
  fcntl(fd: number, cmd: number): number | typeof NOT_HERE {
    if (!this.mirror.isPipe(fd)) return NOT_HERE;
    if (cmd === F_GETPIPE_SZ) return this.core.maxUsage(this.mirror.ring(fd)) * PAGE_SIZE;
    if (cmd === F_GETFL) return this.statusFlags(fd);
    return NOT_HERE;
  }

  /** ioctl(fd, FIONREAD) of a pipe end. */
  ioctl(fd: number, request: number): number | typeof NOT_HERE {
    if (request !== FIONREAD || !this.mirror.isPipe(fd)) return NOT_HERE;
    return this.core.ringBytes(this.mirror.ring(fd));
  }

  /** poll(2) of pipe ends only (pipe_poll()). */
  poll(fds: PollFd[]): number[] | typeof NOT_HERE {
    if (fds.some(({ fd }) => fd >= 0 && !this.mirror.isPipe(fd))) return NOT_HERE;
    return fds.map(({ fd, events }) => {
      if (fd < 0) return 0;
      const r = this.mirror.ring(fd);
      let mask = 0;
      if (this.mirror.kind(fd) === MIRROR_READ) {
        if (this.core.occupancy(r) > 0) mask |= POLLIN;
        if (this.core.writers(r) === 0) mask |= POLLHUP;
      } else {
        if (!this.core.ringFull(r)) mask |= POLLOUT;
        if (this.core.readers(r) === 0) mask |= POLLERR;
      }
      return mask & (events | POLLERR | POLLHUP | POLLNVAL);
    });
  }

  /** What a pipe end is (as describe() answers for it). */
  describe(fd: number): FdView | typeof NOT_HERE {
    const kind = this.mirror.kind(fd);
    if (!this.mirror.isPipe(fd)) return NOT_HERE;
    return { fd, kind: kind === MIRROR_READ ? 'pipe-read' : 'pipe-write', flags: this.statusFlags(fd), ring: this.mirror.ring(fd) };
  }

  // ---- how ---------------------------------------------------------------------------

  private nonblock(fd: number): boolean {
    return (this.mirror.flags(fd) & MIRROR_NONBLOCK) !== 0;
  }

  private statusFlags(fd: number): number {
    const f = this.mirror.flags(fd);
    const read = this.mirror.kind(fd) === MIRROR_READ;
    return (read ? O_RDONLY : O_WRONLY) | (f & MIRROR_NONBLOCK ? O_NONBLOCK : 0) | (f & MIRROR_PACKET ? O_DIRECT : 0);
  }

  private check(syscall: string, r: number): number {
    if (r < 0) throw new SyscallError(errnoName(-r), syscall);
    return r;
  }

  /** Runs `op` until it stops answering BLOCK, sleeping on ring `r`'s futex word in between. */
  private blocking(syscall: string, r: number, op: () => number): number {
    const w = this.words;
    const seq = this.core.seqAddr(r) >> 2;
    for (;;) {
      const seen = Atomics.load(w, seq);
      const r2 = op();
      if (r2 !== BLOCK) return this.check(syscall, r2);
      this.sleep(r, seen);
    }
  }

  /**
   * As `blocking`, for a call from ring `a` into ring `b` (splice, tee): it
   * sleeps on `a` while `a` is empty (ipipe_prep), else on `b`, which is
   * full (opipe_prep), as Linux waits on one pipe's queue at a time
   * (fs/splice.c). The other ring's word, read before the call too, must
   * not have moved meanwhile, or it tries again at once.
   */
  private blocking2(syscall: string, a: number, b: number, op: () => number): number {
    const w = this.words;
    const seqA = this.core.seqAddr(a) >> 2;
    const seqB = this.core.seqAddr(b) >> 2;
    for (;;) {
      const seenA = Atomics.load(w, seqA);
      const seenB = Atomics.load(w, seqB);
      const r = op();
      if (r !== BLOCK) return this.check(syscall, r);
      if (this.core.occupancy(a) === 0) {
        if (Atomics.load(w, seqB) === seenB) this.sleep(a, seenA);
      } else if (Atomics.load(w, seqA) === seenA) {
        this.sleep(b, seenB);
      }
    }
  }

  /** Sleeps until ring `r`'s futex word moves from `seen` (spinning briefly first). */
  private sleep(r: number, seen: number): void {
    const w = this.words;
    const word = this.core.seqAddr(r) >> 2;
    const waiters = this.core.waitersAddr(r) >> 2;
    const until = performance.now() + SPIN_MS;
    while (Atomics.load(w, word) === seen && performance.now() < until);
    // Count ourselves before the last look, so a writer either sees us or we see it.
    Atomics.add(w, waiters, 1);
    if (Atomics.load(w, word) === seen) Atomics.wait(w, word, seen, WAIT_MS);
    Atomics.sub(w, waiters, 1);
  }

  /** Whether every process memory the machine has made is known here (learning the new ones if it can). */
  private knowsEverySpace(): boolean {
    const gen = Atomics.load(this.gen, 0);
    if (gen === this.knownGen) return true;
    const news = this.learn();
    if (news === false) return false;
    for (const [space, m] of news) this.spaces.set(space, m);
    this.knownGen += news.length;
    return this.knownGen === gen;
  }

  /** Copies the scratch ring's `n` bytes into `dst`, then drops its buffers. */
  private copyOut(r: number, dst: Uint8Array, n: number): void {
    const scratch = this.s.scratch;
    const slots = this.core.ringHead(scratch) - this.core.ringTail(scratch);
    const base = this.core.ringSlotBase(scratch) / 4;
    const mask = this.core.ringSize(scratch) - 1;
    let at = 0;
    try {
      for (let i = 0, t = this.core.ringTail(scratch); i < slots; i++, t++) {
        const w = base + (t & mask) * (LAYOUT.SL_SIZE / 4);
        const len = this.words[w + LAYOUT.SL_LEN / 4]!;
        dst.set(this.spaces.view(this.words[w + LAYOUT.SL_PAGE / 4]! >>> 0, this.words[w + LAYOUT.SL_OFFSET / 4]!, len), at);
        at += len;
      }
    } finally {
      // Copied: the pipe (locked by takeForRead) shows its room now, as after anon_pipe_read()'s copy;
      // the references taken go even when the copy failed, so no page is left behind.
      this.core.readDone(r);
      this.core.dropSlots(scratch, slots);
    }
    if (at !== n) throw new Error(`read: ${at} bytes taken for ${n}`);
  }

  /** Where `data` is: the guest's memory (no staging copy) or bytes staged into the machine's memory. */
  private source(data: Uint8Array): { space: number; addr: number } {
    if (this.linear && data.buffer === this.linear.memory.buffer) return { space: this.linear.space, addr: data.byteOffset };
    if (data.length > this.staging.size - 64 * 1024) throw new RangeError('write: more than the staging buffer holds');
    new Uint8Array(this.words.buffer, this.staging.addr, data.length).set(data);
    return { space: 0, addr: this.staging.addr };
  }
}
