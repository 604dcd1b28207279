// fd_prestat_get, fd_prestat_dir_name, path_open, path_filestat_get,
// path_unlink_file: paths below a directory fd (a preopen, or a directory
// opened through one), handed to the kernel as the paths they are there.

import { O_CREAT, O_EXCL, O_NONBLOCK, O_APPEND, O_RDONLY, O_RDWR, O_TRUNC, O_WRONLY } from '../constants.js';
import { FDFLAGS, OFLAGS, PREOPENTYPE_DIR, PRESTAT, RIGHTS } from './abi.js';
import type { WasiContext } from './context.js';
import { ERRNO } from '../errors.js';
import { E, WasiError } from './errno.js';
import { described, writeFilestat } from './stat.js';

const enc = new TextEncoder();

export function pathCalls(ctx: WasiContext) {
  const { kernel: k, mem: m } = ctx;

  /** The path argument, relative to a directory fd; WASI paths never leave it. */
  const pathArg = (dirfd: number, ptr: number, len: number): string => {
    if (described(ctx, dirfd).kind !== 'directory') throw new WasiError(E.NOTDIR, ERRNO.ENOTDIR);
    const path = m.string(ptr, len);
    if (path === undefined) throw new WasiError(E.ILSEQ);
    if (path.includes('\0')) throw new WasiError(E.INVAL);
    // An absolute path, or one climbing out, is outside the capability (as wasmtime answers).
    if (path.startsWith('/')) throw new WasiError(E.NOTCAPABLE);
    let depth = 0;
    for (const c of path.split('/')) {
      if (c === '..') depth--;
      else if (c !== '' && c !== '.') depth++;
      if (depth < 0) throw new WasiError(E.NOTCAPABLE);
    }
    // The kernel's name for it: below the directory's own ("" stays "": ENOENT, as openat(fd, "")).
    const dir = ctx.dirs.get(dirfd) ?? '.';
    return dir === '.' || path === '' ? path : `${dir}/${path}`;
  };

  /** Opens `path` read-only just to look at it. */
  const peek = <T>(path: string, look: (fd: number) => T): T => {
    const fd = k.open(path, O_RDONLY);
    try {
      return look(fd);
    } finally {
      k.close(fd);
    }
  };

  return {
    // wasi-libc scans fds from 3 until EBADF: every other fd must answer EBADF.
    fd_prestat_get: (fd: number, ptr: number) =>
      ctx.run('wasi', null, () => {
        m.check(ptr, PRESTAT.SIZE);
        const name = ctx.preopens.get(fd);
        if (name === undefined) return E.BADF;
        m.setU32(ptr + PRESTAT.TAG, PREOPENTYPE_DIR);
        m.setU32(ptr + PRESTAT.NAME_LEN, enc.encode(name).length);
        return E.SUCCESS;
      }),
    fd_prestat_dir_name: (fd: number, ptr: number, len: number) =>
      ctx.run('wasi', null, () => {
        const name = ctx.preopens.get(fd);
        if (name === undefined) return E.BADF;
        const bytes = enc.encode(name);
        if (len >>> 0 < bytes.length) return E.NAMETOOLONG;
        m.bytes(ptr, bytes.length).set(bytes);
        return E.SUCCESS;
      }),
    path_open: (dirfd: number, _lookup: number, ptr: number, len: number, oflags: number, base: bigint, _inheriting: bigint, fdflags: number, fdPtr: number) =>
      ctx.run('wasi', null, () => {
        m.check(fdPtr, 4);
        const path = pathArg(dirfd, ptr, len);
        if (oflags & ~0xf) return E.INVAL;
        let fd: number;
        if (oflags & OFLAGS.DIRECTORY) {
          // O_DIRECTORY: the only directory is the one we are in; O_CREAT with it is EINVAL.
          if (oflags & OFLAGS.CREAT) return E.INVAL;
          fd = k.open(path, O_RDONLY | (fdflags & FDFLAGS.NONBLOCK ? O_NONBLOCK : 0));
          if (k.describe(fd)?.kind !== 'directory') {
            k.close(fd);
            return E.NOTDIR;
          }
          ctx.dirs.set(fd, path);
        } else {
          // The access mode comes from the rights asked for (wasi-libc maps O_RDONLY etc. to them).
          const read = (base & (RIGHTS.FD_READ | RIGHTS.FD_READDIR)) !== 0n;
          const write = (base & RIGHTS.FD_WRITE) !== 0n;
          const acc = read && write ? O_RDWR : write ? O_WRONLY : O_RDONLY;
          const flags =
            acc |
            (oflags & OFLAGS.CREAT ? O_CREAT : 0) |
            (oflags & OFLAGS.EXCL ? O_EXCL : 0) |
            (oflags & OFLAGS.TRUNC ? O_TRUNC : 0) |
            (fdflags & FDFLAGS.APPEND ? O_APPEND : 0) |
            (fdflags & FDFLAGS.NONBLOCK ? O_NONBLOCK : 0);
          fd = k.open(path, flags, 0o644);
        }
        m.setU32(fdPtr, fd);
        return E.SUCCESS;
      }),
    path_filestat_get: (dirfd: number, _lookup: number, ptr: number, len: number, buf: number) =>
      ctx.run('wasi', null, () => {
        m.check(buf, 64);
        const path = pathArg(dirfd, ptr, len);
        peek(path, (fd) => writeFilestat(ctx, buf, described(ctx, fd)));
        return E.SUCCESS;
      }),
    path_unlink_file: (dirfd: number, ptr: number, len: number) =>
      ctx.run('wasi', null, () => {
        k.unlink(pathArg(dirfd, ptr, len)); // unlink(".") is EISDIR, as the kernel answers
        return E.SUCCESS;
      }),
  };
}
