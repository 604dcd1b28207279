// Machine: one emulated computer. It owns what Linux keeps machine-wide:
// the memory and the core (page pool, rings, release tags), the clock, the
// per-user pipe accounting, the directory's inodes, the count of open files
// and the limits. Processes (src/process.ts) run on it; a syscall runs on a
// process and reaches the machine through it.

import { PAGE_SIZE, PIPE_DEF_BUFFERS } from './constants.js';
import { instantiateCore, LAYOUT, MAX_WASM_PAGES, sharedMemoryAvailable, wasmPages, type CoreExports } from './core.js';
import { errnoName, InvalidArgument, SyscallError, WouldBlock } from './errors.js';
import type { OpenFile } from './files/file.js';
import { BLOCK, ENFILE, ENOMEM, type Kctx, type Result } from './files/kctx.js';
import type { HostDirectory } from './files/hostdir.js';
import { type Inode, PageQuota } from './files/memfs.js';
import type { NotifyFile } from './files/notify.js';
import { PipeEnd } from './files/pipe.js';
import { SocketEnd, type TaskFrag } from './files/socket.js';
import type { SnapshotProcess, SnapshotSource } from './snapshot.js';
import { checkOptions } from './options.js';
import { shown } from './syscalls/args.js';
import { Spaces } from './spaces.js';
import { EXPORT_OPEN, EXPORT_RUN, EXPORT_RUNS, EXPORT_STATE_BYTES } from './worker/handle.js';

export interface MachineOptions {
  /** Kernel pages in the pool (pipe buffers, page cache). Default 8192 (32 MiB). */
  pages?: number;
  /**
   * Bytes the machine's memory may grow to: the pool starts with `pages`
   * kernel pages and grows on demand while the memory stays within this,
   * as Linux allocates pages on demand up to a memory limit; past it, an
   * allocation fails ENOMEM. Default: the memory's initial size (about
   * 59 MiB with the other defaults), so the pool does not grow. At most
   * 2 GiB.
   */
  memory?: number;
  /** Pages for user memory (`alloc`). Default 4096 (16 MiB). */
  userPages?: number;
  /** Rings at once, machine-wide: pipes, socket queues, loans. Default 4096. */
  rings?: number;
  /**
   * Bytes for the rings' slot arrays (32 bytes a slot, allocated to each
   * ring's size). Default 8 MiB: 16384 new pipes, or 256 socket queues.
   */
  ringMemory?: number;
  /**
   * Open files machine-wide (fs.file-max): past it, pipe, open and
   * socketpair fail ENFILE. Default 65536.
   */
  maxFiles?: number;
  /** Use a SharedArrayBuffer-backed memory (default: where available). */
  shared?: boolean;
  /**
   * Behave like Linux 5.8 to 5.16.10: a page-cache page spliced into a pipe
   * keeps the slot's stale flags (CVE-2022-0847, "Dirty Pipe"). For teaching.
   */
  dirtyPipe?: boolean;
  /**
   * Whether never-written user memory is backed by the shared zero page, so
   * that vmsplice of it puts the zero page in the pipe (default true: most
   * kernels map it on a read fault). False models a kernel that never maps
   * it (`splicekit-oracle --probe zero-page` tells): vmsplice then
   * references the buffer's own page, and a later write reaches the reader.
   */
  sharedZeroPage?: boolean;
}

/** fs/pipe.c: pipe_user_pages_soft = PIPE_DEF_BUFFERS * INR_OPEN_CUR. */
export const PIPE_USER_PAGES_SOFT = PIPE_DEF_BUFFERS * 1024;
/** fs/pipe.c: PIPE_MIN_DEF_BUFFERS. */
export const PIPE_MIN_DEF_BUFFERS = 2;
/** Scratch for page lists and iovecs the core reads (assembly/layout.ts says why its size). */
export const ARGS_SIZE = LAYOUT.ARGS_SIZE;
/** Scratch for bytes a call copies through. */
export const STAGE_SIZE = LAYOUT.STAGE_SIZE;

/** The longest a machine's wait sleeps before it looks again: a missed wake-up costs a retry, never a hang. */
const WATCH_MS = 100;

const DEFAULTS = { pages: 8192, userPages: 4096, rings: 4096, ringMemory: 8 << 20, maxFiles: 65536 };

/** The options a machine takes (checkOptions refuses others). */
export const MACHINE_OPTIONS = ['pages', 'memory', 'userPages', 'rings', 'ringMemory', 'maxFiles', 'shared', 'dirtyPipe', 'sharedZeroPage'] as const;

