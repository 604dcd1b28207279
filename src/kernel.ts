// Kernel: one emulated machine. Owns the memory and the core, the fd table
// of its one process, and the syscall API. Calls never wait: where Linux
// would sleep they throw WouldBlock (or return the partial count moved), and
// `kernel.async` has the awaitable forms.

import {
  F_GETFL, F_GETPIPE_SZ, F_SETFL, F_SETPIPE_SZ, FIONREAD, MAX_RW_COUNT, O_ACCMODE, O_APPEND,
  O_CLOEXEC, O_CREAT, O_DIRECT, O_EXCL, O_NONBLOCK, O_RDONLY, O_RDWR, O_TRUNC, O_WRONLY,
  PAGE_SIZE, PIPE_DEF_BUFFERS, PIPE_MAX_SIZE, POLLNVAL, SPLICE_F_ALL, SPLICE_F_GIFT,
  SPLICE_F_NONBLOCK, UIO_MAXIOV,
} from './constants.js';
import { instantiateCore, MAX_WASM_PAGES, sharedMemoryAvailable, wasmPages, type CoreExports } from './core.js';
import { errnoName, SyscallError, WouldBlock } from './errors.js';
import { DevNull, DevZero } from './files/devices.js';
import { Directory } from './files/directory.js';
import type { OpenFile } from './files/file.js';
import {
  BLOCK, EAGAIN as EAGAIN_, EBADF, EBUSY, EEXIST, EFAULT, EINVAL, EMFILE, ENOENT, ENOMEM, EOVERFLOW,
  EPERM, ESPIPE, type Kctx, type Pos, type Result,
} from './files/kctx.js';
import { Inode, MAX_FILE_BYTES, RegularFile } from './files/memfs.js';
import { Pipe, PipeEnd, roundPipeSize } from './files/pipe.js';
import { socketPair, SocketEnd } from './files/socket.js';
import { NotifyFile } from './files/notify.js';
import { lend, type Loan } from './loan.js';
import { AsyncCalls } from './async.js';
import { UserMemory } from './usermem.js';
import type { PipeEndHandle } from './worker/handle.js';
import { resolvePath } from './path.js';
import { describeFd, takeSnapshot, type FdView, type KernelSnapshot } from './snapshot.js';
import type { IoVec, KernelStats, Offset, PollFd, UserBuffer } from './types.js';

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
}

/** fs/pipe.c: pipe_user_pages_soft = PIPE_DEF_BUFFERS * INR_OPEN_CUR. */
const PIPE_USER_PAGES_SOFT = PIPE_DEF_BUFFERS * 1024;
/** fs/pipe.c: PIPE_MIN_DEF_BUFFERS. */
const PIPE_MIN_DEF_BUFFERS = 2;
/** fcntl(F_SETFL) may change only these (fs/fcntl.c SETFL_MASK). */
const SETFL_MASK = O_APPEND | O_NONBLOCK | O_DIRECT | 0o1000000 /* O_NOATIME */;
const ARGS_SIZE = 256 * 1024;
const STAGE_SIZE = 2 * 1024 * 1024 + 2 * PAGE_SIZE;
/** The first fd a process gets: 0, 1 and 2 are stdin, stdout and stderr. */
const FIRST_FD = 3;
const MAX_FDS = 1024;

