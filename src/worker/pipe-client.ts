// A pipe end used from a Worker: its own core instance on the shared
// memory; blocking calls wait on the ring's futex word with Atomics.wait,
// after a short spin (a sleep costs more than a little polling).

import { MAX_RW_COUNT, PAGE_SIZE } from '../constants.js';
import { PIPE_BUF_FLAG_CAN_MERGE, PIPE_BUF_FLAG_PACKET } from '../files/pipe.js';
import { BLOCK, instantiateCore, type CoreExports } from '../core.js';
import { Spaces } from '../spaces.js';
import { errnoName, InvalidArgument, SyscallError } from '../errors.js';
import { bytes as bytesArg, shown, size as sizeArg } from '../syscalls/args.js';
import { EXPORT_MAX_RUNS, EXPORT_OPEN, EXPORT_RUN, EXPORT_RUNS, type PipeEndHandle } from './handle.js';

/** How long to poll the ring before sleeping on it. */
const SPIN_MS = 0.2;
const STAGE = 1 << 20;
/** Longest sleep before looking again. */
const WAIT_MS = 100;

/** Page-aligned memory from the pool, usable by vmsplice from this thread. */
export interface WorkerBuffer {
  page: number;
  pages: number;
  bytes: Uint8Array;
}

export class PipeClient {
  private readonly core: CoreExports;
  private readonly words: Int32Array;
  private readonly mem: Uint8Array;
  private readonly seq: number;
  private readonly waiters: number;
  private readonly stage: WorkerBuffer;
  private readonly state: Int32Array;

  private constructor(private readonly h: PipeEndHandle) {
    const spaces = new Spaces(h.memory, h.pages);
    for (const [space, memory] of h.spaces) spaces.set(space, memory);
    this.core = instantiateCore(h.memory, true, spaces.copy);
    if (this.core.attach(h.tid) === 0) throw new Error('no kernel in this memory');
    // A Worker's thread sleeps for a lock whose holder is not running (it already sleeps on rings).
    this.core.setMaySleep(true);
    this.state = new Int32Array(h.state);
    this.words = new Int32Array(h.memory.buffer);
    this.mem = new Uint8Array(h.memory.buffer);
    this.seq = this.core.seqAddr(h.ring) >> 2;
    this.waiters = this.core.waitersAddr(h.ring) >> 2;
    this.stage = this.alloc(STAGE);
  }

  static attach(h: PipeEndHandle): PipeClient {
    return new PipeClient(h);
  }

  /** The end is open and goes the way `syscall` moves data (Linux: EBADF for a write on a read end). */
  private usable(syscall: string, end: 'read' | 'write'): void {
    if (Atomics.load(this.state, EXPORT_OPEN) !== 1 || this.h.end !== end) throw new SyscallError('EBADF', syscall);
  }

  /** The run `buf` names, if this end allocated it and has not freed it (else the call's EFAULT). */
  private ownRun(buf: unknown): WorkerBuffer | undefined {
    if (typeof buf !== 'object' || buf === null) return undefined;
    const { page, pages } = buf as WorkerBuffer;
    const n = this.state[EXPORT_RUNS]!;
    for (let i = 0; i < n; i++) {
      if (this.state[EXPORT_RUN + 2 * i] === page && this.state[EXPORT_RUN + 2 * i + 1] === pages && pages > 0) return buf as WorkerBuffer;
    }
    return undefined;
  }

  /** Runs `op` until it stops answering BLOCK, sleeping on the ring in between. */
  private blocking(syscall: string, op: () => number): number {
    for (;;) {
      const seen = Atomics.load(this.words, this.seq);
      const r = op();
      if (r !== BLOCK) {
        if (r < 0) throw new SyscallError(errnoName(-r), syscall);
        return r;
      }
      const until = performance.now() + SPIN_MS;
      while (Atomics.load(this.words, this.seq) === seen && performance.now() < until);
      // Count ourselves before the last look, so a writer either sees us or we see it.
      Atomics.add(this.words, this.waiters, 1);
      // A bounded sleep: a missed wake-up costs a retry, never a hang.
      if (Atomics.load(this.words, this.seq) === seen) Atomics.wait(this.words, this.seq, seen, WAIT_MS);
      Atomics.sub(this.words, this.waiters, 1);
    }
  }

  /** write(2) until everything is written (blocking end) or the pipe has no reader. */
  write(data: Uint8Array): number {
    bytesArg.check(data, 'write', 0);
    this.usable('write', 'write');
    let done = 0;
    const flags = this.h.packet ? PIPE_BUF_FLAG_PACKET : PIPE_BUF_FLAG_CAN_MERGE;
    while (done < data.length) {
      const n = Math.min(STAGE, data.length - done);
      const src = data.buffer === this.mem.buffer ? data.byteOffset + done : this.staged(data.subarray(done, done + n));
      let off = 0;
      while (off < n) {
        const merge = done === 0 && off === 0;
        const r = this.blocking('write', () => this.core.pipeWrite(this.h.ring, src + off, n - off, this.h.nonblock, merge, flags));
        off += r;
        if (this.h.nonblock) return done + off;
      }
      done += n;
    }
    return done;
  }

