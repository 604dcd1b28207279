// Kernel: one emulated machine with one process. The calls are layered by
// family: sys/base.ts (memory, pool, fd table, results), sys/files.ts (fd
// calls), sys/splice.ts (the splice family); here are what splicekit adds
// (release notifications, loans, user memory) and the accounting. Calls never
// wait: where Linux would sleep they throw WouldBlock (or return the partial
// count moved), and `kernel.async` has the awaitable forms.

import { MAX_RW_COUNT, SPLICE_F_ALL, SPLICE_F_NONBLOCK } from './constants.js';
import { SyscallError } from './errors.js';
import { BLOCK, EAGAIN as EAGAIN_, EBADF, EINVAL, ENOENT } from './files/kctx.js';
import { NotifyFile } from './files/notify.js';
import { lend, type Loan } from './loan.js';
import { takeSnapshot, type KernelSnapshot } from './snapshot.js';
import type { IoVec, KernelStats, UserBuffer } from './types.js';
import { SpliceCalls } from './sys/splice.js';
import { AsyncCalls } from './async.js';

export type { KernelOptions } from './sys/base.js';

export class Kernel extends SpliceCalls {
  /**
   * A release-notification fd: it becomes readable (poll IN) when every page
   * reference made by a `vmspliceNotify` has been dropped; each read returns
   * 8-byte records (u32 lo, u32 hi) of released ids.
   */
  notifyfd(flags = 0): number {
    return this.check('notifyfd', this.install(new NotifyFile(flags)));
  }

  /**
   * vmsplice into a pipe, tracked: returns the count and the id that
   * `notifyFd` reports once no pipe, file, socket or retransmit queue in the
   * kernel references those pages any more: then the buffer may be reused.
   */
  vmspliceNotify(fd: number, iov: IoVec[], flags: number, notifyFd: number): { count: number; id: number } {
    const nf = this.file(notifyFd);
    if (!(nf instanceof NotifyFile)) return { count: this.check('vmsplice', EBADF), id: -1 };
    const tag = this.core.tagNew();
    if (tag < 0) return { count: this.check('vmsplice', tag), id: -1 };
    let count: number;
    try {
      count = this.vmspliceTagged(fd, iov, flags, tag, true);
    } catch (e) {
      this.core.tagFree(tag);
      throw e;
    }
    if (count === 0) {
      this.core.tagFree(tag);
      return { count, id: -1 };
    }
    const id = nf.track();
    this.tagOwners.set(tag, { file: nf, id });
    return { count, id };
  }

  /** Whether vmspliceNotify's `id` on `notifyFd` has been released (no waiting). */
  isReleased(notifyFd: number, id: number): boolean {
    const nf = this.file(notifyFd);
    if (!(nf instanceof NotifyFile)) return this.fail('isReleased', EBADF);
    this.drainCompletions();
    return nf.isReleased(id);
  }

  /** Resolves when vmspliceNotify's `id` on `notifyFd` has been released. */
  released(notifyFd: number, id: number): Promise<void> {
    const nf = this.file(notifyFd);
    if (!(nf instanceof NotifyFile)) return Promise.reject(new SyscallError('EBADF', 'released'));
    return nf.whenReleased(id);
  }

  /**
   * The read side of zero-copy: lends the next buffers' pages as views
   * (offset and length intact), consuming them from the pipe; the pages go
   * back to the pool when the loan is released. The views are read-only by
   * contract: writing through one would change a page others may share.
   */
  vmspliceLoan(fd: number, len: number, flags: number): Loan {
    if (flags & ~SPLICE_F_ALL) this.check('vmsplice', EINVAL);
    const f = this.file(fd);
    const r = f?.pipeRing();
    if (!f || r === undefined || !f.readable) return this.fail('vmsplice', EBADF);
    // As vmsplice out of a pipe: only SPLICE_F_NONBLOCK makes an empty pipe EAGAIN.
    if (len > 0 && this.core.occupancy(r) === 0 && this.core.writers(r) > 0) {
      this.check('vmsplice', flags & SPLICE_F_NONBLOCK ? EAGAIN_ : BLOCK);
    }
    return lend(this, r, Math.min(len, MAX_RW_COUNT));
  }

  /** Page-aligned, zeroed user memory that vmsplice maps without copying. */
  alloc(length: number): UserBuffer {
    const buf = this.user.alloc(length);
    if (!buf) throw new SyscallError('ENOMEM', 'alloc');
    return buf;
  }

  /** Releases user memory; pages still in a pipe stay until the pipe lets go. */
  free(buf: UserBuffer): void {
    this.user.free(buf);
  }

  /** Tells the kernel these bytes were written (a first write maps a real page). */
  touch(buf: UserBuffer, offset: number, length: number): void {
    this.user.touch(buf, offset, length);
  }

  /** The whole state as plain data: rings and slots, pages and their holders, fds. */
  snapshot(): KernelSnapshot {
    const st = this.stats();
    return takeSnapshot({
      core: this.core, memory: this.memory, zeroPage: this.zeroPage, fds: this.fds, files: this.files,
      userRuns: this.user.list(), pool: { total: st.pagesTotal, inUse: st.pagesInUse },
    });
  }

  stats(): KernelStats {
    const total = this.core.freeKernelPages() + this.core.freeUserPages();
    const all = this.initialFree;
    return { pagesTotal: all, pagesFree: total, pagesInUse: all - total, openFiles: this.fds.size };
  }

  /** Closes every fd, frees all user memory and files: the pool is whole again. */
  destroy(): void {
    for (const fd of [...this.fds.keys()]) this.close(fd);
    this.user.freeAll();
    for (const inode of this.files.values()) {
      inode.links = 0;
      if (inode.opens === 0) inode.dropAll(this);
    }
    this.files.clear();
    if (this.taskFrag.page >= 0) this.core.pagePut(this.taskFrag.page);
    this.taskFrag.page = -1;
  }

  /**
   * Another process on this machine: the same kernel, its own fd table.
   * `fds` maps the new process's fd numbers to this process's fds, which
   * it shares the open files of (as after fork and dup2).
   */
  process(fds: Record<number, number> = {}): Kernel {
    const child = Object.create(this) as Kernel;
    Object.defineProperty(child, 'fds', { value: new Map() });
    Object.defineProperty(child, 'fdv', { value: new Array(this.fdv.length).fill(undefined) });
    Object.defineProperty(child, 'async', { value: new AsyncCalls(child) });
    for (const [to, from] of Object.entries(fds)) {
      const f = this.file(from);
      if (!f) throw new SyscallError('EBADF', 'process');
      child.fds.set(Number(to), f);
      child.fdv[Number(to)] = f;
      f.refs++;
    }
    return child;
  }

  /** A process ends: its fds close (the machine and other processes stay). */
  exit(): void {
    for (const fd of [...this.fds.keys()]) this.close(fd);
  }

  /** Removes a file's name; its pages go when the last open file closes. */
  unlink(path: string): void {
    const inode = this.files.get(path);
    if (!inode) this.check('unlink', ENOENT);
    this.files.delete(path);
    inode!.links = 0;
    if (inode!.opens === 0) inode!.dropAll(this);
  }
}
