// Output rendering of trace results (docs/trace-format.md, "Output").
// Byte-exact: a native runner prints the same text for the same behaviour.

import { FASYNC, O_ACCMODE, O_APPEND, O_DIRECT, O_NONBLOCK, POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT } from '../constants.js';

/** Longest byte string printed literally; longer ones print as a hash. */
export const MAX_LITERAL_BYTES = 64;

/** 32-bit FNV-1a (offset basis 0x811c9dc5, prime 0x01000193). */
export function fnv1a32(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193) >>> 0;
  return h;
}

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

/** `"…"` with the format's escapes for up to 64 bytes, else `<N bytes fnv1a32=hhhhhhhh>`. */
export function renderBytes(bytes: Uint8Array): string {
  if (bytes.length > MAX_LITERAL_BYTES) return `<${bytes.length} bytes fnv1a32=${hex(fnv1a32(bytes), 8)}>`;
  let s = '"';
  for (const b of bytes) s += escapeByte(b);
  return `${s}"`;
}

function escapeByte(b: number): string {
  switch (b) {
    case 0x5c:
      return '\\\\';
    case 0x22:
      return '\\"';
    case 0x0a:
      return '\\n';
    case 0x09:
      return '\\t';
    case 0x0d:
      return '\\r';
  }
  // Everything else outside printable ASCII, NUL included, is \xhh.
  return b >= 0x20 && b <= 0x7e ? String.fromCharCode(b) : `\\x${hex(b, 2)}`;
}

/** A failed call: `-EBADF`. */
export function renderErrno(code: string): string {
  return `-${code}`;
}

const POLL_NAMES: [number, string][] = [
  [POLLIN, 'IN'],
  [POLLOUT, 'OUT'],
  [POLLHUP, 'HUP'],
  [POLLERR, 'ERR'],
  [POLLNVAL, 'NVAL'],
];

/** poll revents as `IN|OUT|HUP|ERR|NVAL` (that order), or `0`. */
export function renderPollEvents(revents: number): string {
  const names = POLL_NAMES.filter(([bit]) => revents & bit).map(([, name]) => name);
  return names.length > 0 ? names.join('|') : '0';
}

const ACCESS_NAMES = ['RDONLY', 'WRONLY', 'RDWR'];

/**
 * The status flags a trace names (fcntl SETFL) and F_GETFL prints, in the
 * order printed; others (O_LARGEFILE, O_NOATIME: root's and the caller's
 * business) are not shown.
 */
export const STATUS_FLAGS = { NONBLOCK: O_NONBLOCK, APPEND: O_APPEND, DIRECT: O_DIRECT, ASYNC: FASYNC } as const;

/** F_GETFL result: access mode, then each of STATUS_FLAGS that is set. */
export function renderStatusFlags(flags: number): string {
  const mode = ACCESS_NAMES[flags & O_ACCMODE] ?? String(flags & O_ACCMODE);
  return [mode, ...Object.entries(STATUS_FLAGS).flatMap(([name, bit]) => (flags & bit ? [name] : []))].join('|');
}

/** One output line: `LINE: RESULT`. */
export function resultLine(line: number, result: string): string {
  return `${line}: ${result}`;
}
