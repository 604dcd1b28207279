// The fd-level calls: pipes, open, sockets, dup, close, read, write,
// lseek, fcntl, ioctl, poll and unlink, each on the calling task, with
// Linux's order of checks (fs/pipe.c, fs/open.c, fs/file.c, fs/fcntl.c,
// fs/read_write.c, net/socket.c).

import {
  F_DUPFD,
  F_DUPFD_CLOEXEC,
  F_GETFD,
  F_GETFL,
  F_GETPIPE_SZ,
  F_SETFD,
  F_SETFL,
  F_SETPIPE_SZ,
  FASYNC,
  FD_CLOEXEC,
  FIONREAD,
  MAX_RW_COUNT,
  O_ACCMODE,
  O_APPEND,
  O_CLOEXEC,
  O_CREAT,
  O_DIRECT,
  O_EXCL,
  O_NOATIME,
  O_NONBLOCK,
  O_RDONLY,
  O_RDWR,
  O_TRUNC,
  O_WRONLY,
  PAGE_SIZE,
  PIPE_DEF_BUFFERS,
  PIPE_MAX_SIZE,
  POLLERR,
  POLLHUP,
  POLLNVAL,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  SOCK_MAX,
  SOCK_NONBLOCK,
  SOCK_RAW,
  SOCK_SEQPACKET,
  SOCK_STREAM,
  SOCK_TYPE_MASK,
} from '../constants.js';
import { devOpen } from '../files/devices.js';
import { Directory } from '../files/directory.js';
import type { OpenFile } from '../files/file.js';
import { dgramPair } from '../files/dgram.js';
import { EACCES, EBADF, EEXIST, EINVAL, EISDIR, EMFILE, ENOENT, ENOTTY, EPERM, ESOCKTNOSUPPORT, type Pos, type Result } from '../files/kctx.js';
import { HostFile } from '../files/hostfile.js';
import { Inode, RegularFile } from '../files/memfs.js';
import { Pipe, PipeEnd, roundPipeSize } from '../files/pipe.js';
import { SocketEnd, streamPair } from '../files/socket.js';
import { PIPE_MIN_DEF_BUFFERS, PIPE_USER_PAGES_SOFT } from '../machine.js';
import { getname, resolvePath } from '../path.js';
import type { Offset, PollFd, SocketPairOptions } from '../types.js';
import type { Task } from './task.js';

/** fcntl(F_SETFL) may change only these (fs/fcntl.c SETFL_MASK). */
export const SETFL_MASK = O_APPEND | O_NONBLOCK | O_DIRECT | O_NOATIME;
/** POLLERR, POLLHUP and POLLNVAL are reported whatever was asked (fs/select.c). */
const POLL_ALWAYS = POLLERR | POLLHUP | POLLNVAL;

/** pipe2(2): __do_pipe_flags(): flags, then the files (ENFILE), then the fds (EMFILE). */
export function pipe(p: Task, flags = 0): [number, number] {
  const m = p.machine;
  if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT)) p.fail('pipe2', EINVAL);
  // alloc_pipe_info(): an unprivileged user over the soft limit gets 2 slots.
  let slots = PIPE_DEF_BUFFERS;
  if (m.pipePagesAccounted + slots > PIPE_USER_PAGES_SOFT) slots = PIPE_MIN_DEF_BUFFERS;
  const ring = p.check('pipe2', m.core.ringNew(slots));
  const charged = m.chargeFiles(2);
  if (charged < 0) {
    m.core.ringFree(ring);
    p.fail('pipe2', charged);
  }
  m.pipePagesAccounted += slots;
  const pipe = new Pipe(ring, slots);
  m.core.addReaders(ring, 1);
  m.core.addWriters(ring, 1);
  const nb = flags & O_NONBLOCK;
  const rd = new PipeEnd(pipe, true, O_RDONLY | nb);
  // create_pipe_files(): only the write end keeps O_DIRECT.
  const wr = new PipeEnd(pipe, false, O_WRONLY | nb | (flags & O_DIRECT));
  if (!p.fds.hasRoom(2)) {
    m.put(rd, p);
    m.put(wr, p);
    p.fail('pipe2', EMFILE);
  }
  const cloexec = (flags & O_CLOEXEC) !== 0;
  return [p.install(rd, cloexec), p.install(wr, cloexec)];
}

