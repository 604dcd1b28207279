// nodeDirectory(hostPath): a host directory for Kernel.mount, on Node's fs
// (synchronous: the kernel's calls never wait). Files are opened, read and
// written straight on the host; nothing is cached.
//
// Escapes: the kernel resolves "." and ".." itself and never passes them,
// so what is left is the host's symlinks. A path whose real location
// (every symlink followed) is outside the directory is EPERM, the answer
// cap-std (wasmtime's sandbox) gives for "a path led outside of the
// filesystem"; the file is then opened by that real path with O_NOFOLLOW.

import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, realpathSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join, sep } from 'node:path';
import { O_ACCMODE, O_CREAT, O_EXCL, O_RDONLY, O_RDWR, O_TRUNC, O_WRONLY } from './constants.js';
import { ERRNO, type ErrnoName } from './errors.js';
import type { HostDirectory, HostHandle } from './files/hostdir.js';
import { EISDIR, EPERM } from './files/kctx.js';

/** A Node system error as a negative Linux errno (EIO for one Linux has no name for here); anything else is a bug, thrown. */
function errnoOf(e: unknown): number {
  const code = (e as NodeJS.ErrnoException).code;
  if (typeof code !== 'string' || !/^E[A-Z0-9]+$/.test(code)) throw e; // ERR_... codes are Node's own
  return -(ERRNO[code as ErrnoName] ?? ERRNO.EIO);
}

/** Runs a host call; its failure is a negative errno. */
function hostCall<T>(f: () => T): T | number {
  try {
    return f();
  } catch (e) {
    return errnoOf(e);
  }
}

/** Linux open flags as the host's (the same bits on Linux, other ones elsewhere). */
function hostFlags(flags: number): number {
  const acc = flags & O_ACCMODE;
  return (
    (acc === O_WRONLY ? constants.O_WRONLY : acc === O_RDWR ? constants.O_RDWR : constants.O_RDONLY) |
    (flags & O_CREAT ? constants.O_CREAT : 0) |
    (flags & O_EXCL ? constants.O_EXCL : 0) |
    (flags & O_TRUNC ? constants.O_TRUNC : 0)
  );
}

function handleOf(fd: number): HostHandle {
  return {
    pread: (dst, pos) => hostCall(() => readSync(fd, dst, 0, dst.length, pos)),
    pwrite: (src, pos) => hostCall(() => writeSync(fd, src, 0, src.length, pos)),
    size: () => fstatSync(fd).size,
    close: () => closeSync(fd),
  };
}

/** The directory at `hostPath` (which must exist) as a HostDirectory. */
export function nodeDirectory(hostPath: string): HostDirectory {
  const root = realpathSync(hostPath);
  if (!statSync(root).isDirectory()) throw new TypeError(`nodeDirectory: ${hostPath} is not a directory`);
  const inside = (real: string) => real === root || real.startsWith(root.endsWith(sep) ? root : root + sep);

  /** The real path of `rel`'s directory, joined with its last component (not followed), or EPERM outside. */
  const beside = (rel: string): string | number => {
    const path = join(root, rel);
    const dir = hostCall(() => realpathSync(dirname(path)));
    if (typeof dir === 'number') return dir;
    if (!inside(dir)) return EPERM;
    return join(dir, basename(path));
  };

  /**
   * The real host path of `rel`, or EPERM if it leads outside. A name that
   * does not exist (yet) is checked by its directory's real path; a
   * symlink that points nowhere is EPERM too (creating through it could
   * make a file anywhere).
   */
  const real = (rel: string): string | number => {
    const path = join(root, rel);
    try {
      const r = realpathSync(path);
      return inside(r) ? r : EPERM;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return errnoOf(e);
    }
    const link = hostCall(() => lstatSync(path));
    if (typeof link !== 'number') return EPERM; // it exists, yet does not resolve: a dangling symlink
    const at = beside(rel);
    return typeof at === 'number' || !rel.endsWith('/') ? at : `${at}/`;
  };

  return {
    open(rel, flags, mode) {
      const at = real(rel);
      if (typeof at === 'number') return at;
      const fd = hostCall(() => openSync(at, hostFlags(flags) | constants.O_NOFOLLOW, mode));
      if (typeof fd === 'number' && fd < 0) return fd;
      if (fstatSync(fd).isDirectory()) {
        closeSync(fd);
        // may_open(): a directory opens for reading only (the host said so already for writing).
        return (flags & O_ACCMODE) === O_RDONLY && !(flags & (O_CREAT | O_TRUNC)) ? 'directory' : EISDIR;
      }
      return handleOf(fd);
    },
    unlink(rel) {
      // unlink(2) removes a symlink itself, never what it points to.
      if (rel === '') return EISDIR;
      const at = beside(rel);
      if (typeof at === 'number') return at;
      const r = hostCall(() => unlinkSync(at));
      return typeof r === 'number' ? r : 0;
    },
  };
}
