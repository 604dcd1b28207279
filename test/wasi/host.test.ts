// The WASI host's calls, driven as a guest would: errno mapping, fd
// numbering, path_open flags, fdstat/filestat, prestat, args, poll_oneoff,
// and what is unsupported.

import { afterEach, describe, expect, it } from 'vitest';
import { ERRNO } from '../../src/errors.js';
import { F_GETFL, O_NONBLOCK, O_RDONLY, O_RDWR, O_WRONLY } from '../../src/constants.js';
import { ProcExit } from '../../src/wasi/context.js';
import { unmappedErrnos, wasiErrno } from '../../src/wasi/errno.js';
import { guest, enc, dec, type Guest } from './guest.js';

const E = {
  BADF: 8,
  AGAIN: 6,
  EXIST: 20,
  INVAL: 28,
  IO: 29,
  ISDIR: 31,
  NOENT: 44,
  NOSYS: 52,
  NOTDIR: 54,
  PIPE: 64,
  SPIPE: 70,
  NOTCAPABLE: 76,
  ILSEQ: 25,
  NAMETOOLONG: 37,
};
const RIGHT = { READ: 1n << 1n, WRITE: 1n << 6n };
const OFLAGS = { CREAT: 1, DIRECTORY: 2, EXCL: 4, TRUNC: 8 };

let g: Guest;
/** Every test ends with the pool whole again. */
afterEach(() => {
  g?.k.destroy();
  expect(g?.k.stats().pagesInUse ?? 0).toBe(0);
});

/** path_open(3, path, ...) -> [errno, fd]. */
function open(path: string, oflags: number, rights: bigint, fdflags = 0): [number, number] {
  const len = g.str(1000, path);
  const e = g.w.path_open(3, 0, 1000, len, oflags, rights, 0n, fdflags, 996);
  return [e, g.u32(996)];
}

/** fd_write of a string -> [errno, nwritten]. */
function write(fd: number, s: string): [number, number] {
  const len = g.str(2000, s);
  g.iovs(1900, [[2000, len]]);
  return [g.w.fd_write(fd, 1900, 1, 1996), g.u32(1996)];
}

function read(fd: number, n: number): [number, string] {
  g.iovs(1900, [[3000, n]]);
  const e = g.w.fd_read(fd, 1900, 1, 1996);
  return [e, dec(g.bytes(3000, e === 0 ? g.u32(1996) : 0))];
}

describe('errno mapping', () => {
  it('every errno the kernel throws has a WASI number (ENODATA, unknown to WASI, is EIO)', () => {
    expect(unmappedErrnos()).toEqual([]);
    for (const [name, n] of Object.entries(ERRNO)) {
      if (name !== 'EIO' && name !== 'ENODATA') expect(wasiErrno(n), name).not.toBe(E.IO);
    }
    expect(wasiErrno(ERRNO.ENODATA)).toBe(E.IO);
    expect(wasiErrno(ERRNO.EOPNOTSUPP)).toBe(58);
    expect(wasiErrno(ERRNO.ENAMETOOLONG)).toBe(E.NAMETOOLONG);
    expect(wasiErrno(ERRNO.EAGAIN)).toBe(E.AGAIN);
    expect(wasiErrno(ERRNO.ESPIPE)).toBe(E.SPIPE);
    expect(wasiErrno(ERRNO.EPIPE)).toBe(E.PIPE);
  });

  it('kernel errors arrive as WASI errnos, splicekit ones as -Linux errnos', () => {
    g = guest();
    const [r, w] = g.k.pipe();
    expect(g.w.fd_seek(r, 0n, 0, 100)).toBe(E.SPIPE);
    expect(g.w.fd_seek(r, 0n, 3, 100)).toBe(E.INVAL);
    expect(read(99, 1)[0]).toBe(E.BADF);
    // Blocking read of an empty pipe cannot wait in one thread: EAGAIN.
    expect(read(r, 1)[0]).toBe(E.AGAIN);
    g.k.close(r);
    expect(write(w, 'x')[0]).toBe(E.PIPE);
    expect(g.s.tee(3, w, 1, 0)).toBe(-ERRNO.EINVAL);
    expect(g.s.dup(99)).toBe(-ERRNO.EBADF);
    expect(g.s.fcntl(w, 12345, 0)).toBe(-ERRNO.EINVAL);
  });
});

