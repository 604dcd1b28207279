// /dev/null, /dev/zero and /dev/full (drivers/char/mem.c).

import { PAGE_SIZE } from '../constants.js';
import type { DevName } from '../path.js';
import { OpenFile } from './file.js';
import type { Kctx, Pos, Result } from './kctx.js';
import { EINVAL, ENOSPC } from './kctx.js';

abstract class CharDevice extends OpenFile {
  override get positional(): boolean {
    return true;
  }
  /** null_lseek(): the position is always 0. */
  override lseek(): Result {
    return 0;
  }
  /** write_null()/write_zero(): everything is accepted. */
  write(_k: Kctx, _src: number, count: number, _pos: Pos): Result {
    return count;
  }
  /** splice_write_null(): consumes what the pipe holds, up to len; offsets stay. */
  override spliceWrite(k: Kctx, r: number, _pos: Pos, len: number, nonblock: boolean): Result {
    return k.core.pipeDiscard(r, len, nonblock);
  }
}

export class DevNull extends CharDevice {
  read(): Result {
    return 0;
  }
  // No splice_read: splicing from /dev/null is EINVAL (the default).
}

export class DevZero extends CharDevice {
  /** read_iter_zero(): zeros, as many as asked. */
  read(k: Kctx, dst: number, count: number, _pos: Pos): Result {
    k.mem.fill(0, dst, dst + count);
    return count;
  }
  /** copy_splice_read(): fresh zeroed pages; read_iter_zero leaves the position. */
  override spliceRead(k: Kctx, _pos: Pos, r: number, len: number): Result {
    const room = k.core.maxUsage(r) - k.core.occupancy(r);
    return k.core.addZeroPages(r, Math.min(len, room * PAGE_SIZE));
  }
}

/**
 * /dev/full reads as /dev/zero (read_iter_zero, splice_read = copy_splice_read),
 * but write_full() fails ENOSPC whatever the count (an empty write too), and
 * it has no splice_write: splice and sendfile into it are EINVAL.
 */
export class DevFull extends DevZero {
  override write(): Result {
    return ENOSPC;
  }
  override spliceWrite(): Result {
    return EINVAL;
  }
}

/** memory_open(): the device a /dev name stands for. */
export function devOpen(name: DevName, flags: number): OpenFile {
  return name === 'null' ? new DevNull(flags) : name === 'zero' ? new DevZero(flags) : new DevFull(flags);
}
