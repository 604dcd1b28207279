// The trace's one directory, opened as "." (read-only): it exists so that
// opening it and using it as a file fail as they do on Linux.

import { O_NONBLOCK } from '../constants.js';
import { OpenFile } from './file.js';
import type { Result } from './kctx.js';
import { EBADF, EISDIR } from './kctx.js';

export class Directory extends OpenFile {
  constructor(flags: number) {
    super(flags & O_NONBLOCK);
  }
  override get positional(): boolean { return true; }
  /** read(2) on a directory. */
  read(): Result { return EISDIR; }
  write(): Result { return EBADF; }
  /** ext4_dir_llseek() within a directory of no entries: position 0 is all there is. */
  override lseek(): Result { return 0; }
}
