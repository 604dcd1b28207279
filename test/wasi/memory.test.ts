// Every guest pointer and length is checked: out of the memory, or
// overflowing 32 bits, is EFAULT (WASI 21, Linux -14), and a faulting call
// moves no data.

import { afterEach, describe, expect, it } from 'vitest';
import { FIONREAD, O_CREAT, O_RDWR } from '../../src/constants.js';
import { guest, PAGE, enc, dec, type Guest } from './guest.js';
import { ERRNO } from '../../src/errors.js';

const EFAULT = 21;
let g: Guest;
/** Every test ends with the pool whole again. */
afterEach(() => {
  g?.k.destroy();
  expect(g?.k.stats().pagesInUse ?? 0).toBe(0);
});

describe('EFAULT from the WASI calls', () => {
  it('iovec arrays, iovec buffers and result pointers out of memory', () => {
    g = guest();
    const [r, w] = g.k.pipe();
    g.str(100, 'data');
    g.iovs(0, [[100, 4]]);
    expect(g.w.fd_write(w, PAGE - 4, 1, 200)).toBe(EFAULT); // the iovec array itself
    g.iovs(0, [[PAGE - 2, 4]]);
    expect(g.w.fd_write(w, 0, 1, 200)).toBe(EFAULT); // its buffer runs off the end
    g.iovs(0, [[100, 4]]);
    expect(g.w.fd_write(w, 0, 1, PAGE)).toBe(EFAULT); // nwritten
    expect(g.k.fionread(r)).toBe(0); // nothing was written by any of them
    expect(g.w.fd_write(w, 0, 1, 200)).toBe(0);
    expect(g.u32(200)).toBe(4);
    // A faulting nread loses nothing: the bytes stay in the pipe.
    g.iovs(0, [[300, 10]]);
    expect(g.w.fd_read(r, 0, 1, -4)).toBe(EFAULT);
    expect(g.k.fionread(r)).toBe(4);
    expect(g.w.fd_read(r, 0, 1, 200)).toBe(0);
    expect(dec(g.bytes(300, g.u32(200)))).toBe('data');
  });

  it('addresses that arrive negative (>= 2^31) and lengths that overflow 32 bits', () => {
    g = guest();
    const [, w] = g.k.pipe();
    g.iovs(0, [[0xfffffff0, 0x20]]);
    expect(g.w.fd_write(w, 0, 1, 200)).toBe(EFAULT);
    g.iovs(0, [[16, 0xffffffff]]);
    expect(g.w.fd_write(w, 0, 1, 200)).toBe(EFAULT);
    expect(g.w.fd_write(w, 0, 0x20000000, 200)).toBe(EFAULT); // count * 8 past the end
    expect(g.w.clock_time_get(1, 0n, -8)).toBe(EFAULT);
  });

  it('a memory that grows makes more addresses valid', () => {
    g = guest();
    expect(g.w.clock_time_get(1, 0n, PAGE + 8)).toBe(EFAULT);
    g.memory.grow(1);
    expect(g.w.clock_time_get(1, 0n, PAGE + 8)).toBe(0);
    expect(g.u64(PAGE + 8)).toBeGreaterThan(0n);
  });

  it('args, environ, random, paths, stat buffers and poll arrays', () => {
    g = guest({ args: ['prog', 'arg'], env: ['A=1'] });
    expect(g.w.args_sizes_get(PAGE, 0)).toBe(EFAULT);
    expect(g.w.args_get(0, PAGE - 4)).toBe(EFAULT); // the strings do not fit
    expect(g.w.environ_get(PAGE - 2, 100)).toBe(EFAULT);
    expect(g.w.random_get(PAGE - 10, 11)).toBe(EFAULT);
    expect(g.w.random_get(PAGE - 10, 10)).toBe(0);
    expect(g.w.path_open(3, 0, PAGE - 1, 5, 0, 2n, 0n, 0, 0)).toBe(EFAULT);
    expect(g.w.fd_fdstat_get(3, PAGE - 8)).toBe(EFAULT);
    expect(g.w.fd_filestat_get(3, PAGE - 63)).toBe(EFAULT);
    expect(g.w.fd_prestat_dir_name(3, PAGE, 1)).toBe(EFAULT);
    expect(g.w.poll_oneoff(0, PAGE - 16, 1, 100)).toBe(EFAULT);
    expect(g.w.fd_seek(3, 0n, 0, PAGE - 4)).toBe(EFAULT);
  });
});

