// The command line's own I/O on the host's fds (Node only): reading a
// whole input, writing a whole output, and errors worded as C's strerror
// words them, for messages shaped like coreutils' ones.

import { fstatSync, readSync, writeSync } from 'node:fs';

/** glibc's strerror for the errors a command line meets; other codes print as themselves. */
const STRERROR: Readonly<Record<string, string>> = {
  EACCES: 'Permission denied',
  EAGAIN: 'Resource temporarily unavailable',
  EBADF: 'Bad file descriptor',
  EDQUOT: 'Disk quota exceeded',
  EFBIG: 'File too large',
  EINVAL: 'Invalid argument',
  EIO: 'Input/output error',
  EISDIR: 'Is a directory',
  ELOOP: 'Too many levels of symbolic links',
  EMFILE: 'Too many open files',
  ENAMETOOLONG: 'File name too long',
  ENFILE: 'Too many open files in system',
  ENOENT: 'No such file or directory',
  ENOMEM: 'Cannot allocate memory',
  ENOSPC: 'No space left on device',
  ENOTDIR: 'Not a directory',
  ENXIO: 'No such device or address',
  EPERM: 'Operation not permitted',
  EPIPE: 'Broken pipe',
  EROFS: 'Read-only file system',
  ERR_FS_FILE_TOO_LARGE: 'File too large',
};

/** The error code of a Node system error (`ENOSPC`), or undefined. */
export function errorCode(e: unknown): string | undefined {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** `No space left on device` for ENOSPC; the code itself for one not in the table. */
export function strerror(code: string | undefined): string {
  if (code === undefined) return 'Unknown error';
  return Object.hasOwn(STRERROR, code) ? STRERROR[code]! : code;
}

/** `text` with control characters as `\xHH`, so that a message quoting it stays one line. */
export function printable(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it escapes.
  return text.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

const tiny = new Int32Array(new SharedArrayBuffer(4));
/** A non-blocking fd answered EAGAIN: wait a moment and try again (Node has no synchronous poll). */
const pause = () => Atomics.wait(tiny, 0, 0, 1);

/**
 * Writes all of `data` to `fd`, synchronously, retrying partial writes and
 * EAGAIN. Returns null once everything is written, or the error code that
 * stopped it (`EPIPE` when the reader has gone, `ENOSPC`, ...).
 */
export function writeAll(fd: number, data: string | Uint8Array): string | null {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  let at = 0;
  while (at < bytes.length) {
    try {
      at += writeSync(fd, bytes, at, bytes.length - at);
    } catch (e) {
      const code = errorCode(e);
      if (code === 'EAGAIN') pause();
      else return code ?? 'EIO';
    }
  }
  return null;
}

/**
 * Everything `fd` holds up to end of file (a pipe, a terminal, a file), in
 * one buffer that doubles as it fills (sized at once for a regular file);
 * throws a Node system error.
 */
export function readAll(fd: number): Uint8Array<ArrayBuffer> {
  let capacity = 1 << 16;
  try {
    const st = fstatSync(fd);
    if (st.isFile()) capacity = Math.max(capacity, st.size + 1);
  } catch {
    /* read() will say what is wrong */
  }
  let buf = new Uint8Array(capacity);
  let size = 0;
  for (;;) {
    if (size === buf.length) {
      const bigger = new Uint8Array(buf.length * 2);
      bigger.set(buf);
      buf = bigger;
    }
    let n: number;
    try {
      n = readSync(fd, buf, size, buf.length - size, null);
    } catch (e) {
      const code = errorCode(e);
      if (code === 'EAGAIN') {
        pause();
        continue;
      }
      if (code === 'EOF') break; // Windows: a pipe whose writer closed
      throw e;
    }
    if (n === 0) break;
    size += n;
  }
  return buf.subarray(0, size);
}
