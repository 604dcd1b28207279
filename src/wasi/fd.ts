// fd_read, fd_write, fd_pread, fd_pwrite, fd_seek, fd_tell, fd_close,
// fd_renumber, fd_sync, fd_datasync, sock_recv, sock_send: byte I/O on
// kernel fds (WASI fd numbers are the kernel's).

import { F_GETFL, O_NONBLOCK, SEEK_CUR, SEEK_SET } from '../constants.js';
import { ERRNO, SyscallError, WouldBlock } from '../errors.js';
import { WHENCE_MAX } from './abi.js';
import type { WasiContext } from './context.js';
import { E, WasiError } from './errno.js';
import type { GuestIov } from './memory.js';
import { described } from './stat.js';

/** A WASI `filesize` (u64) as the kernel's signed offset (loff_t). */
export const toOffset = (v: bigint): number => Number(BigInt.asIntN(64, v));

export function fdCalls(ctx: WasiContext) {
  const { kernel: k, mem: m } = ctx;

  /** readv(2): one read for all iovecs, scattered into them (one iovec: straight into it). */
  const readv = (fd: number, iovs: GuestIov[]): number => {
    const parts = iovs.filter((v) => v.len > 0);
    if (parts.length === 1) return k.readInto(fd, m.bytes(parts[0]!.ptr, parts[0]!.len));
    const total = iovs.reduce((n, v) => n + v.len, 0);
    return m.scatter(iovs, k.read(fd, total));
  };

  /**
   * writev(2): one write of all iovecs (pipe atomicity and merging see one
   * write). A blocking fd keeps going after a partial write while the host
   * makes room, as a blocking write(2) returns only when all is written.
   */
  const writev = (fd: number, iovs: GuestIov[]): number => {
    const data = m.gather(iovs);
    let done = k.write(fd, data);
    const blocking = () => (k.fcntl(fd, F_GETFL) & O_NONBLOCK) === 0;
    while (done < data.length && blocking() && ctx.io.wait?.([fd])) {
      try {
        done += k.writeMore(fd, data.subarray(done));
      } catch (e) {
        if (e instanceof WouldBlock) continue;
        if (e instanceof SyscallError) break; // the partial count stands, as in Linux
        throw e;
      }
    }
    return done;
  };

  /** pread/pwrite by seeking there and back (the kernel has no positional read or write). */
  const at = (fd: number, offset: bigint, io: () => number): number => {
    const here = k.lseek(fd, 0, SEEK_CUR); // ESPIPE on pipes and sockets, as pread(2)
    const off = toOffset(offset);
    if (off < 0) throw new WasiError(E.INVAL);
    k.lseek(fd, off, SEEK_SET);
    try {
      return io();
    } finally {
      k.lseek(fd, here, SEEK_SET);
    }
  };

  const socket = (fd: number): void => {
    if (described(ctx, fd).kind !== 'socket') throw new WasiError(E.NOTSOCK, ERRNO.ENOTSOCK);
  };

  return {
    fd_read: (fd: number, iovs: number, n: number, nread: number) =>
      ctx.run('wasi', [fd], () => {
        const list = m.iovs(iovs, n);
        m.check(nread, 4); // before reading: a fault must not lose the bytes
        m.setU32(nread, readv(fd, list));
        return E.SUCCESS;
      }),
    fd_write: (fd: number, iovs: number, n: number, nwritten: number) =>
      ctx.run(
        'wasi',
        [fd],
        () => {
          const list = m.iovs(iovs, n);
          m.check(nwritten, 4);
          m.setU32(nwritten, writev(fd, list));
          return E.SUCCESS;
        },
        true,
      ),
    fd_pread: (fd: number, iovs: number, n: number, offset: bigint, nread: number) =>
      ctx.run('wasi', [fd], () => {
        const list = m.iovs(iovs, n);
        m.check(nread, 4);
        m.setU32(
          nread,
          at(fd, offset, () => readv(fd, list)),
        );
        return E.SUCCESS;
      }),
    fd_pwrite: (fd: number, iovs: number, n: number, offset: bigint, nwritten: number) =>
      ctx.run(
        'wasi',
        [fd],
        () => {
          const list = m.iovs(iovs, n);
          m.check(nwritten, 4);
          m.setU32(
            nwritten,
            at(fd, offset, () => writev(fd, list)),
          );
          return E.SUCCESS;
        },
        true,
      ),
    fd_seek: (fd: number, offset: bigint, whence: number, newoffset: number) =>
      ctx.run('wasi', null, () => {
        m.check(newoffset, 8);
        if (whence > WHENCE_MAX) return E.INVAL;
        m.setU64(newoffset, k.lseek(fd, toOffset(offset), whence));
        return E.SUCCESS;
      }),
    fd_tell: (fd: number, offset: number) =>
      ctx.run('wasi', null, () => {
        m.check(offset, 8);
        m.setU64(offset, k.lseek(fd, 0, SEEK_CUR));
        return E.SUCCESS;
      }),
    fd_close: (fd: number) =>
      ctx.run('wasi', null, () => {
        k.close(fd);
        ctx.preopens.delete(fd);
        ctx.dirs.delete(fd);
        return E.SUCCESS;
      }),
    // WASI has no dup2: fd_renumber moves `from` onto `to`, which must be open.
    fd_renumber: (from: number, to: number) =>
      ctx.run('wasi', null, () => {
        described(ctx, from);
        described(ctx, to);
        if (from === to) return E.SUCCESS;
        k.dup2(from, to);
        k.close(from);
        const name = ctx.preopens.get(from);
        ctx.preopens.delete(from);
        if (name !== undefined) ctx.preopens.set(to, name);
        else ctx.preopens.delete(to);
        const dir = ctx.dirs.get(from);
        ctx.dirs.delete(from);
        if (dir !== undefined) ctx.dirs.set(to, dir);
        else ctx.dirs.delete(to);
        return E.SUCCESS;
      }),
    // In-memory files are always synced; fsync(2) of a pipe, socket or device is EINVAL.
    fd_sync: (fd: number) => ctx.run('wasi', null, () => sync(described(ctx, fd).kind)),
    fd_datasync: (fd: number) => ctx.run('wasi', null, () => sync(described(ctx, fd).kind)),
    sock_recv: (fd: number, iovs: number, n: number, riflags: number, ndata: number, roflags: number) =>
      ctx.run('wasi', [fd], () => {
        socket(fd);
        if (riflags !== 0) return E.NOTSUP; // RECV_PEEK, RECV_WAITALL
        const list = m.iovs(iovs, n);
        m.check(ndata, 4);
        m.check(roflags, 2);
        m.setU32(ndata, readv(fd, list));
        m.setU16(roflags, 0);
        return E.SUCCESS;
      }),
    sock_send: (fd: number, iovs: number, n: number, _siflags: number, nsent: number) =>
      ctx.run(
        'wasi',
        [fd],
        () => {
          socket(fd);
          const list = m.iovs(iovs, n);
          m.check(nsent, 4);
          m.setU32(nsent, writev(fd, list));
          return E.SUCCESS;
        },
        true,
      ),
  };
}

function sync(kind: string): number {
  return kind === 'file' || kind === 'directory' ? E.SUCCESS : E.INVAL;
}
