// Runs parsed traces against the emulator (docs/trace-format.md, "Output").

import {
  F_DUPFD,
  F_DUPFD_CLOEXEC,
  F_GETFD,
  F_GETFL,
  F_GETPIPE_SZ,
  F_SETFD,
  F_SETFL,
  F_SETPIPE_SZ,
  FD_CLOEXEC,
  FIONREAD,
  MAX_RW_COUNT,
  POLLIN,
  POLLOUT,
} from '../constants.js';
import { SyscallError, WouldBlock } from '../errors.js';
import type { SyscallName, Syscalls } from '../syscalls/table.js';
import type { IoVec, Offset, UserBuffer } from '../types.js';
import { dataBytes, writeData, type FdTarget, type Op } from './parse.js';
import { renderBytes, renderErrno, renderPollEvents, renderStatusFlags, resultLine } from './render.js';

/**
 * The syscall each operation makes, from the syscall table (null: none:
 * `show` reads user memory, `tick` moves the machine's clock).
 */
export const OP_SYSCALLS = {
  pipe: 'pipe',
  open: 'open',
  socketpair: 'socketpair',
  dup: 'dup',
  dup2: 'dup2',
  dup3: 'dup3',
  dupfd: 'fcntl',
  fdnum: 'fcntl',
  close: 'close',
  write: 'write',
  read: 'read',
  buf: 'alloc',
  fill: 'touch',
  show: null,
  vmsplice: 'vmsplice',
  splice: 'splice',
  tee: 'tee',
  sendfile: 'sendfile',
  lseek: 'lseek',
  fcntl: 'fcntl',
  fionread: 'ioctl',
  poll: 'poll',
  notifyfd: 'notifyfd',
  vmsplice_notify: 'vmspliceNotify',
  released: 'isReleased',
  tick: null,
} as const satisfies Record<Op['kind'], SyscallName | null>;

type ExtensionCall = 'notifyfd' | 'vmspliceNotify' | 'isReleased';
type TraceCall = Exclude<NonNullable<(typeof OP_SYSCALLS)[Op['kind']]>, ExtensionCall>;

/**
 * The calls a trace makes (a structural subset of a process, so tests can
 * pass a stand-in), and `describe` to tell a pipe's read end. The
 * extensions' calls are optional: a trace using them needs a kernel that
 * has them, and `tick` a machine's clock.
 */
export type TraceKernel = Pick<Syscalls, TraceCall | 'describe'> & Partial<Pick<Syscalls, ExtensionCall>> & { tick?(ms: number): void };

/** Passed for a closed or never-bound name: never open, so the call fails with EBADF. */
export const UNBOUND_FD = 900000;

const OPEN_MODE = 0o644;

