// The kernel as the WIT `syscalls` interface (wit/splicekit.wit). The types
// come from jco's generated declarations, so a change to the WIT that the
// host does not follow fails to compile.

import type * as Syscalls from '../generated/wit/interfaces/splicekit-kernel-syscalls.js';
import {
  F_GETPIPE_SZ,
  F_SETPIPE_SZ,
  O_APPEND,
  O_CREAT,
  O_DIRECT,
  O_EXCL,
  O_NONBLOCK,
  O_RDONLY,
  O_RDWR,
  O_TRUNC,
  O_WRONLY,
  POLLERR,
  POLLHUP,
  POLLIN,
  POLLNVAL,
  POLLOUT,
  SEEK_CUR,
  SEEK_END,
  SEEK_SET,
  SPLICE_F_GIFT,
  SPLICE_F_MORE,
  SPLICE_F_MOVE,
  SPLICE_F_NONBLOCK,
} from '../constants.js';
import { SyscallError } from '../errors.js';
import type { SyscallName, Syscalls as Process } from '../syscalls/table.js';
import type { Offset } from '../types.js';

type SyscallsModule = typeof Syscalls;

/** jco's convention: a host function returns err(x) by throwing { payload: x }. */
function call<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof SyscallError) throw { payload: e.code.toLowerCase() as Syscalls.Errno };
    throw e;
  }
}

export function spliceFlags(f: Syscalls.SpliceFlags): number {
  return (f.move ? SPLICE_F_MOVE : 0) | (f.nonblock ? SPLICE_F_NONBLOCK : 0) | (f.more ? SPLICE_F_MORE : 0) | (f.gift ? SPLICE_F_GIFT : 0);
}

const ACCESS: Record<Syscalls.AccessMode, number> = { 'read-only': O_RDONLY, 'write-only': O_WRONLY, 'read-write': O_RDWR };
const WHENCE: Record<Syscalls.Whence, number> = { set: SEEK_SET, cur: SEEK_CUR, end: SEEK_END };
const POLL: [keyof Syscalls.PollEvents, number][] = [
  ['in', POLLIN],
  ['out', POLLOUT],
  ['err', POLLERR],
  ['hup', POLLHUP],
  ['nval', POLLNVAL],
];

const offset = (v: bigint | undefined): Offset | null => (v === undefined ? null : { value: Number(v) });
const after = (o: Offset | null): bigint | undefined => (o ? BigInt(o.value) : undefined);

/** The syscall-table call each WIT function makes (checked by test/syscalls.test.ts). */
export const WIT_CALLS = {
  pipe: 'pipe',
  open: 'open',
  socketpair: 'socketpair',
  dup: 'dup',
  close: 'close',
  read: 'read',
  write: 'write',
  lseek: 'lseek',
  splice: 'splice',
  tee: 'tee',
  vmsplice: 'vmsplice',
  sendfile: 'sendfile',
  getPipeSize: 'fcntl',
  setPipeSize: 'fcntl',
  fionread: 'fionread',
  pollOne: 'poll',
} as const satisfies Record<keyof SyscallsModule, SyscallName>;

/** Implements every function of the WIT interface on `k`. */
export function witSyscalls(k: Process): SyscallsModule {
  return {
    pipe: (f) => call(() => k.pipe((f.nonblock ? O_NONBLOCK : 0) | (f.direct ? O_DIRECT : 0))),
    open: (path, mode, f) =>
      call(() =>
        k.open(
          path,
          ACCESS[mode] | (f.creat ? O_CREAT : 0) | (f.trunc ? O_TRUNC : 0) | (f.append ? O_APPEND : 0) | (f.nonblock ? O_NONBLOCK : 0) | (f.excl ? O_EXCL : 0),
        ),
      ),
    socketpair: () => call(() => k.socketpair()),
    dup: (fd) => call(() => k.dup(fd)),
    close: (fd) => call(() => k.close(fd)),
    read: (fd, count) => call(() => k.read(fd, Number(count))),
    write: (fd, data) => call(() => BigInt(k.write(fd, data))),
    lseek: (fd, off, whence) => call(() => BigInt(k.lseek(fd, Number(off), WHENCE[whence]))),
    splice: (fdIn, offIn, fdOut, offOut, len, f) =>
      call(() => {
        const i = offset(offIn);
        const o = offset(offOut);
        const count = k.splice(fdIn, i, fdOut, o, Number(len), spliceFlags(f));
        return { count: BigInt(count), offIn: after(i), offOut: after(o) };
      }),
    tee: (fdIn, fdOut, len, f) => call(() => BigInt(k.tee(fdIn, fdOut, Number(len), spliceFlags(f)))),
    vmsplice: (fd, data, f) =>
      call(() => {
        // A component's memory is its own: its bytes come over in a user buffer
        // the pipe then references; freeing it leaves the pipe's references.
        const buf = k.alloc(data.length);
        try {
          buf.bytes.set(data);
          k.touch(buf, 0, data.length);
          return BigInt(k.vmsplice(fd, [{ buf, offset: 0, length: data.length }], spliceFlags(f)));
        } finally {
          k.free(buf);
        }
      }),
    sendfile: (fdOut, fdIn, off, count) =>
      call(() => {
        const o = offset(off);
        const n = k.sendfile(fdOut, fdIn, o, Number(count));
        return { count: BigInt(n), offIn: after(o), offOut: undefined };
      }),
    getPipeSize: (fd) => call(() => k.fcntl(fd, F_GETPIPE_SZ)),
    setPipeSize: (fd, size) => call(() => k.fcntl(fd, F_SETPIPE_SZ, size)),
    fionread: (fd) => call(() => k.fionread(fd)),
    pollOne: (fd, events) =>
      call(() => {
        const want = POLL.reduce((m, [name, bit]) => (events[name] ? m | bit : m), 0);
        const got = k.poll([{ fd, events: want }], 0)[0];
        return Object.fromEntries(POLL.map(([name, bit]) => [name, (got & bit) !== 0]));
      }),
  };
}
