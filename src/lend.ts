// A pipe's bytes out to a host sink: lent page by page where a ring is left
// to hold the loan, copied out by read(2) where none is (a program may have
// made every pipe it could). Output is never lost for want of a ring.

import { SyscallError } from './errors.js';
import type { Loan } from './loan.js';
import type { Process } from './process.js';

/** What a reader got: views of lent pages, or one view of a copy. */
export type Lent = Pick<Loan, 'count' | 'views' | 'release'>;

/** The most one fallback read copies (the pipe's default capacity). */
const COPY_MAX = 65536;

const noRing = (e: unknown): boolean => e instanceof SyscallError && e.code === 'ENOMEM';

function copied(bytes: Uint8Array): Lent {
  return { count: bytes.length, views: bytes.length ? [bytes] : [], release() {} };
}

/** Up to `max` bytes of pipe `fd` (a loan, or a copy when no ring is left); `flags` as for vmspliceLoan. */
export function lendOrRead(k: Process, fd: number, max: number, flags: number): Lent {
  try {
    return k.vmspliceLoan(fd, max, flags);
  } catch (e) {
    if (!noRing(e)) throw e;
    return copied(k.read(fd, Math.min(max, COPY_MAX)));
  }
}

/** lendOrRead that waits for bytes (or EOF) as the awaiting calls do. */
export async function lendOrReadAsync(k: Process, fd: number, max: number): Promise<Lent> {
  try {
    return await k.async.vmspliceLoan(fd, max, 0);
  } catch (e) {
    if (!noRing(e)) throw e;
    return copied(await k.async.read(fd, Math.min(max, COPY_MAX)));
  }
}
