// What splicekit adds to the calls Linux has: user memory for vmsplice
// (alloc, free, touch), release notifications (notifyfd, vmspliceNotify,
// isReleased), read-side loans, a look at an fd (describe), and exit.

import { MAX_RW_COUNT, SPLICE_F_ALL, SPLICE_F_NONBLOCK } from '../constants.js';
import { BLOCK, EAGAIN, EBADF, EINVAL, EMFILE, ENOMEM } from '../files/kctx.js';
import { HostFile } from '../files/hostfile.js';
import { RegularFile } from '../files/memfs.js';
import { NotifyFile } from '../files/notify.js';
import type { Loan } from '../loan.js';
import { describeFd, type FdView } from '../snapshot.js';
import type { IoVec, UserBuffer } from '../types.js';
import { vmspliceTagged } from './splice.js';
import type { Task } from './task.js';

/** Page-aligned, zeroed user memory that vmsplice maps without copying. */
export function alloc(p: Task, length: number): UserBuffer {
  const buf = p.user.alloc(length);
  if (!buf) p.fail('alloc', ENOMEM);
  return buf;
}

/** Releases user memory; pages still in a pipe stay until the pipe lets go. */
export function free(p: Task, buf: UserBuffer): void {
  p.user.free(buf);
}

/** Tells the kernel these bytes were written (a first write maps a real page). */
export function touch(p: Task, buf: UserBuffer, offset: number, length: number): void {
  p.user.touch(buf, offset, length);
}

/**
 * A release-notification fd: it becomes readable (poll IN) when every page
 * reference made by a `vmspliceNotify` has been dropped; each read returns
 * 8-byte records (u32 lo, u32 hi) of released ids.
 */
export function notifyfd(p: Task, flags = 0): number {
  if (!p.fds.hasRoom(1)) p.fail('notifyfd', EMFILE);
  p.check('notifyfd', p.machine.chargeFiles(1));
  return p.install(new NotifyFile(flags), false);
}

/**
 * vmsplice into a pipe, tracked: returns the count and the id that
 * `notifyFd` reports once no pipe, file, socket or retransmit queue in the
 * kernel references those pages any more: then the buffer may be reused.
 */
export function vmspliceNotify(p: Task, fd: number, iov: IoVec[], flags: number, notifyFd: number): { count: number; id: number } {
  const nf = p.file(notifyFd);
  if (!(nf instanceof NotifyFile)) p.fail('vmsplice', EBADF);
  const tag = p.core.tagNew();
  if (tag < 0) p.fail('vmsplice', tag);
  // The owner goes in first: a thread that reads the pipe may drop the last reference at once.
  const id = nf.track();
  p.machine.tagOwners.set(tag, { file: nf, id });
  const undo = () => {
    p.machine.tagOwners.delete(tag);
    nf.untrack(id);
    p.core.tagFree(tag);
  };
  let count: number;
  try {
    count = vmspliceTagged(p, fd, iov, flags, tag, true);
  } catch (e) {
    undo();
    throw e;
  }
  if (count === 0) {
    undo();
    return { count, id: -1 };
  }
  return { count, id };
}

/** Whether vmspliceNotify's `id` on `notifyFd` has been released (no waiting). */
export function isReleased(p: Task, notifyFd: number, id: number): boolean {
  const nf = p.file(notifyFd);
  if (!(nf instanceof NotifyFile)) p.fail('isReleased', EBADF);
  p.machine.drainCompletions();
  return nf.isReleased(id);
}

/**
 * The read side of zero-copy: lends the next buffers' pages as views
 * (offset and length intact), consuming them from the pipe; the pages go
 * back to the pool when the loan is released. The views are read-only by
 * contract: writing through one would change a page others may share.
 */
export function vmspliceLoan(p: Task, fd: number, len: number, flags: number): Loan {
  if (flags & ~SPLICE_F_ALL) p.fail('vmsplice', EINVAL);
  const f = p.file(fd);
  const r = f?.pipeRing();
  if (!f || r === undefined || !f.readable) p.fail('vmsplice', EBADF);
  // As vmsplice out of a pipe: only SPLICE_F_NONBLOCK makes an empty pipe EAGAIN.
  if (len > 0 && p.core.occupancy(r) === 0 && p.core.writers(r) > 0) {
    p.fail('vmsplice', flags & SPLICE_F_NONBLOCK ? EAGAIN : BLOCK);
  }
  const loan = p.loans.lend(p, r, Math.min(len, MAX_RW_COUNT));
  if (typeof loan === 'number') p.fail('vmsplice', loan);
  return loan;
}

/** Ends the loan with this handle (as `loan.release()`); EBADF for one not held. */
export function releaseLoan(p: Task, handle: number): void {
  const loan = p.loans.get(handle);
  if (!loan) p.fail('releaseLoan', EBADF);
  loan.release();
}

/** What an fd is (for fstat-like callers such as the WASI host), or undefined if closed. */
export function describe(p: Task, fd: number): FdView | undefined {
  const f = p.file(fd);
  if (!f) return undefined;
  const paths = new Map([...p.machine.files].map(([path, inode]) => [inode, path]));
  const view = describeFd(fd, f, paths);
  if (f instanceof RegularFile) view.size = f.inode.size;
  if (f instanceof HostFile) view.size = f.size;
  return view;
}

/** exit_group(2): the process ends; its fds close, its memory and loans go. */
export function exit(p: Task, status: number): void {
  p.terminate(status);
}