/**
 * A pipe end handed to another thread, and what that thread took from the
 * pool: `state` is shared with it (worker/handle.ts has the layout). Whoever
 * swaps the open word from 1 to 0 (the thread closing its end, or `revoke`
 * for a thread that is gone) drops the end's counts, once.
 */
export interface ExportedEnd {
  ring: number;
  read: boolean;
  /** The core thread id the other side attaches as (its locks are released if it dies). */
  tid: number;
  state: Int32Array;
}

/** What a process is to its machine (src/process.ts implements it). */
export interface MachineProcess {
  readonly pid: number;
  /** Ends the process as `kill` would: its fds close, its memory goes. */
  terminate(status: number): void;
  /** Its fds and user memory, for snapshots. */
  view(): SnapshotProcess;
  /** An open file's status flags changed (its fds' mirror, if any, follows). */
  fileChanged(f: OpenFile): void;
}

export class Machine implements Kctx, SnapshotSource {
  readonly memory: WebAssembly.Memory;
  readonly core: CoreExports;
  readonly shared: boolean;
  /** Address of pool page 0. */
  readonly pages: number;
  private memView: Uint8Array;
  /** The superblock's count of grown pages, and its value when the views were made (see mem). */
  private grownWord: Uint32Array;
  private grownSeen = 0;
  readonly args: number;
  readonly argsSize = ARGS_SIZE;
  readonly stage: number;
  readonly stageSize = STAGE_SIZE;
  /** Pinned zero page: vmsplice of never-written user memory maps it, as Linux maps ZERO_PAGE. */
  readonly zeroPage: number;
  readonly sharedZeroPage: boolean;
  readonly maxFiles: number;
  /** Per user page: 1 once written (the zero-page rule, see usermem.ts). */
  readonly userWritten: Uint8Array;
  readonly firstUserPage: number;

  /** Every process memory (space) of the machine: this thread reads foreign pages through it. */
  readonly spaces: Spaces;
  private readonly freeSpaces: number[] = [];
  private nextSpace = 1;
  /**
   * How many spaces have ever been made, shared with guests' threads: one
   * that knows fewer learns the new ones before it reads pages (see local.ts).
   */
  readonly spaceGen = new Int32Array(typeof SharedArrayBuffer === 'undefined' ? new ArrayBuffer(4) : new SharedArrayBuffer(4));
  /** Guests' threads told of every new space: where they can learn them (Node's ports). */
  private readonly spaceListeners = new Set<{ postMessage(m: unknown): void }>();

  /** The directory's names (one flat directory). */
  readonly files = new Map<string, Inode>();
  /** The pages its files may hold (a tmpfs's size=). */
  readonly fileQuota: PageQuota;
  /** Host directories mounted (Kernel.mount), by mount point (see path.ts). */
  readonly mounts = new Map<string, HostDirectory>();
  /** Pipe pages accounted to the (one) user, fs/pipe.c account_pipe_buffers(). */
  pipePagesAccounted = 0;
  /** Open file descriptions (nr_files). */
  openFiles = 0;
  /** The kernel thread's page fragment (files released outside any process use it). */
  readonly taskFrag: TaskFrag = { page: -1, offset: 0, size: 0 };

  /** Pool pages at the start (kernel and user, the zero page aside); growth adds to them. */
  private readonly initialFree: number;
  private readonly initialSlab: number;
  private readonly waiters: (() => void)[] = [];
  /** Release tag -> the notification it completes. */
  readonly tagOwners = new Map<number, { file: NotifyFile; id: number }>();
  readonly ackedSockets = new Set<SocketEnd>();
  private now = 0;
  private readonly procs = new Map<number, MachineProcess>();
  private nextPid = 1;
  private readonly exported = new Map<number, ExportedEnd>();
  /** The completion ring's head and tail words (viewed again when a growth detaches them). */
  private completionWords: Uint32Array;

