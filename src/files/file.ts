// An open file description (struct file): status flags, mode, and the
// operations every kind of file may override. The defaults are what Linux
// answers for a file that lacks the operation.

import { O_ACCMODE, O_RDONLY, O_RDWR, O_WRONLY, POLLIN, POLLOUT } from '../constants.js';
import type { Kctx, Pos, Result } from './kctx.js';
import { BLOCK, EAGAIN, EINVAL, ESPIPE, ENOTTY } from './kctx.js';

export abstract class OpenFile {
  /** File descriptors (dup) sharing this description. */
  refs = 1;
  constructor(public flags: number) {}

  get readable(): boolean {
    const acc = this.flags & O_ACCMODE;
    return acc === O_RDONLY || acc === O_RDWR;
  }
  get writable(): boolean {
    const acc = this.flags & O_ACCMODE;
    return acc === O_WRONLY || acc === O_RDWR;
  }
  /** FMODE_PREAD/FMODE_PWRITE: positional I/O (not pipes or sockets). */
  get positional(): boolean {
    return false;
  }
  /** S_ISREG: do_splice_direct (sendfile to a non-pipe) needs it of its input. */
  get regular(): boolean {
    return false;
  }
  /** f_op->fasync exists (pipes, sockets): only then does F_SETFL keep FASYNC. */
  get fasync(): boolean {
    return false;
  }
  /** FMODE_CAN_ODIRECT: F_SETFL may set O_DIRECT (a pipe may always: it means packets there). */
  get canODirect(): boolean {
    return false;
  }
  /** get_pipe_info(): the ring of a pipe end, else undefined. */
  pipeRing(): number | undefined {
    return undefined;
  }

  abstract read(k: Kctx, dst: number, count: number, pos: Pos): Result;
  abstract write(k: Kctx, src: number, count: number, pos: Pos): Result;
  lseek(_k: Kctx, _offset: number, _whence: number): Result {
    return ESPIPE;
  }
  /** DEFAULT_POLLMASK (include/linux/poll.h): ready both ways. */
  poll(_k: Kctx): number {
    return POLLIN | POLLOUT;
  }
  fionread(_k: Kctx): Result {
    return ENOTTY;
  }
  /** f_op->splice_read: fill ring `r` (room already checked) from `pos`. */
  spliceRead(_k: Kctx, _pos: Pos, _r: number, _len: number, _nonblock: boolean): Result {
    return EINVAL;
  }
  /** f_op->splice_write: drain ring `r` into this file at `pos`. */
  spliceWrite(_k: Kctx, _r: number, _pos: Pos, _len: number, _nonblock: boolean): Result {
    return EINVAL;
  }
  /** Called when the last descriptor closes. */
  release(_k: Kctx): void {}
}

/**
 * splice_from_pipe_next() on an empty ring `r`: 0 (EOF) once no writer is
 * left, else EAGAIN or a wait; undefined when the ring has bytes.
 */
export function emptyPipe(k: Kctx, r: number, nonblock: boolean): Result | undefined {
  if (k.core.ringBytes(r) > 0) return undefined;
  if (k.core.writers(r) === 0) return 0;
  return nonblock ? EAGAIN : BLOCK;
}
