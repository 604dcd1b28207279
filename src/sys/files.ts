// The fd-level calls: pipes, open, sockets, dup, close, read, write,
// lseek, fcntl, ioctl and poll.

import { F_GETFL, F_GETPIPE_SZ, F_SETFL, F_SETPIPE_SZ, FIONREAD, MAX_RW_COUNT, O_ACCMODE, O_APPEND, O_CLOEXEC, O_CREAT, O_DIRECT, O_EXCL, O_NONBLOCK, O_RDONLY, O_RDWR, O_TRUNC, O_WRONLY, PAGE_SIZE, PIPE_DEF_BUFFERS, PIPE_MAX_SIZE, POLLNVAL } from '../constants.js';
import { DevNull, DevZero } from '../files/devices.js';
import { Directory } from '../files/directory.js';
import type { OpenFile } from '../files/file.js';
import { EBADF, EBUSY, EEXIST, EINVAL, EMFILE, ENOENT, EPERM, type Result } from '../files/kctx.js';
import { Inode, RegularFile } from '../files/memfs.js';
import { Pipe, PipeEnd, roundPipeSize } from '../files/pipe.js';
import { socketPair } from '../files/socket.js';
import type { PipeEndHandle } from '../worker/handle.js';
import { resolvePath } from '../path.js';
import { describeFd, type FdView } from '../snapshot.js';
import type { PollFd } from '../types.js';
import { KernelBase, PIPE_USER_PAGES_SOFT, PIPE_MIN_DEF_BUFFERS, SETFL_MASK, STAGE_SIZE, MAX_FDS } from './base.js';


export abstract class FileCalls extends KernelBase {
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
  protected lookup(path: string, flags: number): Inode | Result {
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
  protected writeStep(f: OpenFile, data: Uint8Array, first: boolean): Result {
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
  protected stageBytes(data: Uint8Array): number {
    if (data.buffer === this.memory.buffer) return data.byteOffset;
    this.mem.set(data, this.stage);
    return this.stage;
  }

  lseek(fd: number, offset: number, whence: number): number {
    const f = this.file(fd);
    if (!f) return this.check('lseek', EBADF);
    return this.check('lseek', f.lseek(this, offset, whence));
  }

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
  protected setPipeSize(pipe: Pipe, arg: number): Result {
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
}
