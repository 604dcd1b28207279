// The syscall table: every call a process makes, defined once. An entry
// names the implementation (whose parameters give the call's names and
// types), the type of each argument (checked before the call runs, and how
// it crosses a thread), the result's type, and whether the call can wait.
// Every surface comes from here or is checked against it by a test: a
// process's methods and awaitable forms (process.ts), the call channel to a
// Worker (proc/), the WASI `splicekit` module and the C header (wasi/), the
// WIT host (wit/) and the trace runner (trace/).

import type { Loan } from '../loan.js';
import type { FdView } from '../snapshot.js';
import {
  buffer,
  bytes,
  dest,
  fd,
  int,
  iovecs,
  loff,
  off,
  opt,
  path,
  pollfds,
  rBool,
  rBuffer,
  rBytes,
  rCountId,
  rJson,
  rNum,
  rNums,
  rPair,
  rVoid,
  size,
  socketOpts,
  uint,
  ulong,
  type ArgType,
  type ResultType,
} from './args.js';
import * as ext from './extensions.js';
import * as files from './files.js';
import * as sp from './splice.js';
import type { Task } from './task.js';

/**
 * Whether a call can wait: `false` never; `true` where Linux would sleep it
 * throws WouldBlock (or returns the partial count), and its awaitable form
 * retries when the machine changes; `'all'` the awaitable form goes on
 * until everything is done, as a blocking write(2) does.
 */
export type Blocking = boolean | 'all';

/** Any implementation: the task, then the call's own parameters. */
type Impl = (p: Task, ...a: never[]) => unknown;
/** An implementation's parameters after the task: the call's own. */
export type ParamsOf<F> = F extends (p: Task, ...a: infer A) => unknown ? A : never;
/**
 * One argument type per parameter, none left out (a defaulted parameter
 * takes `opt(...)`: the phantom type of an ArgType is invariant).
 */
type ArgsFor<P extends unknown[]> = { [K in keyof P]: ArgType<P[K]> } & { length: Required<P>['length'] };

export interface SyscallDef<F extends Impl = Impl, B extends Blocking = Blocking> {
  readonly args: ArgsFor<ParamsOf<F>>;
  readonly returns: ResultType<ReturnType<F>>;
  readonly blocks: B;
  readonly run: F;
}

function call<F extends Impl, B extends Blocking = false>(
  run: F,
  args: ArgsFor<ParamsOf<F>>,
  returns: ResultType<ReturnType<F>>,
  blocks?: B,
): SyscallDef<F, B> {
  return { run, args, returns, blocks: (blocks ?? false) as B };
}

const rLoan: ResultType<Loan> = { wire: 'loan' };