describe('SIGPIPE', () => {
  it('with sigpipe, EPIPE from a write ends the guest with 141 (as splice into such a pipe on Linux)', () => {
    g = guest({ sigpipe: true });
    const [r, w] = g.k.pipe();
    const [r2, w2] = g.k.pipe();
    g.k.close(r);
    g.k.close(w2);
    expect(read(r2, 1)).toEqual([0, '']); // reads never signal
    expect(() => write(w, 'x')).toThrow(expect.objectContaining({ status: 141 }));
    expect(() => g.s.splice(r2, 0, w, 0, 1, 0)).toThrow(expect.objectContaining({ status: 141 }));
  });
});

describe('fd_renumber', () => {
  it('moves from onto to (which must be open) and closes from', () => {
    g = guest();
    const [r, w] = g.k.pipe();
    const [r2] = g.k.pipe();
    expect(g.w.fd_renumber(r, 77)).toBe(E.BADF); // WASI has no dup2 to a free number
    expect(g.w.fd_renumber(99, r2)).toBe(E.BADF);
    expect(g.w.fd_renumber(r, r)).toBe(0);
    expect(g.w.fd_renumber(r, r2)).toBe(0);
    expect(g.k.describe(r)).toBeUndefined();
    g.k.write(w, enc('moved'));
    expect(read(r2, 10)).toEqual([0, 'moved']);
  });

  it('carries the preopen with it', () => {
    g = guest();
    const [r] = g.k.pipe();
    expect(g.w.fd_renumber(3, r)).toBe(0);
    expect(g.w.fd_prestat_get(3, 100)).toBe(E.BADF);
    expect(g.w.fd_prestat_get(r, 100)).toBe(0);
  });
});

