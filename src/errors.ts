// Linux errno numbers and the error type every syscall throws.

import type { Errno } from './generated/wit/interfaces/splicekit-kernel-syscalls.js';

/** An errno name as Linux spells it; the set is the WIT's `errno` enum. */
export type ErrnoName = Uppercase<Errno>;

/** asm-generic/errno-base.h and errno.h, for every errno of the WIT. */
export const ERRNO: Readonly<Record<ErrnoName, number>> = {
  EPERM: 1,
  ENOENT: 2,
  EINTR: 4,
  EIO: 5,
  ENXIO: 6,
  EBADF: 9,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  EXDEV: 18,
  ENODEV: 19,
  ENOTDIR: 20,
  EISDIR: 21,
  EINVAL: 22,
  ENFILE: 23,
  EMFILE: 24,
  ENOTTY: 25,
  EFBIG: 27,
  ENOSPC: 28,
  ESPIPE: 29,
  EROFS: 30,
  EPIPE: 32,
  ENOSYS: 38,
  ENODATA: 61,
  EOVERFLOW: 75,
  ENOTSOCK: 88,
  EOPNOTSUPP: 95,
  ENOBUFS: 105,
  ENOTCONN: 107,
  ECONNRESET: 104,
  ENAMETOOLONG: 36,
  ESRCH: 3,
  EPROTONOSUPPORT: 93,
  ESOCKTNOSUPPORT: 94,
  EAFNOSUPPORT: 97,
  EMSGSIZE: 90,
  ECONNREFUSED: 111,
};

const NAME_OF = new Map<number, ErrnoName>((Object.entries(ERRNO) as [ErrnoName, number][]).map(([k, v]) => [v, k]));

export function errnoName(errno: number): ErrnoName {
  const name = NAME_OF.get(errno);
  if (name === undefined) throw new RangeError(`unknown errno ${errno}`);
  return name;
}

/** A failed system call, shaped like Node's system errors. */
export class SyscallError extends Error {
  readonly code: ErrnoName;
  readonly errno: number;
  readonly syscall: string;
  constructor(code: ErrnoName, syscall: string) {
    super(`${syscall}: ${code}`);
    this.name = 'SyscallError';
    this.code = code;
    this.errno = ERRNO[code];
    this.syscall = syscall;
  }
}

/**
 * The call would wait for another party and moved nothing before that.
 * Synchronous calls never wait: they throw this instead; the awaitable
 * forms (`kernel.async.*`) wait for progress and retry.
 */
export class WouldBlock extends Error {
  readonly code = 'WOULDBLOCK';
  readonly syscall: string;
  constructor(syscall: string) {
    super(`${syscall}: would block`);
    this.name = 'WouldBlock';
    this.syscall = syscall;
  }
}

/**
 * An argument no C caller could pass: a wrong JavaScript type, NaN, ±Infinity,
 * a fraction, or a number outside the C type (a negative length, an fd past
 * 2^31). Thrown before anything happens, like Node's ERR_INVALID_ARG_TYPE;
 * every value a C caller could pass gets Linux's errno instead.
 */
export class InvalidArgument extends TypeError {
  readonly code = 'ERR_INVALID_ARG_TYPE';
  readonly syscall: string;
  constructor(syscall: string, message: string) {
    super(`${syscall}: ${message}`);
    this.name = 'InvalidArgument';
    this.syscall = syscall;
  }
}
