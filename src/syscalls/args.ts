// The types a syscall's arguments and results have. An argument type checks
// what a JavaScript caller passed against the C type it stands for (an int,
// a size_t, a loff_t *) and names how the value crosses a thread (`wire`,
// see proc/codec.ts). The rule: a value no C caller could pass is an
// InvalidArgument before anything happens; any value a C caller could pass
// goes to the call, which answers as Linux does (a negative offset is
// EINVAL there, an fd nobody opened EBADF).

import { InvalidArgument } from '../errors.js';
import { SOCK_STREAM, SOCK_TYPE_MASK } from '../constants.js';
import type { IoVec, Offset, PollFd, SocketPairOptions, UserBuffer } from '../types.js';

/** How an argument crosses the call channel. */
export type ArgWire = 'num' | 'loff' | 'bytes' | 'dest' | 'str' | 'iovecs' | 'pollfds' | 'buffer' | 'json';

// biome-ignore lint/correctness/noUnusedVariables: T is the argument's TypeScript type, a phantom the table's types read.
export interface ArgType<T> {
  /** What the C side has, e.g. `int`, `size_t`, `loff_t *`. */
  readonly c: string;
  readonly wire: ArgWire;
  /** Throws InvalidArgument unless `v` is a `T` (`arg` names it in the message). */
  check(v: unknown, syscall: string, arg: number): void;
}

/** How a result crosses the call channel. */
export type ResultWire = 'num' | 'void' | 'bool' | 'pair' | 'nums' | 'bytes' | 'buffer' | 'countId' | 'loan' | 'json';

export interface ResultType<T> {
  readonly wire: ResultWire;
  /** Phantom: the result's TypeScript type. */
  readonly _t?: T;
}

/** A value as an error message shows it: a number or boolean itself, a string's first 40 characters, else its type. */
export const shown = (v: unknown): string =>
  typeof v === 'number' || typeof v === 'boolean' ? String(v) : typeof v === 'string' ? `'${v.slice(0, 40)}'` : v === null ? 'null' : typeof v;

const bad = (syscall: string, arg: number, want: string, v: unknown): never => {
  throw new InvalidArgument(syscall, `argument ${arg + 1} must be ${want}, got ${shown(v)}`);
};