/**
 * open(2) on the in-memory directory and /dev: do_sys_openat2() checks the
 * flags and the name, takes an fd (EMFILE), then a file (ENFILE), then walks.
 */
export function open(p: Task, path: string, flags: number, mode = 0o644): number {
  const m = p.machine;
  if ((flags & O_ACCMODE) === O_ACCMODE) p.fail('open', EINVAL);
  const name = getname(path);
  if (typeof name === 'number') p.fail('open', name);
  if (!p.fds.hasRoom(1)) p.fail('open', EMFILE);
  p.check('open', m.chargeFiles(1));
  const keep = flags & (O_ACCMODE | O_APPEND | O_NONBLOCK | O_DIRECT);
  let file: OpenFile;
  const where = resolvePath(name, flags, (n) => m.files.has(n), m.mounts);
  if (typeof where === 'number') {
    m.openFiles--;
    p.fail('open', where);
  }
  if (where.kind === 'dev') file = devOpen(where.name, keep);
  else if (where.kind === 'dir') file = new Directory(keep);
  else if (where.kind === 'host') {
    const h = where.dir.open(where.rel, flags & (O_ACCMODE | O_CREAT | O_EXCL | O_TRUNC), mode);
    if (typeof h === 'number') {
      m.openFiles--;
      p.fail('open', h);
    }
    file = h === 'directory' ? new Directory(keep) : new HostFile(h, keep, where.name);
  } else {
    const r = lookup(p, where.name, flags);
    if (typeof r === 'number') {
      m.openFiles--;
      p.fail('open', r);
    }
    file = new RegularFile(r, keep);
  }
  return p.install(file, (flags & O_CLOEXEC) !== 0);
}

/** A name in the one flat directory. */
function lookup(p: Task, path: string, flags: number): Inode | Result {
  const files = p.machine.files;
  let inode = files.get(path);
  if (inode && flags & O_CREAT && flags & O_EXCL) return EEXIST;
  if (!inode) {
    if (!(flags & O_CREAT)) return ENOENT;
    inode = new Inode(p.machine.fileQuota);
    files.set(path, inode);
  } else if (flags & O_TRUNC) {
    // do_open(): O_TRUNC truncates whatever the access mode.
    inode.truncate(p, 0);
  }
  return inode;
}

/** unlink(2): removes a name; its pages go when the last open file closes. */
export function unlink(p: Task, path: string): void {
  const files = p.machine.files;
  const where = resolvePath(path, 0, (n) => files.has(n), p.machine.mounts);
  if (typeof where === 'number') p.fail('unlink', where);
  // do_unlinkat(): a directory is EISDIR; the devices are root's (an unprivileged user gets EACCES).
  if (where.kind === 'dir') p.fail('unlink', EISDIR);
  if (where.kind === 'dev') p.fail('unlink', EACCES);
  if (where.kind === 'host') {
    p.check('unlink', where.dir.unlink(where.rel));
    return;
  }
  const inode = files.get(where.name);
  if (!inode) p.fail('unlink', ENOENT);
  files.delete(where.name);
  inode.links = 0;
  if (inode.opens === 0) inode.dropAll(p);
}

/**
 * socketpair(AF_UNIX, type, 0): __sys_socketpair() refuses flags in `type`
 * other than SOCK_NONBLOCK and SOCK_CLOEXEC, takes both fds (EMFILE), and
 * only then makes the sockets. With `ackDelay` (ms of the machine's clock,
 * see `tick`), each end of a stream pair behaves like TCP for page
 * lifetimes: what it sends stays referenced until the peer's acknowledgement.
 */
