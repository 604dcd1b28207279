// Anonymous pipes (fs/pipe.c): both ends share one ring in the core.

import { O_DIRECT, O_NONBLOCK, PAGE_SIZE, POLLERR, POLLHUP, POLLIN, POLLOUT } from '../constants.js';
import { OpenFile } from './file.js';

/** include/linux/pipe_fs_i.h */
export const PIPE_BUF_FLAG_GIFT = 0x04;
export const PIPE_BUF_FLAG_PACKET = 0x08;
export const PIPE_BUF_FLAG_CAN_MERGE = 0x10;
import type { Kctx, Pos, Result } from './kctx.js';
import { EINVAL } from './kctx.js';

/** struct pipe_inode_info, host side: the ring and how many files use it. */
export class Pipe {
  files = 0;
  /** Pages accounted to the user (pipe->nr_accounted). */
  accounted: number;
  constructor(
    readonly ring: number,
    slots: number,
  ) {
    this.accounted = slots;
  }
}

export class PipeEnd extends OpenFile {
  constructor(
    readonly pipe: Pipe,
    readonly isRead: boolean,
    flags: number,
  ) {
    super(flags);
    pipe.files++;
  }

  override pipeRing(): number {
    return this.pipe.ring;
  }
  /** pipe_fasync(). */
  override get fasync(): boolean {
    return true;
  }

  get nonblock(): boolean {
    return (this.flags & O_NONBLOCK) !== 0;
  }

  read(k: Kctx, dst: number, count: number, _pos: Pos): Result {
    return k.core.pipeRead(this.pipe.ring, dst, count, this.nonblock);
  }

  /** One step of anon_pipe_write; `merge` is false when continuing after a wait. */
  writeStep(k: Kctx, src: number, count: number, merge: boolean): Result {
    const newFlags = this.flags & O_DIRECT ? PIPE_BUF_FLAG_PACKET : PIPE_BUF_FLAG_CAN_MERGE;
    return k.core.pipeWrite(this.pipe.ring, src, count, this.nonblock, merge, newFlags);
  }

  write(k: Kctx, src: number, count: number, _pos: Pos): Result {
    return this.writeStep(k, src, count, true);
  }

  /** pipe_poll(). */
  override poll(k: Kctx): number {
    const r = this.pipe.ring;
    let mask = 0;
    if (this.readable) {
      if (k.core.occupancy(r) > 0) mask |= POLLIN;
      if (k.core.writers(r) === 0) mask |= POLLHUP;
    }
    if (this.writable) {
      if (!k.core.ringFull(r)) mask |= POLLOUT;
      if (k.core.readers(r) === 0) mask |= POLLERR;
    }
    return mask;
  }

  override fionread(k: Kctx): Result {
    return k.core.ringBytes(this.pipe.ring);
  }

  override release(k: Kctx): void {
    if (this.readable) k.core.addReaders(this.pipe.ring, -1);
    if (this.writable) k.core.addWriters(this.pipe.ring, -1);
    // The host's files share one ring reference; ends passed to Workers hold their own.
    if (--this.pipe.files === 0) k.core.ringClose(this.pipe.ring);
  }

  // Pipes have no splice_read/splice_write of their own: splice handles them.
  override spliceRead(): Result {
    return EINVAL;
  }
}

/** round_pipe_size() (fs/pipe.c), on the 32-bit value pipe_fcntl() receives. */
export function roundPipeSize(size: number): number {
  if (size > 2 ** 31) return 0;
  if (size < PAGE_SIZE) return PAGE_SIZE;
  return 2 ** Math.ceil(Math.log2(size));
}