  constructor(opts: MachineOptions = {}) {
    checkOptions('new Machine', opts, MACHINE_OPTIONS);
    const npages = opts.pages ?? DEFAULTS.pages;
    const nuser = opts.userPages ?? DEFAULTS.userPages;
    const nrings = opts.rings ?? DEFAULTS.rings;
    const ringMemory = opts.ringMemory ?? DEFAULTS.ringMemory;
    this.maxFiles = opts.maxFiles ?? DEFAULTS.maxFiles;
    // A top-order block holds RING_CAP slots: the arena is a whole number of them.
    const topBytes = LAYOUT.RING_CAP * LAYOUT.SL_SIZE;
    const slabUnits = Math.max(1, Math.ceil(ringMemory / topBytes)) * LAYOUT.RING_CAP;
    this.shared = opts.shared ?? sharedMemoryAvailable();
    const sizes = { npages, nuser, nrings, slabUnits };
    const maxPages = poolLimit(layoutProbe(this.shared), sizes, opts.memory);
    this.fileQuota = new PageQuota(maxPages);
    const total = wasmPages(poolEnd(layoutProbe(this.shared), sizes, maxPages, npages));
    // The most the pool's growth reaches: a shared memory reserves its maximum up front.
    const maximum = wasmPages(poolEnd(layoutProbe(this.shared), sizes, maxPages, maxPages));
    this.memory = new WebAssembly.Memory(this.shared ? { initial: total, maximum, shared: true } : { initial: total, maximum });
    this.core = instantiateCore(this.memory, this.shared, (dst, page, off, len) => this.spaces.copy(dst, page, off, len));
    this.memView = new Uint8Array(this.memory.buffer);
    this.grownWord = new Uint32Array(this.memory.buffer, LAYOUT.BASE + LAYOUT.SB_GROWN, 1);
    this.pages = this.core.init(npages, maxPages, nuser, nrings, slabUnits);
    this.args = this.core.scratchAddr();
    this.stage = this.args + ARGS_SIZE;
    this.spaces = new Spaces(this.memory, this.pages);
    this.completionWords = new Uint32Array(this.memory.buffer, this.core.completionSeqAddr() - 8, 2);
    if (opts.dirtyPipe) this.core.setFlags(1);
    this.zeroPage = this.takeZeroPage();
    this.sharedZeroPage = opts.sharedZeroPage ?? true;
    this.firstUserPage = npages;
    this.userWritten = new Uint8Array(nuser);
    this.initialFree = this.core.freeKernelPages() + this.core.freeUserPages();
    this.initialSlab = this.core.slabFreeUnits();
  }

  /**
   * A byte view of the whole memory. The pool's growth replaces the
   * memory's buffer (an unshared one's old buffer is detached, a shared
   * one's is too short), so the views are made again after one. The
   * count of grown pages tells, read through a view that still works for
   * low addresses (or, detached, reads undefined): asking the memory for
   * its buffer costs about 170 ns on a shared memory, too much per call.
   */
  get mem(): Uint8Array {
    if (this.grownWord[0] !== this.grownSeen) this.viewAgain();
    return this.memView;
  }

  private viewAgain(): void {
    const b = this.memory.buffer;
    this.memView = new Uint8Array(b);
    this.grownWord = new Uint32Array(b, LAYOUT.BASE + LAYOUT.SB_GROWN, 1);
    this.completionWords = new Uint32Array(b, this.core.completionSeqAddr() - 8, 2);
    this.grownSeen = this.grownWord[0]!;
  }

  private takeZeroPage(): number {
    if (this.core.allocPages(this.args, 1) < 0) throw new RangeError('no page for the zero page');
    return new Uint32Array(this.memory.buffer, this.args, 1)[0];
  }

  // ---- processes -----------------------------------------------------------

  /** A new process id, the process registered until it ends (see `gone`). */
  register(p: MachineProcess | ((pid: number) => MachineProcess)): number {
    const pid = this.nextPid++;
    this.procs.set(pid, typeof p === 'function' ? p(pid) : p);
    return pid;
  }

  gone(pid: number): void {
    this.procs.delete(pid);
  }

  /** Live process ids, oldest first. */
  pids(): number[] {
    return [...this.procs.keys()];
  }

  /** Every live process's fds and user memory, oldest first. */
  processes(): SnapshotProcess[] {
    return [...this.procs.values()].map((p) => p.view());
  }

  // ---- process memories ------------------------------------------------------------

  /**
   * A process's own linear memory joins the machine as a space: pipes may
   * reference its pages (vmsplice maps them), counted in the core. ENOMEM
   * when every space id is taken.
   */
  addSpace(memory: WebAssembly.Memory): number | Result {
    const space = this.freeSpaces.pop() ?? (this.nextSpace < LAYOUT.MAX_SPACES ? this.nextSpace++ : ENOMEM);
    if (space < 0) return space;
    this.core.spaceOpen(space);
    this.spaces.set(space, memory);
    for (const l of this.spaceListeners) l.postMessage([space, memory]);
    Atomics.add(this.spaceGen, 0, 1);
    return space;
  }

