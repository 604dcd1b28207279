// fd_fdstat_get, fd_fdstat_set_flags, fd_filestat_get, and the encoding of
// `fdstat` and `filestat` from what the kernel says an fd is.

import { F_GETFL, F_SETFL, O_ACCMODE, O_APPEND, O_NONBLOCK, O_RDONLY, O_WRONLY, SOCK_STREAM } from '../constants.js';
import type { FdView } from '../snapshot.js';
import { ALL_RIGHTS, FDFLAGS, FDSTAT, FILESTAT, FILETYPE, RIGHTS } from './abi.js';
import type { WasiContext } from './context.js';
import { ERRNO } from '../errors.js';
import { E, WasiError } from './errno.js';

const FILETYPE_OF: Record<FdView['kind'], number> = {
  // WASI has no FIFO type; runtimes report pipes as unknown.
  'pipe-read': FILETYPE.UNKNOWN,
  'pipe-write': FILETYPE.UNKNOWN,
  notify: FILETYPE.UNKNOWN,
  file: FILETYPE.REGULAR_FILE,
  socket: FILETYPE.SOCKET_STREAM,
  directory: FILETYPE.DIRECTORY,
  null: FILETYPE.CHARACTER_DEVICE,
  zero: FILETYPE.CHARACTER_DEVICE,
  full: FILETYPE.CHARACTER_DEVICE,
};

/**
 * The fd's WASI filetype. Preview 1 has no seqpacket type: a seqpacket
 * socket keeps its messages' boundaries, so it reports as a datagram one.
 */
function filetypeOf(v: FdView): number {
  if (v.kind === 'socket' && v.socketType !== SOCK_STREAM) return FILETYPE.SOCKET_DGRAM;
  return FILETYPE_OF[v.kind];
}

/** The fd's description, or EBADF. */
export function described(ctx: WasiContext, fd: number): FdView {
  const v = ctx.kernel.describe(fd);
  if (!v) throw new WasiError(E.BADF, ERRNO.EBADF);
  return v;
}

/** Rights as Linux would allow the calls: by access mode and kind (not enforced; the kernel checks). */
export function rightsOf(v: FdView): bigint {
  const acc = v.flags & O_ACCMODE;
  let r = RIGHTS.FD_FILESTAT_GET | RIGHTS.FD_FDSTAT_SET_FLAGS | RIGHTS.POLL_FD_READWRITE;
  if (acc !== O_WRONLY) r |= RIGHTS.FD_READ;
  if (acc !== O_RDONLY) r |= RIGHTS.FD_WRITE;
  switch (v.kind) {
    case 'file':
      return r | RIGHTS.FD_SEEK | RIGHTS.FD_TELL | RIGHTS.FD_SYNC | RIGHTS.FD_DATASYNC;
    case 'null':
    case 'zero':
    case 'full':
      // Seekable, as on Linux; wasi-libc's isatty() also reads this as "not a terminal".
      return r | RIGHTS.FD_SEEK | RIGHTS.FD_TELL;
    case 'directory':
      return (
        (r & ~RIGHTS.FD_READ & ~RIGHTS.FD_WRITE) |
        RIGHTS.FD_READDIR |
        RIGHTS.PATH_OPEN |
        RIGHTS.PATH_CREATE_FILE |
        RIGHTS.PATH_FILESTAT_GET |
        RIGHTS.PATH_UNLINK_FILE
      );
    case 'socket':
      return r | RIGHTS.SOCK_SHUTDOWN;
    default:
      return r;
  }
}

export function fdflagsOf(linuxFlags: number): number {
  return (linuxFlags & O_APPEND ? FDFLAGS.APPEND : 0) | (linuxFlags & O_NONBLOCK ? FDFLAGS.NONBLOCK : 0);
}

export function writeFilestat(ctx: WasiContext, ptr: number, v: FdView): void {
  const m = ctx.mem;
  m.check(ptr, FILESTAT.SIZE);
  m.bytes(ptr, FILESTAT.SIZE).fill(0); // times are unknown: 0
  let ino = 0;
  if (v.kind === 'directory') ino = 1;
  else if (v.path !== undefined) ino = ctx.inode(v.path);
  else if (v.ring !== undefined) ino = 0x10000 + v.ring;
  m.setU64(ptr + FILESTAT.DEV, 1);
  m.setU64(ptr + FILESTAT.INO, ino);
  m.setU8(ptr + FILESTAT.FILETYPE, filetypeOf(v));
  // An unlinked file still open has no name and no link.
  m.setU64(ptr + FILESTAT.NLINK, v.kind === 'file' && v.path === undefined ? 0 : 1);
  m.setU64(ptr + FILESTAT.FILESIZE, v.kind === 'file' ? (v.size ?? 0) : 0);
}

export function statCalls(ctx: WasiContext) {
  const { kernel: k, mem: m } = ctx;
  return {
    fd_fdstat_get: (fd: number, ptr: number) =>
      ctx.run('wasi', null, () => {
        m.check(ptr, FDSTAT.SIZE);
        const v = described(ctx, fd);
        m.bytes(ptr, FDSTAT.SIZE).fill(0);
        m.setU8(ptr + FDSTAT.FILETYPE, filetypeOf(v));
        m.setU16(ptr + FDSTAT.FLAGS, fdflagsOf(v.flags));
        m.setU64(ptr + FDSTAT.RIGHTS_BASE, rightsOf(v));
        m.setU64(ptr + FDSTAT.RIGHTS_INHERITING, v.kind === 'directory' ? ALL_RIGHTS : 0n);
        return E.SUCCESS;
      }),
    fd_fdstat_set_flags: (fd: number, flags: number) =>
      ctx.run('wasi', null, () => {
        described(ctx, fd);
        if (flags & ~0x1f) return E.INVAL;
        // DSYNC/RSYNC/SYNC hold trivially for in-memory files: accepted, not stored.
        const cur = k.fcntl(fd, F_GETFL);
        const next = (cur & ~(O_APPEND | O_NONBLOCK)) | (flags & FDFLAGS.APPEND ? O_APPEND : 0) | (flags & FDFLAGS.NONBLOCK ? O_NONBLOCK : 0);
        k.fcntl(fd, F_SETFL, next);
        return E.SUCCESS;
      }),
    fd_filestat_get: (fd: number, ptr: number) =>
      ctx.run('wasi', null, () => {
        m.check(ptr, FILESTAT.SIZE);
        writeFilestat(ctx, ptr, described(ctx, fd));
        return E.SUCCESS;
      }),
  };
}
