// A process's file descriptor table (struct files_struct): open files by
// number, each with its close-on-exec flag. The table grows as fds are
// taken; new fds are the lowest free at or above a start (alloc_fd()), and
// never at or above the process's RLIMIT_NOFILE.

import { EMFILE, type Result } from './files/kctx.js';
import type { OpenFile } from './files/file.js';

/** include/uapi/linux/fs.h: INR_OPEN_CUR, the default RLIMIT_NOFILE soft limit. */
export const INR_OPEN_CUR = 1024;
/** fs/file.c: sysctl_nr_open, the most RLIMIT_NOFILE can be raised to. */
export const NR_OPEN = 1024 * 1024;

export class FdTable {
  private readonly files: (OpenFile | undefined)[] = [];
  private readonly cloexec: boolean[] = [];
  private used = 0;
  /** No fd below this is free (files_struct.next_fd). */
  private nextFd = 0;

  /** Told of every change (the mirror a Worker's thread reads, see fdmirror.ts). */
  onChange: ((fd: number, file: OpenFile | undefined) => void) | undefined;

  /** @param limit RLIMIT_NOFILE: fds are below it. */
  constructor(public limit = INR_OPEN_CUR) {}

  /** The open file at `fd` (any number; only an open fd finds one). */
  get(fd: number): OpenFile | undefined {
    return this.files[fd];
  }

  get size(): number {
    return this.used;
  }

  /** alloc_fd(): the lowest free fd at or above `start` for `file`, or EMFILE. */
  alloc(file: OpenFile, cloexec: boolean, start = 0): Result {
    let fd = Math.max(start, this.nextFd);
    while (fd < this.limit && this.files[fd] !== undefined) fd++;
    if (fd >= this.limit) return EMFILE;
    this.set(fd, file, cloexec);
    if (start <= this.nextFd) this.nextFd = fd + 1;
    return fd;
  }

  /** Whether `n` fds are free below the limit (pipe and socketpair take two). */
  hasRoom(n: number): boolean {
    return this.limit - this.used >= n;
  }

  /** Whether `fd` can name a file here (below RLIMIT_NOFILE). */
  inRange(fd: number): boolean {
    return fd >= 0 && fd < this.limit;
  }

  /**
   * Puts `file` at `fd`, which must be in range (dup2, dup3, fork's copy);
   * returns the file that was there, for the caller to release.
   */
  replace(fd: number, file: OpenFile, cloexec: boolean): OpenFile | undefined {
    const old = this.files[fd];
    if (old === undefined) this.set(fd, file, cloexec);
    else {
      this.files[fd] = file;
      this.cloexec[fd] = cloexec;
      this.onChange?.(fd, file);
    }
    return old;
  }

  private set(fd: number, file: OpenFile, cloexec: boolean): void {
    while (this.files.length <= fd) {
      this.files.push(undefined);
      this.cloexec.push(false);
    }
    this.files[fd] = file;
    this.cloexec[fd] = cloexec;
    this.used++;
    this.onChange?.(fd, file);
  }

  /** Takes `fd` out of the table; returns its file (the caller releases it). */
  remove(fd: number): OpenFile | undefined {
    const f = this.files[fd];
    if (f === undefined) return undefined;
    this.files[fd] = undefined;
    this.cloexec[fd] = false;
    this.used--;
    if (fd < this.nextFd) this.nextFd = fd;
    this.onChange?.(fd, undefined);
    return f;
  }

  /** Every fd that names `file`. */
  fdsOf(file: OpenFile): number[] {
    const out: number[] = [];
    this.files.forEach((f, fd) => {
      if (f === file) out.push(fd);
    });
    return out;
  }

  getCloexec(fd: number): boolean {
    return this.cloexec[fd] === true;
  }

  setCloexec(fd: number, on: boolean): void {
    if (this.files[fd] !== undefined) this.cloexec[fd] = on;
  }

  /** Every open fd and its file, lowest first. */
  entries(): [number, OpenFile][] {
    const out: [number, OpenFile][] = [];
    this.files.forEach((f, fd) => {
      if (f !== undefined) out.push([fd, f]);
    });
    return out;
  }
}