/** A runner failure that is not a syscall result (an emulator bug); keeps the lines printed so far. */
export class TraceRuntimeError extends Error {
  readonly line: number;
  readonly output: string[];
  constructor(line: number, output: string[], cause: unknown) {
    super(`line ${line}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'TraceRuntimeError';
    this.line = line;
    this.output = output;
  }
}

/** One `vmsplice_notify` that got an id: what the lab shows in its notifications panel. */
export interface Tracked {
  id: number;
  /** The trace line of the vmsplice_notify. */
  line: number;
  /** The user memory it mapped: buffer address, offset and length of each iovec. */
  iov: { addr: number; offset: number; length: number }[];
}

/** Names bound while a trace runs. */
export class Bindings {
  readonly fds = new Map<string, number>();
  readonly bufs = new Map<string, UserBuffer>();
  /** Notify fd number → the ids handed out through it, oldest first (extensions only). */
  readonly tracked = new Map<number, Tracked[]>();

  fd(name: string): number {
    return this.fds.get(name) ?? UNBOUND_FD;
  }

  buf(name: string): UserBuffer {
    const buf = this.bufs.get(name);
    // Only reachable when its `buf` line failed to allocate: the parser checked the rest.
    if (buf === undefined) throw new SyscallError('EFAULT', 'trace');
    return buf;
  }
}

/**
 * Runs `ops` in order and returns the output lines `LINE: RESULT`. With
 * `emit`, each line goes to it as it is made and none is kept (the array
 * returned, and a TraceRuntimeError's output, hold no lines); `emit`
 * returning false stops the run there (its reader has gone).
 */
export function runTrace(ops: readonly Op[], kernel: TraceKernel, emit?: (line: string) => boolean): string[] {
  const names = new Bindings();
  const out: string[] = [];
  for (const op of ops) {
    let result: string;
    try {
      result = execute(op, kernel, names);
    } catch (e) {
      if (e instanceof SyscallError) result = renderErrno(e.code);
      else if (e instanceof WouldBlock) result = 'blocks';
      else throw new TraceRuntimeError(op.line, out, e);
    }
    if (!emit) out.push(resultLine(op.line, result));
    else if (!emit(resultLine(op.line, result))) break;
  }
  return out;
}

export function execute(op: Op, k: TraceKernel, names: Bindings): string {
  const fd = (name: string) => names.fd(name);
  switch (op.kind) {
    case 'pipe': {
      const [r, w] = k.pipe(op.flags);
      names.fds.set(`${op.name}.r`, r);
      names.fds.set(`${op.name}.w`, w);
      return '0';
    }
    case 'open':
      names.fds.set(op.name, k.open(op.path, op.flags, OPEN_MODE));
      return '0';
    case 'socketpair': {
      const [a, b] = k.socketpair({ type: op.type, ackDelay: op.ackDelay });
      names.fds.set(`${op.name}.a`, a);
      names.fds.set(`${op.name}.b`, b);
      return '0';
    }
    case 'dup':
      names.fds.set(op.name, k.dup(fd(op.fd)));
      return '0';
    case 'dup2':
      names.fds.set(op.name, k.dup2(fd(op.fd), target(op.to, names)));
      return '0';
    case 'dup3':
      names.fds.set(op.name, k.dup3(fd(op.fd), target(op.to, names), op.flags));
      return '0';
    case 'dupfd':
      names.fds.set(op.name, k.fcntl(fd(op.fd), op.cloexec ? F_DUPFD_CLOEXEC : F_DUPFD, op.min));
      return '0';
    case 'fdnum':
      // Only an open fd has a number to print: F_GETFD says whether it is.
      k.fcntl(fd(op.fd), F_GETFD);
      return String(fd(op.fd));
    case 'close':
      // The name is gone whatever close returns.
      try {
        k.close(fd(op.fd));
        return '0';
      } finally {
        names.fds.delete(op.fd);
      }
    case 'write':
      // Linux caps a write at MAX_RW_COUNT, so a huge pat:N never needs more bytes.
      return String(k.write(fd(op.fd), dataBytes(op.data, MAX_RW_COUNT)));
    case 'read': {
      const bytes = k.read(fd(op.fd), op.count);
      return `${bytes.length} ${renderBytes(bytes)}`;
    }
    case 'buf':
      // A failed allocation unbinds the name so no later line uses a stale buffer.
      names.bufs.delete(op.name);
      names.bufs.set(op.name, k.alloc(op.length));
      return '0';
    case 'fill': {
      const buf = names.buf(op.buf);
      const n = writeData(op.data, buf.bytes.subarray(op.offset));
      k.touch(buf, op.offset, n);
      return '0';
    }
    case 'show':
      return renderBytes(names.buf(op.buf).bytes.slice(op.offset, op.offset + op.length));
    case 'vmsplice':
      return vmsplice(op, k, names);
    case 'splice': {
      const offIn: Offset | null = op.offIn === null ? null : { value: op.offIn };
      const offOut: Offset | null = op.offOut === null ? null : { value: op.offOut };
      const n = k.splice(fd(op.fdIn), offIn, fd(op.fdOut), offOut, op.length, op.flags);
      return `${n}${offIn ? ` off_in=${offIn.value}` : ''}${offOut ? ` off_out=${offOut.value}` : ''}`;
    }
    case 'tee':
      return String(k.tee(fd(op.fdIn), fd(op.fdOut), op.length, op.flags));
    case 'sendfile': {
      const off: Offset | null = op.offset === null ? null : { value: op.offset };
      const n = k.sendfile(fd(op.fdOut), fd(op.fdIn), off, op.count);
      return off ? `${n} off=${off.value}` : String(n);
    }
    case 'lseek':
      return String(k.lseek(fd(op.fd), op.offset, op.whence));
    case 'fcntl':
      return fcntl(op, k, fd(op.fd));
    case 'fionread':
      return String(k.ioctl(fd(op.fd), FIONREAD));
    case 'poll':
      return renderPollEvents(k.poll([{ fd: fd(op.fd), events: POLLIN | POLLOUT }], 0)[0] ?? 0);
    case 'notifyfd': {
      const nfd = need(k, 'notifyfd')(op.flags);
      names.fds.set(op.name, nfd);
      // A new file, perhaps under a reused fd number: its ids start afresh.
      names.tracked.set(nfd, []);
      return '0';
    }
    case 'vmsplice_notify': {
      const iov: IoVec[] = op.iov.map((v) => ({ buf: names.buf(v.buf), offset: v.offset, length: v.length }));
      const nfd = fd(op.notify);
      const { count, id } = need(k, 'vmspliceNotify')(fd(op.fd), iov, op.flags, nfd);
      // Nothing mapped (iovecs of 0 bytes in all): no id to track or print.
      if (id < 0) return String(count);
      const list = names.tracked.get(nfd) ?? [];
      list.push({ id, line: op.line, iov: iov.map((v) => ({ addr: v.buf.addr, offset: v.offset, length: v.length })) });
      names.tracked.set(nfd, list);
      return `${count} id=${id}`;
    }
    case 'released':
      return need(k, 'isReleased')(fd(op.notify), op.id) ? 'yes' : 'no';
    case 'tick':
      need(k, 'tick')(op.ms);
      return '0';
  }
}

/** An extension's call, bound to `k`; a kernel without it is a runner error, not a result. */
function need<C extends ExtensionCall | 'tick'>(k: TraceKernel, call: C): NonNullable<TraceKernel[C]> {
  const f = k[call];
  if (typeof f !== 'function') throw new Error(`this kernel has no ${call} (a splicekit extension)`);
  return (f as (...args: unknown[]) => unknown).bind(k) as NonNullable<TraceKernel[C]>;
}

/** The fd a dup2/dup3 target names. */
function target(to: FdTarget, names: Bindings): number {
  return 'fd' in to ? names.fd(to.fd) : to.number;
}

function fcntl(op: Extract<Op, { kind: 'fcntl' }>, k: TraceKernel, fd: number): string {
  switch (op.cmd) {
    case 'GETFD':
      return k.fcntl(fd, F_GETFD) & FD_CLOEXEC ? 'CLOEXEC' : '0';
    case 'SETFD':
      return String(k.fcntl(fd, F_SETFD, op.arg));
    case 'GETFL':
      return renderStatusFlags(k.fcntl(fd, F_GETFL));
    case 'SETFL':
      return String(k.fcntl(fd, F_SETFL, op.arg));
    case 'GETPIPE_SZ':
      return String(k.fcntl(fd, F_GETPIPE_SZ));
    case 'SETPIPE_SZ':
      return String(k.fcntl(fd, F_SETPIPE_SZ, op.arg));
  }
}

/** vmsplice; on a pipe's read end it copied into the iovecs, so print what landed there. */
function vmsplice(op: Extract<Op, { kind: 'vmsplice' }>, k: TraceKernel, names: Bindings): string {
  const fd = names.fd(op.fd);
  const iov: IoVec[] = op.iov.map((v) => ({ buf: names.buf(v.buf), offset: v.offset, length: v.length }));
  const toUser = isPipeReadEnd(k, fd);
  const n = k.vmsplice(fd, iov, op.flags);
  if (!toUser) return String(n);
  const got = new Uint8Array(n);
  let done = 0;
  for (const v of iov) {
    if (done >= n) break;
    const take = Math.min(v.length, n - done);
    got.set(v.buf.bytes.subarray(v.offset, v.offset + take), done);
    done += take;
  }
  return `${n} ${renderBytes(got)}`;
}

function isPipeReadEnd(k: TraceKernel, fd: number): boolean {
  return k.describe(fd)?.kind === 'pipe-read';
}
