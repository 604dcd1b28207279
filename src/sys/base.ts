// The kernel's machine and its one process: memory, core, pool, the fd
// table, and how results become return values, errors or wake-ups.

import { O_APPEND, O_DIRECT, O_NONBLOCK, PAGE_SIZE, PIPE_DEF_BUFFERS } from '../constants.js';
import { instantiateCore, MAX_WASM_PAGES, sharedMemoryAvailable, wasmPages, type CoreExports } from '../core.js';
import { errnoName, SyscallError, WouldBlock } from '../errors.js';
import type { OpenFile } from '../files/file.js';
import { BLOCK, EMFILE, type Kctx, type Pos, type Result } from '../files/kctx.js';
import { Inode, RegularFile } from '../files/memfs.js';
import { PipeEnd } from '../files/pipe.js';
import { SocketEnd } from '../files/socket.js';
import { NotifyFile } from '../files/notify.js';
import { AsyncCalls } from '../async.js';
import { UserMemory } from '../usermem.js';
import type { Offset } from '../types.js';
import type { Kernel } from '../kernel.js';

export interface KernelOptions {
  /** Kernel pages in the pool (pipe buffers, page cache). Default 8192 (32 MiB). */
  pages?: number;
  /** Pages for user memory (`alloc`). Default 4096 (16 MiB). */
  userPages?: number;
  /** Pipes and socket queues at once. Default 256. */
  rings?: number;
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
/** fcntl(F_SETFL) may change only these (fs/fcntl.c SETFL_MASK). */
export const SETFL_MASK = O_APPEND | O_NONBLOCK | O_DIRECT | 0o1000000 /* O_NOATIME */;
export const ARGS_SIZE = 256 * 1024;
export const STAGE_SIZE = 2 * 1024 * 1024 + 2 * PAGE_SIZE;
/** The first fd a process gets: 0, 1 and 2 are stdin, stdout and stderr. */
export const FIRST_FD = 3;
export const MAX_FDS = 1024;

export abstract class KernelBase implements Kctx {
  readonly memory: WebAssembly.Memory;
  readonly core: CoreExports;
  readonly shared: boolean;
  readonly pages: number;
  readonly args: number;
  readonly argsSize = ARGS_SIZE;
  readonly stage: number;
  readonly stageSize = STAGE_SIZE;

  /** Pinned zero page: vmsplice of never-written user memory maps it, as Linux maps ZERO_PAGE. */
  readonly zeroPage: number;
  /** KernelOptions.sharedZeroPage. */
  readonly sharedZeroPage: boolean;
  readonly async: AsyncCalls;
  protected readonly fds = new Map<number, OpenFile>();

  /** The same table as an array: the lookup every call makes, without hashing. */
  protected readonly fdv: (OpenFile | undefined)[] = new Array(MAX_FDS).fill(undefined);
  protected readonly files = new Map<string, Inode>();
  protected readonly user: UserMemory;
  protected readonly initialFree: number;

  /** Pipe pages accounted to the (one) user, fs/pipe.c account_pipe_buffers(). */
  protected pipePagesAccounted = 0;

  protected readonly waiters: (() => void)[] = [];

  /** Release tag -> the notification it completes. */
  protected readonly tagOwners = new Map<number, { file: NotifyFile; id: number }>();

  protected readonly ackedSockets = new Set<SocketEnd>();
  protected now = 0;

  /** current->task_frag (see files/socket.ts). */
  readonly taskFrag = { page: -1, offset: 0, size: 0 };

  constructor(opts: KernelOptions = {}) {
    const npages = opts.pages ?? 8192;
    const nuser = opts.userPages ?? 4096;
    const nrings = opts.rings ?? 256;
    this.shared = opts.shared ?? sharedMemoryAvailable();
    const end = layoutProbe(this.shared).memoryNeeded(npages, nuser, nrings);
    this.args = align(end, PAGE_SIZE);
    this.stage = this.args + ARGS_SIZE;
    const total = wasmPages(this.stage + STAGE_SIZE);
    if (total > MAX_WASM_PAGES) throw new RangeError('kernel too large for one memory');
    this.memory = new WebAssembly.Memory(this.memoryDescriptor(total));
    this.core = instantiateCore(this.memory, this.shared);
    this.mem = new Uint8Array(this.memory.buffer);
    this.pages = this.core.init(npages, nuser, nrings);
    this.completionWords = new Uint32Array(this.memory.buffer, this.core.completionSeqAddr() - 8, 2);
    if (opts.dirtyPipe) this.core.setFlags(1);
    this.zeroPage = this.takeZeroPage();
    this.sharedZeroPage = opts.sharedZeroPage ?? true;
    // Abstract: every KernelBase is the base of a Kernel.
    const self = this as unknown as Kernel;
    this.user = new UserMemory(self, npages, nuser);
    this.initialFree = this.core.freeKernelPages() + this.core.freeUserPages();
    this.async = new AsyncCalls(self);
  }