export class Kernel implements Kctx {
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
  readonly async: AsyncCalls;
  private readonly fds = new Map<number, OpenFile>();
  /** The same table as an array: the lookup every call makes, without hashing. */
  private readonly fdv: (OpenFile | undefined)[] = new Array(MAX_FDS).fill(undefined);
  private readonly files = new Map<string, Inode>();
  private readonly user: UserMemory;
  private readonly initialFree: number;
  /** Pipe pages accounted to the (one) user, fs/pipe.c account_pipe_buffers(). */
  private pipePagesAccounted = 0;
  private readonly waiters: (() => void)[] = [];
  /** Release tag -> the notification it completes. */
  private readonly tagOwners = new Map<number, { file: NotifyFile; id: number }>();
  private readonly ackedSockets = new Set<SocketEnd>();
  private now = 0;
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
    this.user = new UserMemory(this, npages, nuser);
    this.initialFree = this.core.freeKernelPages() + this.core.freeUserPages();
    this.async = new AsyncCalls(this);
  }

  private memoryDescriptor(initial: number): WebAssembly.MemoryDescriptor {
    return this.shared ? { initial, maximum: MAX_WASM_PAGES, shared: true } : { initial, maximum: MAX_WASM_PAGES };
  }

  private takeZeroPage(): number {
    const p = this.core.allocPages(this.args, 1);
    if (p < 0) throw new RangeError('no page for the zero page');
    return new Uint32Array(this.memory.buffer, this.args, 1)[0];
  }

  /** A byte view of the whole memory (it never grows, so one view serves). */
  readonly mem: Uint8Array;
  /** The completion ring's head and tail words (superblock +40, +44). */
  private readonly completionWords: Uint32Array;

  // ---- fd table -------------------------------------------------------

  private install(file: OpenFile): number {
    for (let fd = FIRST_FD; fd < MAX_FDS; fd++) {
      if (!this.fds.has(fd)) {
        this.fds.set(fd, file);
        this.fdv[fd] = file;
        return fd;
      }
    }
    return EMFILE;
  }

  private file(fd: number): OpenFile | undefined {
    return this.fdv[fd];
  }

  private fdsFree(): number {
    return MAX_FDS - FIRST_FD - this.fds.size;
  }

  // ---- results ----------------------------------------------------------

  /** Turns a core/file result into a return value or a thrown error. */
  private check(syscall: string, r: Result): number {
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

  // ---- pipes ------------------------------------------------------------

  /** pipe2(2). */
  pipe(flags = 0): [number, number] {
    if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT)) this.check('pipe2', EINVAL);
    if (this.fdsFree() < 2) this.check('pipe2', EMFILE);
    // alloc_pipe_info(): an unprivileged user over the soft limit gets 2 slots.
    let slots = PIPE_DEF_BUFFERS;
    if (this.pipePagesAccounted + slots > PIPE_USER_PAGES_SOFT) slots = PIPE_MIN_DEF_BUFFERS;
    const ring = this.check('pipe2', this.core.ringNew(slots));
    this.pipePagesAccounted += slots;
    const pipe = new Pipe(ring, slots);
    this.core.addReaders(ring, 1);
    this.core.addWriters(ring, 1);
    const nb = flags & O_NONBLOCK;
    const r = this.install(new PipeEnd(pipe, true, O_RDONLY | nb));
    // create_pipe_files(): only the write end keeps O_DIRECT.
    const w = this.install(new PipeEnd(pipe, false, O_WRONLY | nb | (flags & O_DIRECT)));
    return [r, w];
  }

  /**
   * Hands a pipe end to another thread (a Worker with `PipeClient.attach`),
   * as passing an fd to another process: the end stays open there until that
   * side closes it, whatever this side does. Needs a shared memory.
   */
  exportPipeEnd(fd: number): PipeEndHandle {
    const f = this.file(fd);
    if (!(f instanceof PipeEnd)) return this.fail('exportPipeEnd', EBADF);
    if (!this.shared) throw new TypeError('exportPipeEnd needs a kernel on a shared memory');
    const ring = f.pipe.ring;
    this.core.setThreaded();
    this.core.ringShare(ring);
    this.core.ringOpen(ring);
    if (f.isRead) this.core.addReaders(ring, 1);
    else this.core.addWriters(ring, 1);
    return {
      memory: this.memory, ring, end: f.isRead ? 'read' : 'write', pages: this.pages,
      nonblock: (f.flags & O_NONBLOCK) !== 0, packet: (f.flags & O_DIRECT) !== 0,
    };
  }

  isPipeReadEnd(fd: number): boolean {
    const f = this.file(fd);
    return f instanceof PipeEnd && f.isRead;
  }

  // ---- files --------------------------------------------------------------

  /** open(2) on the in-memory filesystem, /dev/null and /dev/zero. */
  open(path: string, flags: number, _mode = 0o644): number {
    const acc = flags & O_ACCMODE;
    if (acc === 3) this.check('open', EINVAL);
    const keep = flags & (O_ACCMODE | O_APPEND | O_NONBLOCK | O_DIRECT);
    let file: OpenFile;
    const where = resolvePath(path, flags, (name) => this.files.has(name));
    if (typeof where === 'number') return this.check('open', where);
    if (where.kind === 'dev') file = where.name === 'null' ? new DevNull(keep) : new DevZero(keep);
    else if (where.kind === 'dir') file = new Directory(keep);
    else {
      const r = this.lookup(where.name, flags);
      if (typeof r === 'number') return this.check('open', r);
      file = new RegularFile(r, keep);
    }
    const fd = this.install(file);
    if (fd < 0) file.release(this);
    return this.check('open', fd);
  }

  /** A name in the one flat directory. */
  private lookup(path: string, flags: number): Inode | Result {
    let inode = this.files.get(path);
    if (inode && flags & O_CREAT && flags & O_EXCL) return EEXIST;
    if (!inode) {
      if (!(flags & O_CREAT)) return ENOENT;
      inode = new Inode();
      this.files.set(path, inode);
    } else if (flags & O_TRUNC) {
      // do_open(): O_TRUNC truncates whatever the access mode.
      inode.truncate(this, 0);
    }
    return inode;
  }

  /**
   * socketpair(AF_UNIX, SOCK_STREAM). With `ackDelay` (ms of the kernel's
   * clock, see `tick`), each end behaves like TCP for page lifetimes: what it
   * sends stays referenced until the peer's acknowledgement arrives.
   */
  socketpair(opts: { ackDelay?: number } = {}): [number, number] {
    if (this.fdsFree() < 2) this.check('socketpair', EMFILE);
    const pair = socketPair(this, O_RDWR, opts.ackDelay);
    if (typeof pair === 'number') return [this.check('socketpair', pair), 0];
    if (opts.ackDelay !== undefined) pair.forEach((end) => this.ackedSockets.add(end));
    return [this.install(pair[0]), this.install(pair[1])];
  }

  /** The virtual clock (ms) that acknowledgement delays run on. */
  get clock(): number {
    return this.now;
  }

  /** Advances the clock: acknowledgements now due arrive and release their pages. */
  tick(ms = 0): void {
    this.now += ms;
    for (const end of this.ackedSockets) end.ack(this);
    this.drainCompletions();
    this.wake();
  }

  dup(fd: number): number {
    const f = this.file(fd);
    if (!f) return this.check('dup', EBADF);
    const nfd = this.check('dup', this.install(f));
    f.refs++;
    return nfd;
  }

  /** dup2(2): `newfd` (closed first if open) names the same open file as `oldfd`. */
  dup2(oldfd: number, newfd: number): number {
    const f = this.file(oldfd);
    if (!f || newfd < 0 || newfd >= MAX_FDS) return this.check('dup2', EBADF);
    if (oldfd === newfd) return newfd;
    const old = this.file(newfd);
    this.fds.set(newfd, f);
    this.fdv[newfd] = f;
    f.refs++;
    if (old) this.put(old);
    this.wake();
    return newfd;
  }

  /** What an fd is (for fstat-like callers such as the WASI host), or undefined if closed. */
  describe(fd: number): FdView | undefined {
    const f = this.file(fd);
    if (!f) return undefined;
    const paths = new Map([...this.files].map(([p, i]) => [i, p]));
    const view = describeFd(fd, f, paths);
    if (f instanceof RegularFile) view.size = f.inode.size;
    return view;
  }

  close(fd: number): void {
    const f = this.file(fd);
    if (!f) this.check('close', EBADF);
    this.fds.delete(fd);
    this.fdv[fd] = undefined;
    this.put(f!);
    this.wake();
  }

  private put(f: OpenFile): void {
    if (--f.refs > 0) return;
    if (f instanceof PipeEnd && f.pipe.files === 1) this.pipePagesAccounted -= f.pipe.accounted;
    if (f instanceof SocketEnd) this.ackedSockets.delete(f);
    f.release(this);
    this.drainCompletions();
  }

  // ---- release notifications --------------------------------------------

  /**
   * A release-notification fd: it becomes readable (poll IN) when every page
   * reference made by a `vmspliceNotify` has been dropped; each read returns
   * 8-byte records (u32 lo, u32 hi) of released ids.
   */
  notifyfd(flags = 0): number {
    return this.check('notifyfd', this.install(new NotifyFile(flags)));
  }

  /**
   * vmsplice into a pipe, tracked: returns the count and the id that
   * `notifyFd` reports once no pipe, file, socket or retransmit queue in the
   * kernel references those pages any more: then the buffer may be reused.
   */
  vmspliceNotify(fd: number, iov: IoVec[], flags: number, notifyFd: number): { count: number; id: number } {
    const nf = this.file(notifyFd);
    if (!(nf instanceof NotifyFile)) return { count: this.check('vmsplice', EBADF), id: -1 };
    const tag = this.core.tagNew();
    if (tag < 0) return { count: this.check('vmsplice', tag), id: -1 };
    let count: number;
    try {
      count = this.vmspliceTagged(fd, iov, flags, tag, true);
    } catch (e) {
      this.core.tagFree(tag);
      throw e;
    }
    if (count === 0) {
      this.core.tagFree(tag);
      return { count, id: -1 };
    }
    const id = nf.track();
    this.tagOwners.set(tag, { file: nf, id });
    return { count, id };
  }

  /** Whether vmspliceNotify's `id` on `notifyFd` has been released (no waiting). */
  isReleased(notifyFd: number, id: number): boolean {
    const nf = this.file(notifyFd);
    if (!(nf instanceof NotifyFile)) return this.fail('isReleased', EBADF);
    this.drainCompletions();
    return nf.isReleased(id);
  }

  /** Resolves when vmspliceNotify's `id` on `notifyFd` has been released. */
  released(notifyFd: number, id: number): Promise<void> {
    const nf = this.file(notifyFd);
    if (!(nf instanceof NotifyFile)) return Promise.reject(new SyscallError('EBADF', 'released'));
    return nf.whenReleased(id);
  }

  /** Delivers the completions the core queued (a tag's last reference dropped). */
  private drainCompletions(): void {
    // Most calls complete nothing: compare head and tail without calling in.
    if (this.completionWords[0] === this.completionWords[1]) return;
    for (let tag = this.core.completionPop(); tag !== 0; tag = this.core.completionPop()) {
      const owner = this.tagOwners.get(tag);
      this.tagOwners.delete(tag);
      this.core.tagFree(tag);
      owner?.file.complete(owner.id);
    }
  }

  /**
   * The read side of zero-copy: lends the next buffers' pages as views
   * (offset and length intact), consuming them from the pipe; the pages go
   * back to the pool when the loan is released. The views are read-only by
   * contract: writing through one would change a page others may share.
   */
  vmspliceLoan(fd: number, len: number, flags: number): Loan {
    if (flags & ~SPLICE_F_ALL) this.check('vmsplice', EINVAL);
    const f = this.file(fd);
    const r = f?.pipeRing();
    if (!f || r === undefined || !f.readable) return this.fail('vmsplice', EBADF);
    // As vmsplice out of a pipe: only SPLICE_F_NONBLOCK makes an empty pipe EAGAIN.
    if (len > 0 && this.core.occupancy(r) === 0 && this.core.writers(r) > 0) {
      this.check('vmsplice', flags & SPLICE_F_NONBLOCK ? EAGAIN_ : BLOCK);
    }
    return lend(this, r, Math.min(len, MAX_RW_COUNT));
  }

  private fail(syscall: string, r: Result): never {
    this.check(syscall, r);
    throw new Error(`${syscall}: ${r} is not an error`);
  }

  // ---- read and write -------------------------------------------------------

  /** read(2): returns the bytes read (a copy). */
  read(fd: number, count: number): Uint8Array {
    const f = this.file(fd);
    if (!f || !f.readable) this.check('read', EBADF);
    count = Math.min(count, MAX_RW_COUNT);
    // Pipes and sockets hold less than the staging area; files and devices
    // are read a staging area at a time, as one call.
    const chunked = f!.positional;
    const parts: Uint8Array[] = [];
    let total = 0;
    const pos = this.posOf(f!);
    do {
      const n = Math.min(count - total, STAGE_SIZE);
      const r = n === 0 && total > 0 ? 0 : f!.read(this, this.stage, n, pos);
      if (r < 0 && total > 0) break;
      this.setPos(f!, pos);
      const got = this.check('read', r);
      parts.push(this.mem.slice(this.stage, this.stage + got));
      total += got;
      if (got < n || got === 0) break;
    } while (chunked && total < count);
    if (parts.length === 1) return parts[0];
    const out = new Uint8Array(total);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  /**
   * read(2) into `dst`: when `dst` is a view of this kernel's memory (a user
   * buffer), the one copy is the kernel's, as with Linux's read into user
   * memory; returns the count.
   */
  readInto(fd: number, dst: Uint8Array): number {
    if (dst.buffer !== this.memory.buffer) {
      const got = this.read(fd, dst.length);
      dst.set(got);
      return got.length;
    }
    const f = this.file(fd);
    if (!f || !f.readable) return this.check('read', EBADF);
    const pos = this.posOf(f);
    const r = f.read(this, dst.byteOffset, Math.min(dst.length, MAX_RW_COUNT), pos);
    this.setPos(f, pos);
    return this.check('read', r);
  }

  /** write(2). `data` may be a view of this kernel's memory (no staging copy). */
  write(fd: number, data: Uint8Array): number {
    const f = this.file(fd);
    if (!f || !f.writable) this.check('write', EBADF);
    return this.check('write', this.writeStep(f!, data, true));
  }

  /** The rest of a blocking write after a wait: Linux merges only at a write's start. */
  writeMore(fd: number, data: Uint8Array): number {
    const f = this.file(fd);
    if (!f || !f.writable) this.check('write', EBADF);
    return this.check('write', this.writeStep(f!, data, false));
  }

  /** One write attempt; `first` is false when continuing after a wait. */
  private writeStep(f: OpenFile, data: Uint8Array, first: boolean): Result {
    const len = Math.min(data.length, MAX_RW_COUNT);
    const pos = this.posOf(f);
    // An empty write still reaches the file: a socket answers EPIPE to it.
    if (len === 0) return f.write(this, this.stage, 0, pos);
    let done = 0;
    while (done < len) {
      const n = Math.min(len - done, STAGE_SIZE);
      const src = this.stageBytes(data.subarray(done, done + n));
      const r = f instanceof PipeEnd ? f.writeStep(this, src, n, first && done === 0) : f.write(this, src, n, pos);
      if (r < 0) {
        this.setPos(f, pos);
        return done > 0 ? done : r;
      }
      done += r;
      if (r < n) break;
    }
    this.setPos(f, pos);
    return done;
  }

  /** The address of `data` in memory, copying it into the staging area if needed. */
  private stageBytes(data: Uint8Array): number {
    if (data.buffer === this.memory.buffer) return data.byteOffset;
    this.mem.set(data, this.stage);
    return this.stage;
  }

  private posOf(f: OpenFile): Pos {
    return { value: f instanceof RegularFile ? f.pos : 0 };
  }

  private setPos(f: OpenFile, pos: Pos): void {
    if (f instanceof RegularFile) f.pos = pos.value;
  }

  lseek(fd: number, offset: number, whence: number): number {
    const f = this.file(fd);
    if (!f) return this.check('lseek', EBADF);
    return this.check('lseek', f.lseek(this, offset, whence));
  }

  // ---- splice family ------------------------------------------------------

  /** splice(2): SYSCALL_DEFINE6(splice), __do_splice(), do_splice() (fs/splice.c). */
  splice(fdIn: number, offIn: Offset | null, fdOut: number, offOut: Offset | null, len: number, flags: number): number {
    if (len === 0) return 0;
    if (flags & ~SPLICE_F_ALL) return this.check('splice', EINVAL);
    const fin = this.file(fdIn);
    const fout = this.file(fdOut);
    if (!fin || !fout) return this.check('splice', EBADF);
    const ipipe = fin.pipeRing();
    const opipe = fout.pipeRing();
    if ((ipipe !== undefined && offIn) || (opipe !== undefined && offOut)) return this.check('splice', ESPIPE);
    if (!fin.readable || !fout.writable) return this.check('splice', EBADF);
    len = Math.min(len, MAX_RW_COUNT);
    let nonblock = (flags & SPLICE_F_NONBLOCK) !== 0;
    if (ipipe !== undefined && opipe !== undefined) {
      if (ipipe === opipe) return this.check('splice', EINVAL);
      nonblock ||= ((fin.flags | fout.flags) & O_NONBLOCK) !== 0;
      return this.check('splice', this.core.splicePipeToPipe(ipipe, opipe, len, nonblock));
    }
    if (ipipe !== undefined) {
      if (offOut && !fout.positional) return this.check('splice', EINVAL);
      if (fout.flags & O_APPEND) return this.check('splice', EINVAL);
      const pos: Pos = offOut ? { value: offOut.value } : this.posOf(fout);
      if (pos.value + len > Number.MAX_SAFE_INTEGER * 1024) return this.check('splice', EINVAL);
      nonblock ||= (fin.flags & O_NONBLOCK) !== 0;
      const r = fout.spliceWrite(this, ipipe, pos, len, nonblock);
      if (r >= 0) this.storePos(fout, pos, offOut);
      return this.check('splice', r);
    }
    if (opipe !== undefined) {
      if (offIn && !fin.positional) return this.check('splice', EINVAL);
      const pos: Pos = offIn ? { value: offIn.value } : this.posOf(fin);
      nonblock ||= (fout.flags & O_NONBLOCK) !== 0;
      const r = this.fileToPipe(fin, pos, opipe, len, nonblock);
      if (r >= 0) this.storePos(fin, pos, offIn);
      return this.check('splice', r);
    }
    return this.check('splice', EINVAL);
  }

  private storePos(f: OpenFile, pos: Pos, off: Offset | null): void {
    if (off) off.value = pos.value;
    else this.setPos(f, pos);
  }

  /** splice_file_to_pipe(): wait_for_space(), then do_splice_read(). */
  private fileToPipe(fin: OpenFile, pos: Pos, r: number, len: number, nonblock: boolean): Result {
    const wait = this.core.waitForSpace(r, nonblock);
    if (wait !== 0) return wait;
    if (!fin.readable) return EBADF;
    if (len === 0) return 0;
    const room = this.core.maxUsage(r) - this.core.occupancy(r);
    len = Math.min(len, room * PAGE_SIZE);
    return fin.spliceRead(this, pos, r, len, nonblock);
  }

  /** tee(2): flags first, then len, then the fds (fs/splice.c). */
  tee(fdIn: number, fdOut: number, len: number, flags: number): number {
    if (flags & ~SPLICE_F_ALL) return this.check('tee', EINVAL);
    if (len === 0) return 0;
    const fin = this.file(fdIn);
    const fout = this.file(fdOut);
    if (!fin || !fout) return this.check('tee', EBADF);
    if (!fin.readable || !fout.writable) return this.check('tee', EBADF);
    const a = fin.pipeRing();
    const b = fout.pipeRing();
    if (a === undefined || b === undefined || a === b) return this.check('tee', EINVAL);
    const nonblock = (flags & SPLICE_F_NONBLOCK) !== 0 || ((fin.flags | fout.flags) & O_NONBLOCK) !== 0;
    return this.check('tee', this.core.tee(a, b, Math.min(len, MAX_RW_COUNT), nonblock));
  }

  /**
   * vmsplice(2). On a pipe's write end the pipe references the iovecs' pages
   * (zero-copy: changing them before the reader reads changes what it reads);
   * on a read end the pipe's bytes are copied into them.
   */
  vmsplice(fd: number, iov: IoVec[], flags: number): number {
    return this.vmspliceTagged(fd, iov, flags, 0, false);
  }

  /** vmsplice; `tag` marks the slots for a release notification (`toPipeOnly`: no copy-out). */
  private vmspliceTagged(fd: number, iov: IoVec[], flags: number, tag: number, toPipeOnly: boolean): number {
    if (flags & ~SPLICE_F_ALL) return this.check('vmsplice', EINVAL);
    const f = this.file(fd);
    if (!f || !(f.writable || f.readable)) return this.check('vmsplice', EBADF);
    if (iov.length > UIO_MAXIOV) return this.check('vmsplice', EINVAL);
    const spans = this.user.spans(iov);
    if (spans === undefined) return this.check('vmsplice', EFAULT);
    const total = iov.reduce((n, v) => n + v.length, 0);
    if (total === 0) return 0;
    const r = f.pipeRing();
    if (r === undefined) return this.check('vmsplice', EBADF);
    const nonblock = (flags & SPLICE_F_NONBLOCK) !== 0;
    if (f.writable) {
      const n = this.user.mapIn(spans, Math.min(total, MAX_RW_COUNT));
      return this.check('vmsplice', this.core.vmspliceToPipe(r, this.args, n, (flags & SPLICE_F_GIFT) !== 0, nonblock, tag));
    }
    if (toPipeOnly) return this.check('vmsplice', EBADF);
    const n = this.user.copyOutList(spans);
    const got = this.core.pipeToUser(r, this.args, n, nonblock);
    if (got > 0) this.user.markWritten(spans, got);
    return this.check('vmsplice', got);
  }

  /** sendfile(2): do_sendfile() (fs/read_write.c). */
  sendfile(outFd: number, inFd: number, off: Offset | null, count: number): number {
    const fin = this.file(inFd);
    if (!fin || !fin.readable) return this.check('sendfile', EBADF);
    if (off && !fin.positional) return this.check('sendfile', ESPIPE);
    const pos: Pos = off ? { value: off.value } : this.posOf(fin);
    count = Math.min(count, MAX_RW_COUNT);
    const fout = this.file(outFd);
    if (!fout || !fout.writable) return this.check('sendfile', EBADF);
    // The smaller s_maxbytes of the two files bounds the input position:
    // ext4's for a regular file, MAX_LFS_FILESIZE (never reached) otherwise.
    if ((fin.regular || fout.regular) && pos.value + count > MAX_FILE_BYTES) {
      if (pos.value >= MAX_FILE_BYTES) return this.check('sendfile', EOVERFLOW);
      count = MAX_FILE_BYTES - pos.value;
    }
    const opipe = fout.pipeRing();
    let r: Result;
    if (opipe !== undefined) {
      r = this.fileToPipe(fin, pos, opipe, count, (fout.flags & O_NONBLOCK) !== 0);
    } else {
      r = this.spliceDirect(fin, pos, fout, count);
    }
    if (r >= 0) this.storePos(fin, pos, off);
    return this.check('sendfile', r);
  }

  /** do_splice_direct(): through an internal pipe, a pipe-full at a time. */
  private spliceDirect(fin: OpenFile, pos: Pos, fout: OpenFile, count: number): Result {
    if (fout.flags & O_APPEND) return EINVAL;
    // The input must be seekable (a file or /dev/zero, not a pipe or socket).
    if (!fin.positional) return EINVAL;
    if (count === 0) return 0;
    const ring = this.core.ringNew(PIPE_DEF_BUFFERS);
    if (ring < 0) return ENOMEM;
    this.core.addReaders(ring, 1);
    this.core.addWriters(ring, 1);
    const outPos = this.posOf(fout);
    let done = 0;
    let result: Result = 0;
    try {
      while (done < count) {
        const prev = pos.value;
        const got = fin.spliceRead(this, pos, ring, count - done, false);
        if (got <= 0) { result = got; break; }
        const put = fout.spliceWrite(this, ring, outPos, got, false);
        // A short write leaves the input at what was written (splice_direct_to_actor).
        if (put < got) pos.value = prev + Math.max(put, 0);
        if (put < 0) { result = put; break; }
        done += put;
        if (put < got) break;
      }
    } finally {
      this.core.ringFree(ring);
    }
    this.setPos(fout, outPos);
    return done > 0 ? done : result;
  }

  // ---- control --------------------------------------------------------------

  fcntl(fd: number, cmd: number, arg = 0): number {
    const f = this.file(fd);
    if (!f) return this.check('fcntl', EBADF);
    switch (cmd) {
      case F_GETFL:
        return f.flags;
      case F_SETFL:
        f.flags = (f.flags & ~SETFL_MASK) | (arg & SETFL_MASK);
        return 0;
      case F_GETPIPE_SZ:
      case F_SETPIPE_SZ: {
        if (!(f instanceof PipeEnd)) return this.check('fcntl', EBADF);
        if (cmd === F_GETPIPE_SZ) return this.core.maxUsage(f.pipe.ring) * PAGE_SIZE;
        return this.check('fcntl', this.setPipeSize(f.pipe, arg));
      }
      default:
        return this.check('fcntl', EINVAL);
    }
  }

  /** pipe_set_size() (fs/pipe.c); pipe_fcntl() takes the argument as an unsigned int. */
  private setPipeSize(pipe: Pipe, arg: number): Result {
    const size = roundPipeSize(Number(BigInt.asUintN(32, BigInt(Math.trunc(arg)))));
    const slots = size / PAGE_SIZE;
    if (slots === 0) return EINVAL;
    const cur = this.core.maxUsage(pipe.ring);
    if (slots > cur && size > PIPE_MAX_SIZE) return EPERM;
    const accounted = this.pipePagesAccounted - pipe.accounted + slots;
    if (slots > cur && accounted > PIPE_USER_PAGES_SOFT) return EPERM;
    const r = this.core.ringResize(pipe.ring, slots);
    if (r < 0) return r === -16 ? EBUSY : r;
    this.pipePagesAccounted = accounted;
    pipe.accounted = slots;
    this.wake();
    return slots * PAGE_SIZE;
  }

  /** ioctl(2); FIONREAD returns the count it stores. */
  ioctl(fd: number, request: number): number {
    const f = this.file(fd);
    if (!f) return this.check('ioctl', EBADF);
    if (request !== FIONREAD) return this.check('ioctl', -25);
    const r = f.fionread(this);
    // A regular file past its end stores a negative count; only ENOTTY is an error here.
    if (r === -25 && !(f instanceof RegularFile)) return this.check('ioctl', r);
    return r;
  }

  fionread(fd: number): number {
    return this.ioctl(fd, FIONREAD);
  }

  /** poll(2) with timeout 0: the revents of each entry. */
  poll(fds: PollFd[], _timeout = 0): number[] {
    return fds.map(({ fd, events }) => {
      if (fd < 0) return 0;
      const f = this.file(fd);
      if (!f) return POLLNVAL;
      // POLLERR, POLLHUP and POLLNVAL are reported whatever was asked.
      return f.poll(this) & (events | 0x8 | 0x10 | 0x20);
    });
  }

  // ---- user memory ------------------------------------------------------------

  /** Page-aligned, zeroed user memory that vmsplice maps without copying. */
  alloc(length: number): UserBuffer {
    const buf = this.user.alloc(length);
    if (!buf) throw new SyscallError('ENOMEM', 'alloc');
    return buf;
  }

  /** Releases user memory; pages still in a pipe stay until the pipe lets go. */
  free(buf: UserBuffer): void {
    this.user.free(buf);
  }

  /** Tells the kernel these bytes were written (a first write maps a real page). */
  touch(buf: UserBuffer, offset: number, length: number): void {
    this.user.touch(buf, offset, length);
  }

  // ---- accounting -------------------------------------------------------------

  /** The whole state as plain data: rings and slots, pages and their holders, fds. */
  snapshot(): KernelSnapshot {
    const st = this.stats();
    return takeSnapshot({
      core: this.core, memory: this.memory, zeroPage: this.zeroPage, fds: this.fds, files: this.files,
      userRuns: this.user.list(), pool: { total: st.pagesTotal, inUse: st.pagesInUse },
    });
  }

  stats(): KernelStats {
    const total = this.core.freeKernelPages() + this.core.freeUserPages();
    const all = this.initialFree;
    return { pagesTotal: all, pagesFree: total, pagesInUse: all - total, openFiles: this.fds.size };
  }

  /** Closes every fd, frees all user memory and files: the pool is whole again. */
  destroy(): void {
    for (const fd of [...this.fds.keys()]) this.close(fd);
    this.user.freeAll();
    for (const inode of this.files.values()) {
      inode.links = 0;
      if (inode.opens === 0) inode.dropAll(this);
    }
    this.files.clear();
    if (this.taskFrag.page >= 0) this.core.pagePut(this.taskFrag.page);
    this.taskFrag.page = -1;
  }

  /** Removes a file's name; its pages go when the last open file closes. */
  unlink(path: string): void {
    const inode = this.files.get(path);
    if (!inode) this.check('unlink', ENOENT);
    this.files.delete(path);
    inode!.links = 0;
    if (inode!.opens === 0) inode!.dropAll(this);
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
