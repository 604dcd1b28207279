// The `splicekit` import module: pipe2, dup, dup2, dup3, splice, tee,
// vmsplice, sendfile, fcntl, ioctl and socketpair with Linux's signatures
// on wasm32 (ints, pointers to loff_t as i64, iovecs of u32 base and u32
// length), Linux flag values, and Linux errnos: -errno on failure, plus
// splicekit's own calls. include/splicekit.h declares them (GUEST_IMPORTS
// is that list, checked against the header and the syscall table by
// test/syscalls.test.ts) and wraps them as the libc functions.

import { F_GETPIPE_SZ, O_NONBLOCK, PAGE_SIZE, SPLICE_F_ALL, UIO_MAXIOV } from '../constants.js';
import type { FdView } from '../snapshot.js';
import type { IoVec, Offset } from '../types.js';
import type { Loan } from '../loan.js';
import { socketTypeFlagsValid } from '../syscalls/files.js';
import type { SyscallName } from '../syscalls/table.js';
import type { WasiContext } from './context.js';
import { ERRNO } from '../errors.js';
import { Fault, type GuestIov } from './memory.js';

const AF_UNIX = 1;
const AF_INET = 2;
const AF_INET6 = 10;

/**
 * Every import of the module: the syscall-table entry it makes (null for a
 * guest-only helper) and its C parameters as include/splicekit.h declares
 * them. The calls WASI preview 1 already has (read, write, open, close,
 * lseek, poll...) reach the table through wasi_snapshot_preview1 instead.
 */
export const GUEST_IMPORTS = {
  pipe2: { syscall: 'pipe', params: ['int *', 'int'] },
  dup: { syscall: 'dup', params: ['int'] },
  dup2: { syscall: 'dup2', params: ['int', 'int'] },
  dup3: { syscall: 'dup3', params: ['int', 'int', 'int'] },
  splice: { syscall: 'splice', params: ['int', 'loff_t *', 'int', 'loff_t *', 'size_t', 'unsigned'] },
  tee: { syscall: 'tee', params: ['int', 'int', 'size_t', 'unsigned'] },
  vmsplice: { syscall: 'vmsplice', params: ['int', 'const struct iovec *', 'size_t', 'unsigned'] },
  sendfile: { syscall: 'sendfile', params: ['int', 'int', 'loff_t *', 'size_t'] },
  fcntl: { syscall: 'fcntl', params: ['int', 'int', 'int'] },
  ioctl: { syscall: 'ioctl', params: ['int', 'int', 'void *'] },
  socketpair: { syscall: 'socketpair', params: ['int', 'int', 'int', 'int *'] },
  notifyfd: { syscall: 'notifyfd', params: ['int'] },
  vmsplice_notify: { syscall: 'vmspliceNotify', params: ['int', 'const struct iovec *', 'size_t', 'unsigned', 'int', 'unsigned *'] },
  vmsplice_loan: { syscall: 'vmspliceLoan', params: ['int', 'size_t', 'unsigned', 'unsigned *'] },
  loan_copy: { syscall: null, params: ['unsigned', 'size_t', 'void *', 'size_t'] },
  loan_release: { syscall: 'releaseLoan', params: ['unsigned'] },
  sigpipe: { syscall: null, params: ['int'] },
} as const satisfies Record<string, { syscall: SyscallName | null; params: readonly string[] }>;

const isPipe = (v: FdView | undefined) => v?.kind === 'pipe-read' || v?.kind === 'pipe-write';

