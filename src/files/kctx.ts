// What file implementations need from the kernel, and the result convention:
// a count (>= 0), a negative errno, or BLOCK ("would wait, moved nothing").

import type { CoreExports } from '../core.js';
import { ERRNO } from '../errors.js';

export type Result = number;
export { BLOCK } from '../core.js';

export const EPERM = -ERRNO.EPERM;
export const ENOENT = -ERRNO.ENOENT;
export const ENOTDIR = -ERRNO.ENOTDIR;
export const EBADF = -ERRNO.EBADF;
export const EACCES = -ERRNO.EACCES;
export const EAGAIN = -ERRNO.EAGAIN;
export const ENOMEM = -ERRNO.ENOMEM;
export const EFAULT = -ERRNO.EFAULT;
export const EBUSY = -ERRNO.EBUSY;
export const EEXIST = -ERRNO.EEXIST;
export const EISDIR = -ERRNO.EISDIR;
export const EINVAL = -ERRNO.EINVAL;
export const ENFILE = -ERRNO.ENFILE;
export const EMFILE = -ERRNO.EMFILE;
export const ENOTTY = -ERRNO.ENOTTY;
export const EFBIG = -ERRNO.EFBIG;
export const ENOSPC = -ERRNO.ENOSPC;
export const ESPIPE = -ERRNO.ESPIPE;
export const EPIPE = -ERRNO.EPIPE;
export const EOVERFLOW = -ERRNO.EOVERFLOW;
export const ECONNRESET = -ERRNO.ECONNRESET;
export const ENOTCONN = -ERRNO.ENOTCONN;
export const EMSGSIZE = -ERRNO.EMSGSIZE;
export const ECONNREFUSED = -ERRNO.ECONNREFUSED;
export const ENOBUFS = -ERRNO.ENOBUFS;
export const ESOCKTNOSUPPORT = -ERRNO.ESOCKTNOSUPPORT;

/** A file position: the description's own, or a caller's offset (pread-style). */
export interface Pos {
  value: number;
}

/** The kernel services file implementations use. */
export interface Kctx {
  readonly core: CoreExports;
  /** Address of pool page 0. */
  readonly pages: number;
  /** A byte view of the whole memory. */
  readonly mem: Uint8Array;
  /** Scratch for page lists and iovecs, owned by this thread. */
  readonly args: number;
  readonly argsSize: number;
  /** The virtual clock in milliseconds (acknowledgement delays run on it). */
  readonly clock: number;
  /** The task's page fragment for linear socket data spliced into pipes. */
  readonly taskFrag: { page: number; offset: number; size: number };
  /** Scratch for staging bytes, owned by this thread. */
  readonly stage: number;
  readonly stageSize: number;
}
