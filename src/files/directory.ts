// A directory opened read-only ("." or "/dev" or ".."): it exists so that
// using it as a file fails as it does on Linux.

import { O_NONBLOCK, SEEK_CUR, SEEK_SET } from '../constants.js';
import { OpenFile } from './file.js';
import type { Kctx, Result } from './kctx.js';
import { EBADF, EINVAL, EISDIR } from './kctx.js';

export class Directory extends OpenFile {
  constructor(flags: number) {
    super(flags & O_NONBLOCK);
  }
  override get positional(): boolean {
    return true;
  }
  /** read(2) on a directory. */
  read(): Result {
    return EISDIR;
  }
  write(): Result {
    return EBADF;
  }
  pos = 0;
  /** ext4_dir_llseek(): SET and CUR move freely (SEEK_END, LLONG_MAX there, is not modelled). */
  override lseek(_k: Kctx, offset: number, whence: number): Result {
    const target = whence === SEEK_SET ? offset : whence === SEEK_CUR ? this.pos + offset : -1;
    if (target < 0) return EINVAL;
    this.pos = target;
    return target;
  }
}