describe('path_open', () => {
  it('creates, truncates, appends; the access mode comes from the rights', () => {
    g = guest();
    const [e, f] = open('f', OFLAGS.CREAT | OFLAGS.TRUNC, RIGHT.WRITE);
    expect(e).toBe(0);
    expect(g.k.fcntl(f, F_GETFL) & 3).toBe(O_WRONLY);
    expect(write(f, 'hello')).toEqual([0, 5]);
    expect(read(f, 5)[0]).toBe(E.BADF); // write-only
    const [, a] = open('./f', 0, RIGHT.WRITE, 1 /* APPEND */);
    write(a, '!');
    const [, rd] = open('f', 0, RIGHT.READ);
    expect(g.k.fcntl(rd, F_GETFL) & 3).toBe(O_RDONLY);
    expect(read(rd, 10)).toEqual([0, 'hello!']);
    const [, rw] = open('f', OFLAGS.TRUNC, RIGHT.READ | RIGHT.WRITE, 4 /* NONBLOCK */);
    expect(g.k.fcntl(rw, F_GETFL)).toBe(O_RDWR | O_NONBLOCK);
    expect(g.k.describe(rw)!.size).toBe(0);
  });

  it('EXCL, DIRECTORY, missing names, and paths outside the directory', () => {
    g = guest();
    open('f', OFLAGS.CREAT, RIGHT.WRITE);
    expect(open('f', OFLAGS.CREAT | OFLAGS.EXCL, RIGHT.WRITE)[0]).toBe(E.EXIST);
    expect(open('f', OFLAGS.DIRECTORY, RIGHT.READ)[0]).toBe(E.NOTDIR);
    expect(open('d', OFLAGS.DIRECTORY | OFLAGS.CREAT, RIGHT.READ)[0]).toBe(E.INVAL);
    const [e, d] = open('.', OFLAGS.DIRECTORY, RIGHT.READ);
    expect(e).toBe(0);
    expect(g.k.describe(d)!.kind).toBe('directory');
    expect(open('.', 0, RIGHT.WRITE)[0]).toBe(E.ISDIR);
    expect(open('nope', 0, RIGHT.READ)[0]).toBe(E.NOENT);
    expect(open('f/', 0, RIGHT.READ)[0]).toBe(E.NOTDIR);
    expect(open('/dev/null', 0, RIGHT.READ)[0]).toBe(E.NOTCAPABLE);
    expect(open('../f', 0, RIGHT.READ)[0]).toBe(E.NOTCAPABLE);
    expect(open('a/../../f', 0, RIGHT.READ)[0]).toBe(E.NOTCAPABLE);
    g.bytes(1000, 2).set([0xc3, 0x28]);
    expect(g.w.path_open(3, 0, 1000, 2, 0, RIGHT.READ, 0n, 0, 996)).toBe(E.ILSEQ);
    const [r] = g.k.pipe();
    const len = g.str(1000, 'f');
    expect(g.w.path_open(r, 0, 1000, len, 0, RIGHT.READ, 0n, 0, 996)).toBe(E.NOTDIR);
  });

  it('path_filestat_get and path_unlink_file', () => {
    g = guest();
    const [, f] = open('f', OFLAGS.CREAT, RIGHT.WRITE);
    write(f, 'abc');
    let len = g.str(1000, 'f');
    expect(g.w.path_filestat_get(3, 0, 1000, len, 2000)).toBe(0);
    expect(g.bytes(2016, 1)[0]).toBe(4); // regular_file
    expect(g.u64(2032)).toBe(3n);
    expect(g.u64(2024)).toBe(1n); // nlink
    expect(g.w.path_unlink_file(3, 1000, len)).toBe(0);
    expect(g.w.path_unlink_file(3, 1000, len)).toBe(E.NOENT);
    expect(g.w.fd_filestat_get(f, 2000)).toBe(0);
    expect(g.u64(2024)).toBe(0n); // open but unlinked
    len = g.str(1000, '.');
    expect(g.w.path_unlink_file(3, 1000, len)).toBe(E.ISDIR);
  });
});