describe('EFAULT from the splicekit calls, in Linux order', () => {
  it('pipe closes the new fds when it cannot store them', () => {
    g = guest();
    const open = g.k.stats().openFiles;
    expect(g.s.pipe2(PAGE - 4, 0)).toBe(-ERRNO.EFAULT);
    expect(g.k.stats().openFiles).toBe(open);
    expect(g.s.pipe2(0, 0o4000)).toBe(0);
    expect(g.k.stats().openFiles).toBe(open + 2);
  });

  it('splice: len 0, then EINVAL flags, EBADF, ESPIPE, then the offset fault', () => {
    g = guest();
    const [r, w] = g.k.pipe();
    const f = g.k.open('f', O_RDWR | O_CREAT);
    const bad = PAGE - 4;
    expect(g.s.splice(r, bad, f, 0, 0, 0)).toBe(0);
    expect(g.s.splice(r, bad, f, 0, 10, 0x10)).toBe(-ERRNO.EINVAL);
    expect(g.s.splice(99, 0, f, bad, 10, 0)).toBe(-ERRNO.EBADF);
    expect(g.s.splice(r, bad, f, 0, 10, 0)).toBe(-ERRNO.ESPIPE);
    expect(g.s.splice(r, 0, f, bad, 10, 0)).toBe(-ERRNO.EFAULT);
    // A good offset pointer is read and updated (loff_t, i64).
    g.k.write(w, enc('abcdef'));
    g.dv().setBigInt64(8, 2n, true);
    expect(g.s.splice(r, 0, f, 8, 6, 0)).toBe(6);
    expect(g.dv().getBigInt64(8, true)).toBe(8n);
    expect(g.k.describe(f)!.size).toBe(8);
  });

  it('vmsplice: flags, fd and count before the iovecs; iovecs before the pipe check', () => {
    g = guest();
    const [, w] = g.k.pipe();
    const f = g.k.open('f', O_RDWR | O_CREAT);
    g.iovs(0, [[PAGE - 2, 4]]);
    expect(g.s.vmsplice(w, 0, 1, 0x10)).toBe(-ERRNO.EINVAL);
    expect(g.s.vmsplice(99, 0, 1, 0)).toBe(-ERRNO.EBADF);
    expect(g.s.vmsplice(w, 0, 1025, 0)).toBe(-ERRNO.EINVAL);
    expect(g.s.vmsplice(w, 0, 1, 0)).toBe(-ERRNO.EFAULT);
    expect(g.s.vmsplice(f, 0, 1, 0)).toBe(-ERRNO.EFAULT);
    g.iovs(0, [[100, 0]]);
    expect(g.s.vmsplice(f, 0, 1, 0)).toBe(0); // empty: 0 before "not a pipe"
    g.iovs(0, [[100, 1]]);
    expect(g.s.vmsplice(f, 0, 1, 0)).toBe(-ERRNO.EBADF);
  });

  it('sendfile reads its offset first; ioctl stores after the work', () => {
    g = guest();
    const [r, w] = g.k.pipe();
    expect(g.s.sendfile(w, 99, PAGE, 10)).toBe(-ERRNO.EFAULT);
    g.k.write(w, enc('xyz'));
    expect(g.s.ioctl(r, FIONREAD, PAGE)).toBe(-ERRNO.EFAULT);
    expect(g.s.ioctl(99, FIONREAD, PAGE)).toBe(-ERRNO.EBADF);
    expect(g.s.ioctl(r, FIONREAD, 16)).toBe(0);
    expect(g.dv().getInt32(16, true)).toBe(3);
  });
});