export function socketpair(p: Task, opts: SocketPairOptions = {}): [number, number] {
  const m = p.machine;
  const type = opts.type ?? SOCK_STREAM;
  if (!socketTypeFlagsValid(type)) p.fail('socketpair', EINVAL);
  if (!p.fds.hasRoom(2)) p.fail('socketpair', EMFILE);
  const kind = unixType(type & SOCK_TYPE_MASK);
  if (kind < 0) p.fail('socketpair', kind);
  const flags = O_RDWR | (type & SOCK_NONBLOCK);
  const pair = kind === SOCK_STREAM ? streamPair(p, flags, opts.ackDelay) : dgramPair(p, kind, flags);
  if (typeof pair === 'number') p.fail('socketpair', pair);
  const charged = m.chargeFiles(2);
  if (charged < 0) {
    m.openFiles += 2; // put() counts them down again
    pair.forEach((end) => m.put(end, p));
    p.fail('socketpair', charged);
  }
  // Only a stream pair takes an ackDelay (the argument check sees to it).
  if (opts.ackDelay !== undefined) for (const end of pair) if (end instanceof SocketEnd) m.ackedSockets.add(end);
  const cloexec = (type & SOCK_CLOEXEC) !== 0;
  return [p.install(pair[0], cloexec), p.install(pair[1], cloexec)];
}

/** __sys_socketpair(): a type carries no flag but SOCK_NONBLOCK and SOCK_CLOEXEC. */
export function socketTypeFlagsValid(type: number): boolean {
  return (type & ~SOCK_TYPE_MASK & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) === 0;
}

/**
 * __sock_create() refuses a type past SOCK_MAX (EINVAL), unix_create() one
 * it has no operations for; it takes SOCK_RAW as SOCK_DGRAM.
 */
function unixType(type: number): number {
  if (type >= SOCK_MAX) return EINVAL;
  if (type === SOCK_RAW) return SOCK_DGRAM;
  return type === SOCK_STREAM || type === SOCK_DGRAM || type === SOCK_SEQPACKET ? type : ESOCKTNOSUPPORT;
}

/** dup(2): the lowest free fd names the same open file. */
export function dup(p: Task, fd: number): number {
  const f = p.file(fd);
  if (!f) p.fail('dup', EBADF);
  return p.check('dup', dupAt(p, f, false, 0));
}

function dupAt(p: Task, f: OpenFile, cloexec: boolean, start: number): Result {
  const nfd = p.fds.alloc(f, cloexec, start);
  if (nfd >= 0) f.refs++;
  return nfd;
}

/** dup2(2): `newfd` (closed first if open) names the same open file as `oldfd`. */
export function dup2(p: Task, oldfd: number, newfd: number): number {
  if (oldfd === newfd) {
    if (!p.file(oldfd)) p.fail('dup2', EBADF);
    return newfd;
  }
  return dup3at(p, 'dup2', oldfd, newfd, false);
}

/** dup3(2): dup2 that refuses oldfd == newfd and may set close-on-exec. */
export function dup3(p: Task, oldfd: number, newfd: number, flags: number): number {
  if (flags & ~O_CLOEXEC) p.fail('dup3', EINVAL);
  if (oldfd === newfd) p.fail('dup3', EINVAL);
  return dup3at(p, 'dup3', oldfd, newfd, (flags & O_CLOEXEC) !== 0);
}

/** ksys_dup3(): a newfd past RLIMIT_NOFILE is EBADF before oldfd is looked at. */
function dup3at(p: Task, name: string, oldfd: number, newfd: number, cloexec: boolean): number {
  if (!p.fds.inRange(newfd)) p.fail(name, EBADF);
  const f = p.file(oldfd);
  if (!f) p.fail(name, EBADF);
  f.refs++;
  const old = p.fds.replace(newfd, f, cloexec);
  if (old) p.machine.put(old, p);
  p.machine.wake();
  return newfd;
}

/** close(2). */
export function close(p: Task, fd: number): void {
  const f = p.fds.remove(fd);
  if (!f) p.fail('close', EBADF);
  p.machine.put(f, p);
  p.machine.wake();
}

/** Files with a position of their own: the machine's and the host's regular files. */
const hasPos = (f: OpenFile): f is RegularFile | HostFile => f instanceof RegularFile || f instanceof HostFile;