describe('fdstat, filestat, prestat, args', () => {
  it('fd_fdstat_get reports kind, flags and rights by access mode; set_flags reaches the kernel', () => {
    g = guest();
    const [r, w] = g.k.pipe();
    expect(g.w.fd_fdstat_get(r, 100)).toBe(0);
    expect(g.bytes(100, 1)[0]).toBe(0); // a pipe is "unknown" to WASI
    const rights = g.u64(108);
    expect(rights & RIGHT.READ).toBe(RIGHT.READ);
    expect(rights & RIGHT.WRITE).toBe(0n);
    expect(g.w.fd_fdstat_set_flags(w, 4)).toBe(0);
    expect(g.k.fcntl(w, F_GETFL)).toBe(O_WRONLY | O_NONBLOCK);
    g.w.fd_fdstat_get(w, 100);
    expect(g.dv().getUint16(102, true)).toBe(4);
    expect(g.w.fd_fdstat_set_flags(w, 0x40)).toBe(E.INVAL);
    expect(g.w.fd_fdstat_get(3, 100)).toBe(0);
    expect(g.bytes(100, 1)[0]).toBe(3); // directory
    expect(g.u64(116)).toBe((1n << 30n) - 1n); // inheriting: what files opened through it get
  });

  it('fd_prestat_get answers only the preopen; dir_name needs room', () => {
    g = guest();
    expect(g.w.fd_prestat_get(3, 100)).toBe(0);
    expect(g.u32(104)).toBe(1);
    expect(g.w.fd_prestat_dir_name(3, 200, 0)).toBe(E.NAMETOOLONG);
    expect(g.w.fd_prestat_dir_name(3, 200, 1)).toBe(0);
    expect(dec(g.bytes(200, 1))).toBe('.');
    g.k.pipe(); // fd 4: open, but not a preopen
    expect(g.w.fd_prestat_get(4, 100)).toBe(E.BADF);
  });

  it('args and environ, NUL-terminated, with their sizes', () => {
    g = guest({ args: ['prog', 'ä'], env: { A: '1', B: undefined } });
    expect(g.w.args_sizes_get(100, 104)).toBe(0);
    expect([g.u32(100), g.u32(104)]).toEqual([2, 5 + 3]);
    expect(g.w.args_get(200, 300)).toBe(0);
    expect(g.u32(200)).toBe(300);
    expect(g.u32(204)).toBe(305);
    expect(dec(g.bytes(300, 8))).toBe('prog\0ä\0');
    expect(g.w.environ_sizes_get(100, 104)).toBe(0);
    expect([g.u32(100), g.u32(104)]).toEqual([1, 4]);
  });

  it('proc_exit unwinds with the status; unsupported calls answer ENOSYS', () => {
    g = guest();
    expect(() => g.w.proc_exit(7)).toThrow(ProcExit);
    try {
      g.w.proc_exit(300);
    } catch (e) {
      expect((e as ProcExit).status).toBe(300);
    }
    expect(g.w.path_rename(3, 0, 0, 3, 0, 0)).toBe(E.NOSYS);
    expect(g.w.fd_readdir(3, 0, 0, 0n, 0)).toBe(E.NOSYS);
  });

  it('provides every wasi_snapshot_preview1 function', () => {
    g = guest();
    const witx = `args_get args_sizes_get environ_get environ_sizes_get clock_res_get clock_time_get fd_advise
      fd_allocate fd_close fd_datasync fd_fdstat_get fd_fdstat_set_flags fd_fdstat_set_rights fd_filestat_get
      fd_filestat_set_size fd_filestat_set_times fd_pread fd_prestat_get fd_prestat_dir_name fd_pwrite fd_read
      fd_readdir fd_renumber fd_seek fd_sync fd_tell fd_write path_create_directory path_filestat_get
      path_filestat_set_times path_link path_open path_readlink path_remove_directory path_rename path_symlink
      path_unlink_file poll_oneoff proc_exit proc_raise sched_yield random_get sock_accept sock_recv sock_send
      sock_shutdown`.split(/\s+/);
    expect(witx).toHaveLength(46);
    expect(Object.keys(g.w).sort()).toEqual(witx.sort());
  });
});

describe('positional I/O and seeking', () => {
  it('fd_pread and fd_pwrite leave the position; fd_tell and fd_seek report it', () => {
    g = guest();
    const [, f] = open('f', OFLAGS.CREAT, RIGHT.READ | RIGHT.WRITE);
    write(f, 'abcdef');
    g.str(2000, 'XY');
    g.iovs(1900, [[2000, 2]]);
    expect(g.w.fd_pwrite(f, 1900, 1, 1n, 1996)).toBe(0);
    g.iovs(1900, [
      [3000, 3],
      [3010, 3],
    ]);
    expect(g.w.fd_pread(f, 1900, 2, 0n, 1996)).toBe(0);
    expect(g.u32(1996)).toBe(6);
    expect(dec(g.bytes(3000, 3)) + dec(g.bytes(3010, 3))).toBe('aXYdef');
    expect(g.w.fd_tell(f, 100)).toBe(0);
    expect(g.u64(100)).toBe(6n);
    expect(g.w.fd_seek(f, -2n, 2, 100)).toBe(0);
    expect(g.u64(100)).toBe(4n);
    expect(g.w.fd_pread(f, 1900, 1, -1n, 1996)).toBe(E.INVAL);
    const [r] = g.k.pipe();
    expect(g.w.fd_pread(r, 1900, 1, 0n, 1996)).toBe(E.SPIPE);
  });
});