  private staged(part: Uint8Array): number {
    this.stage.bytes.set(part);
    return this.stage.bytes.byteOffset;
  }

  /** read(2): waits for data; an empty result is end of file. */
  read(count: number): Uint8Array {
    sizeArg.check(count, 'read', 0);
    this.usable('read', 'read');
    const n = Math.min(count, STAGE);
    const got = this.blocking('read', () => this.core.pipeRead(this.h.ring, this.stage.bytes.byteOffset, n, this.h.nonblock));
    return this.stage.bytes.slice(0, got);
  }

  /** splice(2) into /dev/null: consumes up to `len` bytes without touching them. */
  discard(len: number): number {
    sizeArg.check(len, 'splice', 0);
    this.usable('splice', 'read');
    const n = Math.min(len, MAX_RW_COUNT);
    return this.blocking('splice', () => this.core.pipeDiscard(this.h.ring, n, this.h.nonblock));
  }

  /** vmsplice(2) of `length` bytes of `buf` from `offset`: the pipe references its pages. */
  vmsplice(buf: WorkerBuffer, offset: number, length: number, gift = false): number {
    sizeArg.check(offset, 'vmsplice', 1);
    sizeArg.check(length, 'vmsplice', 2);
    if (typeof gift !== 'boolean') throw new InvalidArgument('vmsplice', `argument 4 must be true or false, got ${shown(gift)}`);
    this.usable('vmsplice', 'write');
    // Only memory this end allocated, within it: anything else is memory the caller does not have.
    const own = this.ownRun(buf);
    if (!own || offset + length > own.pages * PAGE_SIZE) throw new SyscallError('EFAULT', 'vmsplice');
    const iov = this.stage.bytes.byteOffset;
    new Uint32Array(this.h.memory.buffer, iov, 3).set([buf.page, offset, length]);
    return this.blocking('vmsplice', () => this.core.vmspliceToPipe(this.h.ring, iov, 1, gift, this.h.nonblock, 0));
  }

  /**
   * User memory from the pool, visible to every thread on this machine;
   * recorded with the end, so that the machine takes it back if this
   * thread dies holding it.
   */
  alloc(length: number): WorkerBuffer {
    sizeArg.check(length, 'alloc', 0);
    if (length > STAGE * 64) throw new SyscallError('ENOMEM', 'alloc');
    const pages = Math.max(1, Math.ceil(length / PAGE_SIZE));
    let slot = -1;
    const n = this.state[EXPORT_RUNS];
    for (let i = 0; i < n && slot < 0; i++) if (this.state[EXPORT_RUN + 2 * i + 1] === 0) slot = i;
    if (slot < 0) {
      if (n === EXPORT_MAX_RUNS) throw new SyscallError('ENOMEM', 'alloc');
      slot = n;
    }
    const page = this.core.userAlloc(pages);
    if (page < 0) throw new SyscallError('ENOMEM', 'alloc');
    this.state[EXPORT_RUN + 2 * slot] = page;
    this.state[EXPORT_RUN + 2 * slot + 1] = pages;
    if (slot === n) Atomics.store(this.state, EXPORT_RUNS, n + 1);
    return { page, pages, bytes: new Uint8Array(this.h.memory.buffer, this.h.pages + page * PAGE_SIZE, length) };
  }

  /** Gives memory from `alloc` back; anything else is left alone (as munmap of memory not mapped). */
  free(buf: WorkerBuffer): void {
    if (typeof buf !== 'object' || buf === null) throw new InvalidArgument('free', `argument 1 must be a buffer from alloc, got ${shown(buf)}`);
    const n = this.state[EXPORT_RUNS];
    for (let i = 0; i < n; i++) {
      if (this.state[EXPORT_RUN + 2 * i] === buf.page && this.state[EXPORT_RUN + 2 * i + 1] === buf.pages) {
        this.state[EXPORT_RUN + 2 * i + 1] = 0;
        this.core.userFree(buf.page, buf.pages);
        return;
      }
    }
  }

  /** close(2): the end's reader/writer count goes, and its hold on the ring (once, whoever closes first). */
  close(): void {
    if (Atomics.compareExchange(this.state, EXPORT_OPEN, 1, 0) !== 1) return;
    this.free(this.stage);
    if (this.h.end === 'read') this.core.addReaders(this.h.ring, -1);
    else this.core.addWriters(this.h.ring, -1);
    this.core.ringClose(this.h.ring);
  }
}