const isInt = (v: unknown, lo: number, hi: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= lo && v < hi;

function integer(c: string, lo: number, hi: number, want: string): ArgType<number> {
  return {
    c,
    wire: 'num',
    check(v, syscall, arg) {
      if (!isInt(v, lo, hi)) bad(syscall, arg, want, v);
    },
  };
}

/** `int`: an fd, a command, a whence. */
export const int = integer('int', -(2 ** 31), 2 ** 31, 'an integer from -2^31 to 2^31-1');
/** `unsigned int`: flags (a negative int stands for its two's complement, as in C). */
export const uint = integer('unsigned', -(2 ** 31), 2 ** 32, 'an integer from -2^31 to 2^32-1');
/** `size_t`: a length or count. */
export const size = integer('size_t', 0, 2 ** 53, 'an integer from 0 to 2^53-1');
/** `unsigned long`: fcntl's argument (a 64-bit C value: any safe integer here; each command takes the bits it reads). */
export const ulong = integer('unsigned long', -(2 ** 53) + 1, 2 ** 53, 'a safe integer');
/** `off_t`: a file offset or a distance (lseek). */
export const off = integer('off_t', -(2 ** 53) + 1, 2 ** 53, 'a safe integer');
/** `int` naming a file descriptor (its own type, so a call's fds can be found among its arguments). */
export const fd: ArgType<number> = { ...int };

/** The same type, or undefined (the call then uses its default). */
export function opt<T>(t: ArgType<T>): ArgType<T | undefined> {
  return {
    c: t.c,
    wire: t.wire,
    check(v, syscall, arg) {
      if (v !== undefined) t.check(v, syscall, arg);
    },
  };
}

/** `loff_t *`: null, or an offset object the call reads and updates in place. */
export const loff: ArgType<Offset | null> = {
  c: 'loff_t *',
  wire: 'loff',
  check(v, syscall, arg) {
    if (v === null) return;
    if (typeof v !== 'object') bad(syscall, arg, 'null or an { value } offset', v);
    const o = v as { value?: unknown };
    if (!isInt(o.value, -(2 ** 53) + 1, 2 ** 53)) bad(syscall, arg, 'an offset whose value is a safe integer', o.value);
    // Linux writes the offset back after moving the data (copy_to_user); an
    // object that cannot take the new value would lose the count: refuse it first.
    const d = Object.getOwnPropertyDescriptor(o, 'value');
    if (!d?.writable || Object.isFrozen(o)) bad(syscall, arg, 'an offset whose value can be written', 'read-only');
  },
};

/** `const void *`: bytes to write. */
export const bytes: ArgType<Uint8Array> = {
  c: 'const void *',
  wire: 'bytes',
  check(v, syscall, arg) {
    if (!(v instanceof Uint8Array)) bad(syscall, arg, 'a Uint8Array', v);
  },
};

/** `void *`: a destination for bytes read. */
export const dest: ArgType<Uint8Array> = { ...bytes, c: 'void *', wire: 'dest' };

/** `const char *`: a path. */
export const path: ArgType<string> = {
  c: 'const char *',
  wire: 'str',
  check(v, syscall, arg) {
    if (typeof v !== 'string') bad(syscall, arg, 'a string', v);
  },
};

const isBuffer = (v: unknown): v is UserBuffer =>
  typeof v === 'object' && v !== null && typeof (v as UserBuffer).addr === 'number' && typeof (v as UserBuffer).length === 'number';

/** User memory from `alloc` (unmapped or foreign memory is the call's EFAULT). */
export const buffer: ArgType<UserBuffer> = {
  c: 'void *',
  wire: 'buffer',
  check(v, syscall, arg) {
    if (!isBuffer(v)) bad(syscall, arg, 'a user buffer from alloc', v);
  },
};

/** `const struct iovec *, unsigned long nr_segs`: buffers from `alloc` with offsets and lengths. */
export const iovecs: ArgType<IoVec[]> = {
  c: 'const struct iovec *',
  wire: 'iovecs',
  check(v, syscall, arg) {
    if (!Array.isArray(v)) bad(syscall, arg, 'an array of iovecs', v);
    for (const iov of v as unknown[]) {
      if (typeof iov !== 'object' || iov === null) bad(syscall, arg, 'an array of { buf, offset, length }', iov);
      const { buf, offset, length } = iov as IoVec;
      if (!isBuffer(buf)) bad(syscall, arg, 'iovecs whose buf comes from alloc', buf);
      if (!isInt(offset, 0, 2 ** 53)) bad(syscall, arg, 'iovecs whose offset is an integer from 0 to 2^53-1', offset);
      if (!isInt(length, 0, 2 ** 53)) bad(syscall, arg, 'iovecs whose length is an integer from 0 to 2^53-1', length);
    }
  },
};

/** `struct pollfd *, nfds_t`. */
export const pollfds: ArgType<PollFd[]> = {
  c: 'struct pollfd *',
  wire: 'pollfds',
  check(v, syscall, arg) {
    if (!Array.isArray(v)) bad(syscall, arg, 'an array of { fd, events }', v);
    for (const p of v as unknown[]) {
      if (typeof p !== 'object' || p === null) bad(syscall, arg, 'an array of { fd, events }', p);
      int.check((p as PollFd).fd, syscall, arg);
      int.check((p as PollFd).events, syscall, arg);
    }
  },
};

/** The options socketpair knows: a misspelt one is refused, not ignored. */
const SOCKET_OPTIONS: readonly string[] = ['type', 'ackDelay'] satisfies (keyof SocketPairOptions)[];

/**
 * Options of socketpair: `type` is the C call's int (any value goes to the
 * call); `ackDelay`, splicekit's own, makes a TCP-like stream pair only.
 */
export const socketOpts: ArgType<SocketPairOptions | undefined> = {
  c: 'int',
  wire: 'json',
  check(v, syscall, arg) {
    if (v === undefined) return;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) bad(syscall, arg, 'an options object', v);
    const unknown = Object.keys(v as object).find((name) => !SOCKET_OPTIONS.includes(name));
    if (unknown !== undefined) bad(syscall, arg, `options among ${SOCKET_OPTIONS.join(', ')}`, unknown);
    const { type, ackDelay: d } = v as { type?: unknown; ackDelay?: unknown };
    if (type !== undefined && !isInt(type, -(2 ** 31), 2 ** 31)) bad(syscall, arg, 'a type from -2^31 to 2^31-1', type);
    if (d === undefined) return;
    if (!(typeof d === 'number' && Number.isFinite(d) && d >= 0)) bad(syscall, arg, 'an ackDelay of 0 or more milliseconds', d);
    if (type !== undefined && ((type as number) & SOCK_TYPE_MASK) !== SOCK_STREAM) bad(syscall, arg, 'a SOCK_STREAM type with an ackDelay', type);
  },
};

const result = <T>(wire: ResultWire): ResultType<T> => ({ wire });
/** A count, an fd, an offset: a number. */
export const rNum = result<number>('num');
export const rVoid = result<void>('void');
export const rBool = result<boolean>('bool');
export const rPair = result<[number, number]>('pair');
export const rNums = result<number[]>('nums');
export const rBytes = result<Uint8Array>('bytes');
export const rBuffer = result<UserBuffer>('buffer');
export const rCountId = result<{ count: number; id: number }>('countId');
export const rJson = <T>() => result<T>('json');