export function splicekitCalls(ctx: WasiContext) {
  const { kernel: k, mem: m } = ctx;
  const linux = (fds: number[] | null, body: () => number, flush = false) => ctx.run('linux', fds, body, flush);
  /** A dup of a directory resolves paths where the original does; any other file drops the name's old directory. */
  const sameDir = (from: number, to: number): number => {
    const dir = ctx.dirs.get(from);
    if (dir !== undefined) ctx.dirs.set(to, dir);
    else ctx.dirs.delete(to);
    return to;
  };

  const inBounds = (ptr: number, len: number): boolean => {
    try {
      m.check(ptr, len);
      return true;
    } catch {
      return false;
    }
  };

  /** copy_to_user of a new fd pair; on a fault the fds are closed again (do_pipe2). */
  const putPair = (ptr: number, pair: [number, number]): number => {
    if (!inBounds(ptr, 8)) {
      pair.forEach((fd) => k.close(fd));
      throw new Fault(ptr, 8);
    }
    m.setI32(ptr, pair[0]);
    m.setI32(ptr + 4, pair[1]);
    return 0;
  };

  /** A loff_t * argument (0 is NULL). */
  const offsetAt = (ptr: number): Offset | null => (ptr === 0 ? null : { value: Number(m.i64(ptr)) });
  const storeOffset = (ptr: number, off: Offset | null) => {
    if (off) m.setI64(ptr, off.value);
  };

  /** The guest's memory as iovecs the machine maps (its pages go into the pipe by reference). */
  const linearIov = (iovs: GuestIov[]): IoVec[] => iovs.map((v) => ({ buf: ctx.linear!, offset: v.ptr, length: v.len }));

  /**
   * vmsplice into a pipe. Where the guest's memory is the host's
   * (`ctx.linear`), the pipe references the guest's own pages, as Linux's
   * does. Otherwise the iovecs are copied into fresh user pages the pipe
   * then references (freed right after: the pipe keeps its references);
   * each iovec keeps its offset within a page, so the pipe's buffers split
   * where Linux's would, and only what the pipe can take is copied: its
   * size in bytes, one buffer per slot at most.
   */
  const vmspliceIn = (fd: number, iovs: GuestIov[], flags: number): number => {
    if (ctx.linear) return k.vmsplice(fd, linearIov(iovs), flags);
    const size = k.fcntl(fd, F_GETPIPE_SZ);
    const plan: { from: number; at: number; len: number }[] = [];
    let end = 0;
    let left = size;
    for (const v of iovs) {
      if (v.len === 0) continue;
      if (left === 0 || plan.length === size / PAGE_SIZE) break;
      const at = Math.ceil(end / PAGE_SIZE) * PAGE_SIZE + (v.ptr % PAGE_SIZE);
      const len = Math.min(v.len, left);
      plan.push({ from: v.ptr, at, len });
      end = at + len;
      left -= len;
    }
    const buf = k.alloc(end);
    try {
      const iov: IoVec[] = plan.map((p) => {
        buf.bytes.set(m.bytes(p.from, p.len), p.at);
        return { buf, offset: p.at, length: p.len };
      });
      k.touch(buf, 0, end); // the guest wrote these pages: never the zero page
      return k.vmsplice(fd, iov, flags);
    } finally {
      k.free(buf);
    }
  };

  /** vmsplice out of a pipe copies (as Linux does) through a user buffer into the iovecs. */
  const vmspliceOut = (fd: number, iovs: GuestIov[], flags: number): number => {
    const total = Math.min(
      iovs.reduce((n, v) => n + v.len, 0),
      k.fcntl(fd, F_GETPIPE_SZ),
    );
    const buf = k.alloc(total);
    try {
      const n = k.vmsplice(fd, [{ buf, offset: 0, length: total }], flags);
      return m.scatter(iovs, buf.bytes.subarray(0, n));
    } finally {
      k.free(buf);
    }
  };

  /** Read-side loans a guest holds, by the process's handle (the pages stay in the machine's memory). */
  const loans = new Map<number, Loan>();

  return {
    /** splicekit extension: a release-notification fd (see README, "Is my page still under I/O?"). */
    notifyfd: (flags: number) => linux(null, () => k.notifyfd(flags & O_NONBLOCK)),
    /**
     * splicekit extension: vmsplice into a pipe, tracked; the id (stored at
     * `idPtr`) is reported by `nfd` once the kernel holds none of the pages.
     * A guest's bytes are copied into kernel pages, so the guest may reuse its
     * buffer at once; the notification still tells when the kernel is done.
     */
    vmsplice_notify: (fd: number, iov: number, nrSegs: number, flags: number, nfd: number, idPtr: number) =>
      linux(
        [fd],
        () => {
          if (!inBounds(idPtr, 4)) return -ERRNO.EFAULT;
          const iovs = m.iovs(iov, nrSegs);
          if (ctx.linear) {
            const { count, id } = k.vmspliceNotify(fd, linearIov(iovs), flags, nfd);
            m.setI32(idPtr, id);
            return count;
          }
          const total = iovs.reduce((n, v) => n + v.len, 0);
          const buf = k.alloc(total);
          try {
            let at = 0;
            for (const v of iovs) {
              buf.bytes.set(m.bytes(v.ptr, v.len), at);
              at += v.len;
            }
            k.touch(buf, 0, total);
            const { count, id } = k.vmspliceNotify(fd, [{ buf, offset: 0, length: total }], flags, nfd);
            m.setI32(idPtr, id);
            return count;
          } finally {
            k.free(buf);
          }
        },
        true,
      ),
    /**
     * splicekit extension, the read side: lends up to `len` bytes of the pipe's
     * buffers (consumed from the pipe, nothing copied); the handle is stored at
     * `handlePtr`. `loan_copy` copies from it into guest memory on request.
     */
    vmsplice_loan: (fd: number, len: number, flags: number, handlePtr: number) =>
      linux(
        [fd],
        () => {
          if (!inBounds(handlePtr, 4)) return -ERRNO.EFAULT;
          const loan = k.vmspliceLoan(fd, len >>> 0, flags);
          // An empty loan holds nothing: its handle 0 releases as any other.
          loans.set(loan.handle, loan);
          m.setI32(handlePtr, loan.handle);
          return loan.count;
        },
        true,
      ),
    loan_copy: (handle: number, offset: number, buf: number, len: number) =>
      linux(null, () => {
        const loan = loans.get(handle);
        if (!loan) return -ERRNO.EBADF;
        if (!inBounds(buf, len)) return -ERRNO.EFAULT;
        let skip = offset >>> 0;
        let done = 0;
        for (const v of loan.views) {
          if (done === len) break;
          if (skip >= v.length) {
            skip -= v.length;
            continue;
          }
          const part = v.subarray(skip, skip + Math.min(v.length - skip, len - done));
          m.bytes(buf + done, part.length).set(part);
          done += part.length;
          skip = 0;
        }
        return done;
      }),
    loan_release: (handle: number) =>
      linux(
        null,
        () => {
          const loan = loans.get(handle);
          if (!loan) return -ERRNO.EBADF;
          loans.delete(handle);
          loan.release();
          return 0;
        },
        true,
      ),
    pipe2: (fds: number, flags: number) => linux(null, () => putPair(fds, k.pipe(flags))),
    dup: (fd: number) => linux(null, () => sameDir(fd, k.dup(fd))),
    dup2: (oldfd: number, newfd: number) =>
      linux(null, () => {
        const r = k.dup2(oldfd, newfd);
        if (oldfd !== newfd) ctx.preopens.delete(newfd); // it names another file now
        return sameDir(oldfd, r);
      }),
    dup3: (oldfd: number, newfd: number, flags: number) =>
      linux(null, () => {
        const r = k.dup3(oldfd, newfd, flags);
        ctx.preopens.delete(newfd);
        return sameDir(oldfd, r);
      }),
    splice: (fdIn: number, offIn: number, fdOut: number, offOut: number, len: number, flags: number) =>
      linux(
        [fdIn, fdOut],
        () => {
          if (len === 0) return 0;
          // __do_splice copies offsets from user after the ESPIPE checks, before the mode checks.
          if ((offIn && !inBounds(offIn, 8)) || (offOut && !inBounds(offOut, 8))) {
            if (flags & ~SPLICE_F_ALL) return -ERRNO.EINVAL;
            const vi = k.describe(fdIn);
            const vo = k.describe(fdOut);
            if (!vi || !vo) return -ERRNO.EBADF;
            if ((isPipe(vi) && offIn) || (isPipe(vo) && offOut)) return -ERRNO.ESPIPE;
            return -ERRNO.EFAULT;
          }
          const oi = offsetAt(offIn);
          const oo = offsetAt(offOut);
          const n = k.splice(fdIn, oi, fdOut, oo, len >>> 0, flags);
          storeOffset(offIn, oi);
          storeOffset(offOut, oo);
          return n;
        },
        true,
      ),
    tee: (fdIn: number, fdOut: number, len: number, flags: number) => linux([fdIn, fdOut], () => k.tee(fdIn, fdOut, len >>> 0, flags), true),
    vmsplice: (fd: number, iov: number, nrSegs: number, flags: number) =>
      linux(
        [fd],
        () => {
          // Linux's order: flags, fd, iovec count, iovec addresses, empty, pipe.
          if (flags & ~SPLICE_F_ALL) return -ERRNO.EINVAL;
          const v = k.describe(fd);
          if (!v) return -ERRNO.EBADF;
          if (nrSegs >>> 0 > UIO_MAXIOV) return -ERRNO.EINVAL;
          const iovs = m.iovs(iov, nrSegs);
          if (iovs.every((x) => x.len === 0)) return 0;
          if (!isPipe(v)) return -ERRNO.EBADF;
          return v.kind === 'pipe-write' ? vmspliceIn(fd, iovs, flags) : vmspliceOut(fd, iovs, flags);
        },
        true,
      ),
    sendfile: (outFd: number, inFd: number, offPtr: number, count: number) =>
      linux(
        [outFd, inFd],
        () => {
          // sendfile64 copies the offset in before anything else.
          if (offPtr && !inBounds(offPtr, 8)) return -ERRNO.EFAULT;
          const off = offsetAt(offPtr);
          const n = k.sendfile(outFd, inFd, off, count >>> 0);
          storeOffset(offPtr, off);
          return n;
        },
        true,
      ),
    fcntl: (fd: number, cmd: number, arg: number) => linux(null, () => k.fcntl(fd, cmd, arg)),
    ioctl: (fd: number, request: number, argp: number) =>
      linux(null, () => {
        const n = k.ioctl(fd, request);
        m.setI32(argp, n); // put_user: EFAULT after the work, as Linux
        return 0;
      }),
    socketpair: (domain: number, type: number, protocol: number, sv: number) =>
      linux(null, () => {
        // __sys_socketpair: the type's flags, then family and protocol (unix_create);
        // the kernel's socketpair answers for the type itself and its flags.
        if (!socketTypeFlagsValid(type)) return -ERRNO.EINVAL;
        // Internet sockets exist on Linux but cannot be paired (sock_no_socketpair).
        if (domain === AF_INET || domain === AF_INET6) return -ERRNO.EOPNOTSUPP;
        if (domain !== AF_UNIX) return -ERRNO.EAFNOSUPPORT;
        if (protocol !== 0 && protocol !== AF_UNIX) return -ERRNO.EPROTONOSUPPORT;
        return putPair(sv, k.socketpair({ type }));
      }),
    /**
     * SIGPIPE's disposition: 1 ignores it (a write with no reader then fails
     * EPIPE), 0 restores the default (it ends the guest with 141); returns
     * the previous one. The header's signal() calls it (WASI has no signals).
     */
    sigpipe: (ignore: number) => {
      const was = ctx.sigpipeIgnored ? 1 : 0;
      if (ignore !== 0 && ignore !== 1) return -ERRNO.EINVAL;
      ctx.sigpipeIgnored = ignore === 1;
      return was;
    },
  } satisfies Record<keyof typeof GUEST_IMPORTS, (...a: number[]) => number>;
}