/** A file's position for a call that uses the file's own (not a caller's offset). */
export function posOf(f: OpenFile): Pos {
  return { value: hasPos(f) ? f.pos : 0 };
}

export function setPos(f: OpenFile, pos: Pos): void {
  if (hasPos(f)) f.pos = pos.value;
}

/** After a call: the caller's offset takes the new position, else the file does. */
export function storePos(f: OpenFile, pos: Pos, off: Offset | null): void {
  if (off) off.value = pos.value;
  else setPos(f, pos);
}

/** read(2): returns the bytes read (a copy). */
export function read(p: Task, fd: number, count: number): Uint8Array {
  const f = p.file(fd);
  if (!f?.readable) p.fail('read', EBADF);
  // Releases other threads completed are a notify fd's data.
  p.machine.drainCompletions();
  count = Math.min(count, MAX_RW_COUNT);
  // Pipes and sockets hold less than the staging area; files and devices
  // are read a staging area at a time, as one call.
  const chunked = f.positional;
  const parts: Uint8Array[] = [];
  let total = 0;
  const pos = posOf(f);
  do {
    const n = Math.min(count - total, p.stageSize);
    const r = n === 0 && total > 0 ? 0 : f.read(p, p.stage, n, pos);
    if (r < 0 && total > 0) break;
    setPos(f, pos);
    const got = p.check('read', r);
    parts.push(p.mem.slice(p.stage, p.stage + got));
    total += got;
    if (got < n || got === 0) break;
  } while (chunked && total < count);
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * read(2) into `dst`: when `dst` is a view of the machine's memory (a user
 * buffer), the one copy is the kernel's, as with Linux's read into user
 * memory; returns the count.
 */
export function readInto(p: Task, fd: number, dst: Uint8Array): number {
  if (dst.buffer !== p.mem.buffer) {
    const got = read(p, fd, dst.length);
    dst.set(got);
    return got.length;
  }
  const f = p.file(fd);
  if (!f?.readable) p.fail('read', EBADF);
  p.machine.drainCompletions();
  const pos = posOf(f);
  const r = f.read(p, dst.byteOffset, Math.min(dst.length, MAX_RW_COUNT), pos);
  setPos(f, pos);
  return p.check('read', r);
}

/** write(2). `data` may be a view of the machine's memory (no staging copy). */
export function write(p: Task, fd: number, data: Uint8Array): number {
  const f = p.file(fd);
  if (!f?.writable) p.fail('write', EBADF);
  return p.check('write', writeStep(p, f, data, true));
}

/** The rest of a blocking write after a wait: Linux merges only at a write's start. */
export function writeMore(p: Task, fd: number, data: Uint8Array): number {
  const f = p.file(fd);
  if (!f?.writable) p.fail('write', EBADF);
  return p.check('write', writeStep(p, f, data, false));
}

/** One write attempt; `first` is false when continuing after a wait. */
function writeStep(p: Task, f: OpenFile, data: Uint8Array, first: boolean): Result {
  const len = Math.min(data.length, MAX_RW_COUNT);
  const pos = posOf(f);
  // An empty write still reaches the file: a socket answers EPIPE to it.
  if (len === 0) return f.write(p, p.stage, 0, pos);
  let done = 0;
  while (done < len) {
    const n = Math.min(len - done, p.stageSize);
    const src = stageBytes(p, data.subarray(done, done + n));
    const r = f instanceof PipeEnd ? f.writeStep(p, src, n, first && done === 0) : f.write(p, src, n, pos);
    if (r < 0) {
      setPos(f, pos);
      return done > 0 ? done : r;
    }
    done += r;
    if (r < n) break;
  }
  setPos(f, pos);
  return done;
}

/** The address of `data` in memory, copying it into the staging area if needed. */
function stageBytes(p: Task, data: Uint8Array): number {
  if (data.buffer === p.mem.buffer) return data.byteOffset;
  p.mem.set(data, p.stage);
  return p.stage;
}

/** lseek(2). */
export function lseek(p: Task, fd: number, offset: number, whence: number): number {
  const f = p.file(fd);
  if (!f) p.fail('lseek', EBADF);
  return p.check('lseek', f.lseek(p, offset, whence));
}

