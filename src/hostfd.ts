// The command line's own I/O on the host's fds (Node only).

import { fstatSync, readSync } from 'node:fs';

/** The error code of a Node system error (`ENOSPC`), or undefined. */
export function errorCode(e: unknown): string | undefined {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

const tiny = new Int32Array(new SharedArrayBuffer(4));
/** A non-blocking fd answered EAGAIN: wait a moment and try again (Node has no synchronous poll). */
const pause = () => Atomics.wait(tiny, 0, 0, 1);

/**
 * Everything `fd` holds up to end of file (a pipe, a terminal, a file), in
 * one buffer that doubles as it fills (sized at once for a regular file);
 * throws a Node system error.
 */
export function readAll(fd: number): Uint8Array {
  let capacity = 1 << 16;
  try {
    const st = fstatSync(fd);
    if (st.isFile()) capacity = Math.max(capacity, st.size + 1);
  } catch { /* read() will say what is wrong */ }
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
      if (code === 'EAGAIN') { pause(); continue; }
      if (code === 'EOF') break; // Windows: a pipe whose writer closed
      throw e;
    }
    if (n === 0) break;
    size += n;
  }
  return buf.subarray(0, size);
}