  protected memoryDescriptor(initial: number): WebAssembly.MemoryDescriptor {
    return this.shared ? { initial, maximum: MAX_WASM_PAGES, shared: true } : { initial, maximum: MAX_WASM_PAGES };
  }

  protected takeZeroPage(): number {
    const p = this.core.allocPages(this.args, 1);
    if (p < 0) throw new RangeError('no page for the zero page');
    return new Uint32Array(this.memory.buffer, this.args, 1)[0];
  }

  /** A byte view of the whole memory (it never grows, so one view serves). */
  readonly mem: Uint8Array;

  /** The completion ring's head and tail words (superblock +40, +44). */
  protected readonly completionWords: Uint32Array;

  protected install(file: OpenFile): number {
    for (let fd = FIRST_FD; fd < MAX_FDS; fd++) {
      if (!this.fds.has(fd)) {
        this.fds.set(fd, file);
        this.fdv[fd] = file;
        return fd;
      }
    }
    return EMFILE;
  }

  protected file(fd: number): OpenFile | undefined {
    return this.fdv[fd];
  }

  protected fdsFree(): number {
    return MAX_FDS - FIRST_FD - this.fds.size;
  }

  /** Turns a core/file result into a return value or a thrown error. */
  protected check(syscall: string, r: Result): number {
    // The common case first, in as few steps as possible: every call ends here.
    if (this.completionWords[0] !== this.completionWords[1]) this.drainCompletions();
    if (r >= 0) {
      if (this.waiters.length !== 0) this.wake();
      return r;
    }
    if (r === BLOCK) throw new WouldBlock(syscall);
    throw new SyscallError(errnoName(-r), syscall);
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

  /** Resolves at the next change of kernel state. */
  changed(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** The virtual clock (ms) that acknowledgement delays run on. */
  get clock(): number {
    return this.now;
  }

  protected put(f: OpenFile): void {
    if (--f.refs > 0) return;
    if (f instanceof PipeEnd && f.pipe.files === 1) this.pipePagesAccounted -= f.pipe.accounted;
    if (f instanceof SocketEnd) this.ackedSockets.delete(f);
    f.release(this);
    this.drainCompletions();
  }

  /** Delivers the completions the core queued (a tag's last reference dropped). */
  protected drainCompletions(): void {
    // Most calls complete nothing: compare head and tail without calling in.
    if (this.completionWords[0] === this.completionWords[1]) return;
    for (let tag = this.core.completionPop(); tag !== 0; tag = this.core.completionPop()) {
      const owner = this.tagOwners.get(tag);
      this.tagOwners.delete(tag);
      this.core.tagFree(tag);
      owner?.file.complete(owner.id);
    }
  }

  protected fail(syscall: string, r: Result): never {
    this.check(syscall, r);
    throw new Error(`${syscall}: ${r} is not an error`);
  }

  protected posOf(f: OpenFile): Pos {
    return { value: f instanceof RegularFile ? f.pos : 0 };
  }

  protected setPos(f: OpenFile, pos: Pos): void {
    if (f instanceof RegularFile) f.pos = pos.value;
  }

  protected storePos(f: OpenFile, pos: Pos, off: Offset | null): void {
    if (off) off.value = pos.value;
    else this.setPos(f, pos);
  }
}

/** One core per variant on a scrap memory answers layout questions for every Kernel. */
const probes = new Map<boolean, CoreExports>();
function layoutProbe(shared: boolean): CoreExports {
  let p = probes.get(shared);
  if (!p) {
    const memory = new WebAssembly.Memory(shared ? { initial: 2, maximum: MAX_WASM_PAGES, shared: true } : { initial: 2, maximum: MAX_WASM_PAGES });
    p = instantiateCore(memory, shared);
    probes.set(shared, p);
  }
  return p;
}

function align(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}