/** fcntl(2): descriptor flags, status flags, duplication and pipe sizes. */
export function fcntl(p: Task, fd: number, cmd: number, arg = 0): number {
  const f = p.file(fd);
  if (!f) p.fail('fcntl', EBADF);
  switch (cmd) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC:
      // f_dupfd(): a start past RLIMIT_NOFILE is EINVAL, no fd left EMFILE.
      if (arg < 0 || !p.fds.inRange(arg)) p.fail('fcntl', EINVAL);
      return p.check('fcntl', dupAt(p, f, cmd === F_DUPFD_CLOEXEC, arg));
    case F_GETFD:
      return p.fds.getCloexec(fd) ? FD_CLOEXEC : 0;
    case F_SETFD:
      p.fds.setCloexec(fd, (arg & FD_CLOEXEC) !== 0);
      return 0;
    case F_GETFL:
      return f.flags;
    case F_SETFL: {
      // setfl() (fs/fcntl.c): O_DIRECT needs FMODE_CAN_ODIRECT, but on a pipe
      // it is packet mode; FASYNC is what f_op->fasync sets, where there is one.
      if (arg & O_DIRECT && !(f instanceof PipeEnd) && !f.canODirect) p.fail('fcntl', EINVAL);
      const async = f.fasync ? arg & FASYNC : f.flags & FASYNC;
      f.flags = (f.flags & ~(SETFL_MASK | FASYNC)) | (arg & SETFL_MASK) | async;
      p.machine.flagsChanged(f);
      return 0;
    }
    case F_GETPIPE_SZ:
    case F_SETPIPE_SZ: {
      if (!(f instanceof PipeEnd)) p.fail('fcntl', EBADF);
      if (cmd === F_GETPIPE_SZ) return p.core.maxUsage(f.pipe.ring) * PAGE_SIZE;
      return p.check('fcntl', setPipeSize(p, f.pipe, arg));
    }
    default:
      return p.fail('fcntl', EINVAL);
  }
}

/** pipe_set_size() (fs/pipe.c); pipe_fcntl() takes the argument as an unsigned int. */
function setPipeSize(p: Task, pipe: Pipe, arg: number): Result {
  const m = p.machine;
  const size = roundPipeSize(arg >>> 0);
  const slots = size / PAGE_SIZE;
  if (slots === 0) return EINVAL;
  const cur = m.core.maxUsage(pipe.ring);
  if (slots > cur && size > PIPE_MAX_SIZE) return EPERM;
  const accounted = m.pipePagesAccounted - pipe.accounted + slots;
  if (slots > cur && accounted > PIPE_USER_PAGES_SOFT) return EPERM;
  // pipe_resize_ring(): ENOMEM without memory for the new slots, EBUSY when the buffers need more.
  const r = m.core.ringResize(pipe.ring, slots);
  if (r < 0) return r;
  m.pipePagesAccounted = accounted;
  pipe.accounted = slots;
  m.wake();
  return slots * PAGE_SIZE;
}

/** ioctl(2); FIONREAD returns the count it stores. */
export function ioctl(p: Task, fd: number, request: number): number {
  const f = p.file(fd);
  if (!f) p.fail('ioctl', EBADF);
  if (request !== FIONREAD) p.fail('ioctl', ENOTTY);
  const r = f.fionread(p);
  // A regular file past its end stores a negative count; only ENOTTY is an error here.
  if (r === ENOTTY && !f.regular) p.fail('ioctl', r);
  return r;
}

/** ioctl(fd, FIONREAD): the bytes ready to read. */
export function fionread(p: Task, fd: number): number {
  return ioctl(p, fd, FIONREAD);
}

/** poll(2) with timeout 0: the revents of each entry. */
export function poll(p: Task, fds: PollFd[], _timeout = 0): number[] {
  p.machine.drainCompletions();
  return fds.map(({ fd, events }) => {
    if (fd < 0) return 0;
    const f = p.file(fd);
    if (!f) return POLLNVAL;
    return f.poll(p) & (events | POLL_ALWAYS);
  });
}
