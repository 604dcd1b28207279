// A process's fd table as the thread that runs the process reads it: for
// each fd, whether it is a pipe end that thread uses directly (on its own
// core instance: syscalls run in the caller's thread, as Linux runs them in
// the calling task), its ring and its status flags. The machine's thread
// keeps it: only it changes fd tables. Two Int32 words per fd.

import { O_APPEND, O_DIRECT, O_NONBLOCK } from './constants.js';
import type { OpenFile } from './files/file.js';
import { DevNull } from './files/devices.js';
import { PipeEnd } from './files/pipe.js';

/** Kinds (word 0, low byte): not a pipe end (ask the machine), a read end, a write end, /dev/null. */
export const MIRROR_OTHER = 0;
export const MIRROR_READ = 1;
export const MIRROR_WRITE = 2;
export const MIRROR_NULL = 3;
/** Flags (word 0, above the kind). */
export const MIRROR_NONBLOCK = 1 << 8;
export const MIRROR_PACKET = 1 << 9;

export class FdMirror {
  readonly words: Int32Array;

  constructor(
    readonly nofile: number,
    buffer?: SharedArrayBuffer,
  ) {
    this.words = new Int32Array(buffer ?? new SharedArrayBuffer(nofile * 8));
  }

  get buffer(): SharedArrayBuffer {
    return this.words.buffer as SharedArrayBuffer;
  }

  /** fd now names `file` (or nothing). */
  set(fd: number, file: OpenFile | undefined): void {
    if (fd < 0 || fd >= this.nofile) return;
    if (file instanceof DevNull && file.writable && !(file.flags & O_APPEND)) {
      Atomics.store(this.words, fd * 2, MIRROR_NULL);
      return;
    }
    if (!(file instanceof PipeEnd)) {
      Atomics.store(this.words, fd * 2, MIRROR_OTHER);
      return;
    }
    const flags = (file.flags & O_NONBLOCK ? MIRROR_NONBLOCK : 0) | (file.flags & O_DIRECT ? MIRROR_PACKET : 0);
    this.words[fd * 2 + 1] = file.pipe.ring;
    Atomics.store(this.words, fd * 2, (file.isRead ? MIRROR_READ : MIRROR_WRITE) | flags);
  }

  /** Whether fd is a pipe end (read or write). */
  isPipe(fd: number): boolean {
    const k = this.kind(fd);
    return k === MIRROR_READ || k === MIRROR_WRITE;
  }

  kind(fd: number): number {
    return fd >= 0 && fd < this.nofile ? Atomics.load(this.words, fd * 2) & 0xff : MIRROR_OTHER;
  }

  flags(fd: number): number {
    return Atomics.load(this.words, fd * 2) & ~0xff;
  }

  ring(fd: number): number {
    return this.words[fd * 2 + 1]!;
  }
}