  /** `port` is told of every space made from now on (until `unlistenSpaces`). */
  listenSpaces(port: { postMessage(m: unknown): void }): void {
    this.spaceListeners.add(port);
  }

  unlistenSpaces(port: { postMessage(m: unknown): void }): void {
    this.spaceListeners.delete(port);
  }

  /**
   * The space's process has ended: its memory goes once no pipe references
   * any of its pages (now, or when the core reports the last one gone).
   */
  closeSpace(space: number): void {
    if (this.core.spaceClose(space) === 0) this.releaseSpace(space);
  }

  private releaseSpace(space: number): void {
    this.spaces.delete(space);
    this.freeSpaces.push(space);
  }

  // ---- open files ------------------------------------------------------------

  /**
   * alloc_empty_file(): room for `n` more open files machine-wide, counted
   * from now on, or ENFILE (an unprivileged caller, past fs.file-max).
   */
  chargeFiles(n: number): Result {
    if (this.openFiles + n > this.maxFiles) return ENFILE;
    this.openFiles += n;
    return 0;
  }

  /** F_SETFL changed an open file's status flags: every process's mirror of it follows. */
  flagsChanged(f: OpenFile): void {
    for (const p of this.procs.values()) p.fileChanged(f);
  }

  /** fput(): the last reference to an open file description is dropped. */
  put(f: OpenFile, k: Kctx = this): void {
    if (--f.refs > 0) return;
    this.openFiles--;
    if (f instanceof PipeEnd && f.pipe.files === 1) this.pipePagesAccounted -= f.pipe.accounted;
    if (f instanceof SocketEnd) this.ackedSockets.delete(f);
    f.release(k);
    this.drainCompletions();
  }

  // ---- pipe ends in other threads ---------------------------------------------

  /** Counts a pipe end another thread now holds (see Process.exportPipeEnd). */
  exportEnd(ring: number, read: boolean): ExportedEnd {
    this.useThreads();
    this.core.ringShare(ring);
    this.core.ringOpen(ring);
    if (read) this.core.addReaders(ring, 1);
    else this.core.addWriters(ring, 1);
    const state = new Int32Array(new SharedArrayBuffer(EXPORT_STATE_BYTES));
    state[EXPORT_OPEN] = 1;
    const end = { ring, read, tid: this.core.newThreadId(), state };
    this.exported.set(end.tid, end);
    return end;
  }

  /**
   * The thread holding exported end `tid` is gone without closing it (its
   * Worker was terminated or crashed): its locks are let go and its end
   * closes here, so the peer sees EOF or EPIPE and the ring's pages come
   * back. An end that thread closed itself is only forgotten.
   */
  revoke(tid: number): void {
    const end = this.exported.get(tid);
    if (!end) return;
    this.exported.delete(tid);
    this.core.releaseLocksOf(tid);
    // User memory the thread took and never gave back.
    const runs = Atomics.load(end.state, EXPORT_RUNS);
    for (let i = 0; i < runs; i++) {
      const count = end.state[EXPORT_RUN + 2 * i + 1];
      if (count > 0) this.core.userFree(end.state[EXPORT_RUN + 2 * i], count);
    }
    if (Atomics.compareExchange(end.state, EXPORT_OPEN, 1, 0) !== 1) return;
    if (end.read) this.core.addReaders(end.ring, -1);
    else this.core.addWriters(end.ring, -1);
    this.core.ringClose(end.ring);
    this.settle();
  }

  // ---- results, completions, wake-ups ----------------------------------------

  /** Turns a core or file result into a return value or a thrown error. */
  check(syscall: string, r: Result): number {
    // The common case first, in as few steps as possible: every call ends here.
    // (A detached view, after an unshared memory grew, has length 0: drain looks again.)
    const cw = this.completionWords;
    if (cw[0] !== cw[1] || cw.length === 0) this.drainCompletions();
    if (r >= 0) {
      if (this.waiters.length !== 0) this.wake();
      return r;
    }
    if (r === BLOCK) throw new WouldBlock(syscall);
    throw new SyscallError(errnoName(-r), syscall);
  }

  /** A result that must be an error: throws it. */
  fail(syscall: string, r: Result): never {
    this.check(syscall, r);
    throw new Error(`${syscall}: ${r} is not an error`);
  }

