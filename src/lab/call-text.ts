// One stepped call of a program as a line of the lab's step table, written
// as the C call it came from: `vmsplice(1, 16384 bytes) = 16384`. WASI's
// fd_read and fd_write are read(2) and write(2); their counts are in the
// program's memory, read as soon as the call returns.

import { F_GETPIPE_SZ, F_SETPIPE_SZ } from '../constants.js';
import { ERRNO, errnoName } from '../errors.js';

/** The C name of an import of a program. */
const C_NAME: Record<string, string> = { fd_read: 'read', fd_write: 'write', fd_close: 'close', path_open: 'open', poll_oneoff: 'poll' };

export function callName(name: string): string {
  return C_NAME[name] ?? name;
}

/** `name(args)`: the arguments a reader needs, from the call's arguments and the program's memory. */
export function callText(name: string, a: unknown[], memory: WebAssembly.Memory): string {
  const v = new DataView(memory.buffer);
  const n = (i: number) => Number(a[i]);
  const iovBytes = (at: number, count: number) => {
    let total = 0;
    for (let i = 0; i < count; i++) total += v.getUint32(at + i * 8 + 4, true);
    return total;
  };
  switch (name) {
    case 'fd_read':
    case 'fd_write':
      return `${callName(name)}(${n(0)}, ${iovBytes(n(1), n(2))} bytes)`;
    case 'fd_close':
      return `close(${n(0)})`;
    case 'path_open':
      // Copied out first: TextDecoder refuses views of shared memory.
      return `open("${new TextDecoder().decode(new Uint8Array(memory.buffer, n(2), n(3)).slice())}")`;
    case 'splice':
      return `splice(${n(0)}, ${n(2)}, ${n(4) >>> 0})`;
    case 'tee':
      return `tee(${n(0)}, ${n(1)}, ${n(2) >>> 0})`;
    case 'vmsplice':
    case 'vmsplice_notify':
      return `${name}(${n(0)}, ${iovBytes(n(1), n(2))} bytes)`;
    case 'fcntl':
      return `fcntl(${n(0)}, ${n(1) === F_GETPIPE_SZ ? 'F_GETPIPE_SZ' : n(1) === F_SETPIPE_SZ ? `F_SETPIPE_SZ, ${n(2)}` : n(1)})`;
    default:
      return `${callName(name)}(${a.map(Number).join(', ')})`;
  }
}

/** ` = 16384`, ` = -EAGAIN`: a splicekit call returns the count or -errno; a WASI call an errno, its count in memory. */
export function resultText(name: string, a: unknown[], r: number, memory: WebAssembly.Memory): string {
  const wasi = name.startsWith('fd_') || name === 'path_open' || name === 'poll_oneoff';
  if (!wasi) return r < 0 && NAMES.has(-r) ? ` = -${errnoName(-r)}` : ` = ${r}`;
  if (r !== 0) return ` = WASI errno ${r}`;
  const v = new DataView(memory.buffer);
  if (name === 'fd_read' || name === 'fd_write') return ` = ${v.getUint32(Number(a[3]), true)}`;
  if (name === 'path_open') return ` = ${v.getUint32(Number(a[8]), true)}`;
  return ' = 0';
}

const NAMES = new Set(Object.values(ERRNO));