export const SYSCALLS = {
  /** pipe2(2): a new pipe, `[readFd, writeFd]`; flags O_NONBLOCK, O_DIRECT (packets), O_CLOEXEC. */
  pipe: call(files.pipe, [opt(uint)], rPair),
  /** open(2) in the machine's directory (and /dev/null, /dev/zero, /dev/full); `mode` is accepted and ignored. */
  open: call(files.open, [path, uint, opt(uint)], rNum),
  /** socketpair(AF_UNIX, type, 0): `{ type }` (SOCK_STREAM by default); `{ ackDelay }` makes a stream pair TCP-like (see `tick`). */
  socketpair: call(files.socketpair, [socketOpts], rPair),
  /** dup(2). */
  dup: call(files.dup, [fd], rNum),
  /** dup2(2). */
  dup2: call(files.dup2, [fd, fd], rNum),
  /** dup3(2): flags 0 or O_CLOEXEC. */
  dup3: call(files.dup3, [fd, fd, uint], rNum),
  /** close(2). */
  close: call(files.close, [fd], rVoid),
  /** read(2): up to `count` bytes, copied out. */
  read: call(files.read, [fd, size], rBytes, true),
  /** read(2) into `dst` (one copy when `dst` is user memory from `alloc`); the count. */
  readInto: call(files.readInto, [fd, dest], rNum, true),
  /** write(2): the count written. */
  write: call(files.write, [fd, bytes], rNum, 'all'),
  /** The rest of a write after it waited (Linux merges into the last page only at a write's start). */
  writeMore: call(files.writeMore, [fd, bytes], rNum, true),
  /** lseek(2). */
  lseek: call(files.lseek, [fd, off, int], rNum),
  /** splice(2); offsets are `{ value }` objects updated in place, or null. */
  splice: call(sp.splice, [fd, loff, fd, loff, size, uint], rNum, true),
  /** tee(2). */
  tee: call(sp.tee, [fd, fd, size, uint], rNum, true),
  /** vmsplice(2): a pipe's write end references the iovecs' pages; its read end copies into them. */
  vmsplice: call(sp.vmsplice, [fd, iovecs, uint], rNum, true),
  /** sendfile(2). */
  sendfile: call(sp.sendfile, [fd, fd, loff, size], rNum, true),
  /** fcntl(2): F_GETFD/F_SETFD, F_GETFL/F_SETFL, F_DUPFD(_CLOEXEC), F_GETPIPE_SZ/F_SETPIPE_SZ. */
  fcntl: call(files.fcntl, [fd, int, opt(ulong)], rNum),
  /** ioctl(2): FIONREAD, returning the count it stores. */
  ioctl: call(files.ioctl, [fd, uint], rNum),
  /** ioctl(fd, FIONREAD). */
  fionread: call(files.fionread, [fd], rNum),
  /** poll(2) with timeout 0: the revents of each entry. */
  poll: call(files.poll, [pollfds, opt(int)], rNums),
  /** unlink(2). */
  unlink: call(files.unlink, [path], rVoid),
  /** Page-aligned, zeroed user memory that vmsplice maps without copying. */
  alloc: call(ext.alloc, [size], rBuffer),
  /** Releases user memory; pages still in a pipe stay until the pipe lets go. */
  free: call(ext.free, [buffer], rVoid),
  /** Tells the kernel these bytes of a buffer were written (a first write maps a real page). */
  touch: call(ext.touch, [buffer, size, size], rVoid),
  /** A release-notification fd (see README, "Is my page still under I/O?"). */
  notifyfd: call(ext.notifyfd, [opt(uint)], rNum),
  /** vmsplice into a pipe, tracked: the count, and the id `notifyFd` reports once no reference is left. */
  vmspliceNotify: call(ext.vmspliceNotify, [fd, iovecs, uint, fd], rCountId, true),
  /** Whether vmspliceNotify's `id` has been released (no waiting). */
  isReleased: call(ext.isReleased, [fd, int], rBool),
  /** Lends the next buffers' pages as views, consuming them from the pipe. */
  vmspliceLoan: call(ext.vmspliceLoan, [fd, size, uint], rLoan, true),
  /** Ends the loan with this handle, as `loan.release()` does. */
  releaseLoan: call(ext.releaseLoan, [int], rVoid),
  /** What an fd is (kind, flags, ring, path, position, size), or undefined if it is closed. */
  describe: call(ext.describe, [fd], rJson<FdView | undefined>()),
  /** exit_group(2): the process ends with `status`; its fds close and its memory goes. */
  exit: call(ext.exit, [int], rVoid),
} as const;

export type SyscallTable = typeof SYSCALLS;
export type SyscallName = keyof SyscallTable;

/** The calls as methods: what a process (and a process in another thread) offers. */
export type Syscalls = {
  [K in SyscallName]: (...a: ParamsOf<SyscallTable[K]['run']>) => ReturnType<SyscallTable[K]['run']>;
};

/** The calls that can wait. */
export type BlockingName = { [K in SyscallName]: SyscallTable[K]['blocks'] extends false ? never : K }[SyscallName];

/** The awaitable forms: each resolves when the blocking Linux call would return. */
export type AsyncSyscalls = {
  [K in BlockingName]: (...a: ParamsOf<SyscallTable[K]['run']>) => Promise<ReturnType<SyscallTable[K]['run']>>;
};

/** Every entry, in the table's order (a call's number on the channel is its index). */
export const SYSCALL_NAMES = Object.keys(SYSCALLS) as SyscallName[];

/** The entries without their particular types, for code that handles any call. */
export const DEFS: Readonly<Record<SyscallName, SyscallDef>> = SYSCALLS;

/** Checks `args` against call `name`'s argument types (InvalidArgument for the first that is not one). */
export function checkArgs(name: SyscallName, args: readonly unknown[]): void {
  const types = DEFS[name].args;
  for (let i = 0; i < types.length; i++) types[i].check(args[i], name, i);
}