  /** After a change made outside a syscall: deliver completions, wake waiters. */
  settle(): void {
    this.drainCompletions();
    this.wake();
  }

  /** Wakes every awaiting call so it retries (something may have changed). */
  wake(): void {
    if (this.waiters.length === 0) return;
    const w = this.waiters.splice(0);
    for (const f of w) f();
  }

  /**
   * Resolves at the next change of machine state: a call on this thread,
   * or, once other threads run calls themselves, any change of a shared
   * ring (the core's change word).
   */
  changed(): Promise<void> {
    const p = new Promise<void>((resolve) => this.waiters.push(resolve));
    if (this.otherThreads && !this.watching) void this.watchChanges();
    return p;
  }

  private int32View: Int32Array | undefined;

  /** The machine's memory as words, for Atomics (viewed again once the memory has grown). */
  private int32(): Int32Array {
    if (this.int32View?.buffer !== this.memory.buffer || this.int32View.byteLength !== this.memory.buffer.byteLength) {
      this.int32View = new Int32Array(this.memory.buffer);
    }
    return this.int32View;
  }

  /** The futex words of `rings`, to read before a call that may wait on them (see ringsChanged). */
  ringSeqs(rings: readonly number[]): number[] {
    const w = this.int32();
    return rings.map((r) => Atomics.load(w, this.core.seqAddr(r) >> 2));
  }

  /**
   * As `changed`, for a call that waits on pipes only: resolves at a call on
   * this thread, or when one of `rings` changed since its word read `seen`
   * (read before the call, so no change in between is missed). Another
   * thread's changes elsewhere do not wake it, as a task sleeping on one
   * pipe's wait queue is not woken by others.
   */
  ringsChanged(rings: readonly number[], seen: readonly number[]): Promise<void> {
    const p = new Promise<void>((resolve) => this.waiters.push(resolve));
    if (!this.otherThreads) return p;
    const w = this.int32();
    rings.forEach((r, i) => {
      const word = this.core.seqAddr(r) >> 2;
      const at = seen[i]!;
      if (Atomics.load(w, word) !== at) return this.wake();
      // One sleeper per ring and value, however many calls wait on it.
      if (this.ringWatch.get(r) === at) return;
      this.ringWatch.set(r, at);
      const waiters = this.core.waitersAddr(r) >> 2;
      // Counted before waitAsync compares, so the changer either notifies us or we see its change.
      Atomics.add(w, waiters, 1);
      const done = () => {
        Atomics.sub(w, waiters, 1);
        if (this.ringWatch.get(r) === at) this.ringWatch.delete(r);
        this.wake();
      };
      const res = Atomics.waitAsync(w, word, at, WATCH_MS);
      if (res.async) void res.value.then(done);
      else done();
    });
    return p;
  }

  /** The rings a sleeper watches on this thread, and the word's value it sleeps on. */
  private readonly ringWatch = new Map<number, number>();

  /** Other threads run calls on this machine (see useThreads). */
  private otherThreads = false;
  private watching = false;

  /** From now on other threads change rings themselves: the machine's waits watch the change word too. */
  useThreads(): void {
    this.core.setThreaded();
    this.otherThreads = true;
  }

  /** Sleeps (without blocking this thread) until the change word moves, then wakes every waiter. */
  private async watchChanges(): Promise<void> {
    this.watching = true;
    const words = this.int32();
    const at = this.core.changeAddr() >> 2;
    try {
      while (this.waiters.length > 0) {
        const seen = Atomics.load(words, at);
        Atomics.add(words, at + 1, 1);
        try {
          const w = Atomics.waitAsync(words, at, seen, WATCH_MS);
          if (w.async) await w.value;
        } finally {
          Atomics.sub(words, at + 1, 1);
        }
        this.wake();
      }
    } finally {
      this.watching = false;
    }
  }

  /** Delivers the completions the core queued (a tag's last reference dropped). */
  drainCompletions(): void {
    if (this.completionWords.length === 0) this.viewAgain();
    // Most calls complete nothing: compare head and tail without calling in.
    if (this.completionWords[0] === this.completionWords[1]) return;
    for (let tag = this.core.completionPop(); tag !== 0; tag = this.core.completionPop()) {
      if (tag & LAYOUT.SPACE_DONE) {
        this.releaseSpace(tag & LAYOUT.SPACE_MASK);
        continue;
      }
      const owner = this.tagOwners.get(tag);
      this.tagOwners.delete(tag);
      this.core.tagFree(tag);
      owner?.file.complete(owner.id);
    }
  }

