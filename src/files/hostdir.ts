// A directory of the host's files mounted into the machine (Kernel.mount):
// what the kernel asks of it. The kernel hands it paths already resolved
// lexically below the mount (no `..`, no `.`, never absolute), so the
// directory's own job is not to let the host's symlinks lead out.
// nodeDirectory (splicekit/node) is Node's.

import type { Result } from './kctx.js';

/** An open host file: positional I/O straight on the host's file. */
export interface HostHandle {
  /** Reads into `dst` at `pos`: the count, 0 at the end, or a negative errno. */
  pread(dst: Uint8Array, pos: number): Result;
  /** Writes `src` at `pos`: the count or a negative errno. */
  pwrite(src: Uint8Array, pos: number): Result;
  /** The file's size now (another host process may change it). */
  size(): number;
  close(): void;
}

export interface HostDirectory {
  /**
   * Opens `rel` ('' is the directory itself; components joined by '/') with
   * Linux's open flags (O_ACCMODE, O_CREAT, O_EXCL, O_TRUNC; the kernel
   * keeps O_APPEND and O_NONBLOCK itself). A directory is `'directory'`
   * (opened read-only only); a path the host resolves outside the directory
   * is EPERM; otherwise the host's errno, negated.
   */
  open(rel: string, flags: number, mode: number): HostHandle | 'directory' | Result;
  /** unlink(2) of `rel`; a directory is EISDIR. */
  unlink(rel: string): Result;
}