  // ---- the clock -------------------------------------------------------------

  /** The virtual clock (ms) that acknowledgement delays run on. */
  get clock(): number {
    return this.now;
  }

  /** Advances the clock: acknowledgements now due arrive and release their pages. */
  tick(ms: number): void {
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0)
      throw new InvalidArgument('tick', `ms must be a number of milliseconds, 0 or more, got ${shown(ms)}`);
    this.now += ms;
    for (const end of this.ackedSockets) end.ack(this);
    this.settle();
  }

  // ---- accounting --------------------------------------------------------------

  /** Pool pages (as grown so far) and machine-wide counts. */
  stats(): MachineStats {
    const free = this.core.freeKernelPages() + this.core.freeUserPages();
    const total = this.initialFree + this.core.grownPages();
    return {
      pagesTotal: total,
      pagesFree: free,
      pagesInUse: total - free,
      files: this.openFiles,
      processes: this.procs.size,
      ringMemoryInUse: (this.initialSlab - this.core.slabFreeUnits()) * LAYOUT.SL_SIZE,
    };
  }

  /**
   * Ends every process, revokes every end held by another thread, drops the
   * directory and the kernel's page fragment: the pool is whole again.
   */
  destroy(): void {
    for (const p of [...this.procs.values()]) p.terminate(0);
    for (const tid of [...this.exported.keys()]) this.revoke(tid);
    for (const inode of this.files.values()) {
      inode.links = 0;
      if (inode.opens === 0) inode.dropAll(this);
    }
    this.files.clear();
    dropFrag(this, this.taskFrag);
    this.settle();
  }
}

export interface MachineStats {
  /** Pool pages (kernel and user, the zero page aside), counting those the pool has grown by. */
  pagesTotal: number;
  pagesFree: number;
  pagesInUse: number;
  /** Open file descriptions machine-wide. */
  files: number;
  processes: number;
  /** Bytes of slot arrays the rings hold. */
  ringMemoryInUse: number;
}

/** Drops a task's page fragment (its page goes back when nobody else holds it). */
export function dropFrag(k: Kctx, frag: TaskFrag): void {
  if (frag.page >= 0) k.core.pagePut(frag.page);
  frag.page = -1;
}

/** One core per variant on a scrap memory answers layout questions for every machine. */
const probes = new Map<boolean, CoreExports>();
function layoutProbe(shared: boolean): CoreExports {
  let p = probes.get(shared);
  if (!p) {
    const memory = new WebAssembly.Memory(shared ? { initial: 2, maximum: MAX_WASM_PAGES, shared: true } : { initial: 2, maximum: MAX_WASM_PAGES });
    p = instantiateCore(memory, shared, () => {
      throw new Error('the layout probe holds no pages');
    });
    probes.set(shared, p);
  }
  return p;
}

interface PoolSizes {
  npages: number;
  nuser: number;
  nrings: number;
  slabUnits: number;
}

/** The end of the pool's pages with `kernelPages` of at most `maxPages` kernel pages (metadata sized for `maxPages`). */
function poolEnd(probe: CoreExports, s: PoolSizes, maxPages: number, kernelPages: number): number {
  return probe.pagesAddr(maxPages, s.nuser, s.nrings, s.slabUnits) + (kernelPages + s.nuser) * PAGE_SIZE;
}

/**
 * The most kernel pages the pool may grow to within `memory` bytes (the
 * metadata for each page it may have counts too): `npages` without a
 * limit; an InvalidArgument when the machine does not fit in it at all.
 */
function poolLimit(probe: CoreExports, s: PoolSizes, memory: number | undefined): number {
  const need = poolEnd(probe, s, s.npages, s.npages);
  const limit = memory ?? need;
  if (need > MAX_WASM_PAGES * 65536) {
    throw new InvalidArgument('new Machine', `pages, userPages, rings and ringMemory need ${need} bytes, more than one memory's ${MAX_WASM_PAGES * 65536}`);
  }
  if (need > limit) {
    throw new InvalidArgument('new Machine', `memory must be at least ${need} bytes (what pages, userPages, rings and ringMemory need), got ${limit}`);
  }
  // The largest count that fits, by bisection: each page costs its bytes and its metadata.
  let lo = s.npages;
  let hi = s.npages + Math.floor((limit - need) / PAGE_SIZE);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (poolEnd(probe, s, mid, mid) <= limit) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
