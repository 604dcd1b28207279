// The `splicekit` import module: Linux signatures and -errno results, guest
// bytes staged into kernel user pages for vmsplice, and blocking calls
// completed by the host moving data (HostIo).

import { afterEach, describe, expect, it } from 'vitest';
import { F_GETFD, F_GETFL, F_GETPIPE_SZ, F_SETPIPE_SZ, FD_CLOEXEC, FIONREAD, O_CREAT, O_DIRECT, O_NONBLOCK, O_RDWR } from '../../src/constants.js';
import { ERRNO } from '../../src/errors.js';
import { guest, enc, dec, type Guest } from './guest.js';

let g: Guest;
afterEach(() => {
  g?.k.destroy();
  expect(g?.k.stats().pagesInUse ?? 0).toBe(0);
});

const pair = (ptr: number): [number, number] => [g.dv().getInt32(ptr, true), g.dv().getInt32(ptr + 4, true)];

describe('splicekit calls', () => {
  it('pipe2 takes Linux flags; fcntl sizes pipes; ioctl FIONREAD', () => {
    g = guest();
    expect(g.s.pipe2(0, O_NONBLOCK | O_DIRECT)).toBe(0);
    const [r, w] = pair(0);
    expect(g.k.fcntl(r, F_GETFL) & O_NONBLOCK).toBe(O_NONBLOCK);
    expect(g.k.describe(w)!.flags & O_DIRECT).toBe(O_DIRECT); // on the write end too
    expect(g.s.pipe2(0, 1)).toBe(-ERRNO.EINVAL);
    expect(g.s.fcntl(w, F_GETPIPE_SZ, 0)).toBe(65536);
    expect(g.s.fcntl(w, F_SETPIPE_SZ, 100000)).toBe(131072);
    expect(g.s.fcntl(w, F_SETPIPE_SZ, 2 << 20)).toBe(-ERRNO.EPERM); // above pipe-max-size
    g.k.write(w, enc('abc'));
    expect(g.s.ioctl(r, FIONREAD, 64)).toBe(0);
    expect(g.dv().getInt32(64, true)).toBe(3);
    expect(g.s.ioctl(r, 1, 64)).toBe(-ERRNO.ENOTTY);
  });

  it('dup and dup2; dup2 onto the preopen takes it away', () => {
    g = guest();
    const [r, w] = g.k.pipe();
    const d = g.s.dup(w);
    expect(d).toBeGreaterThan(w);
    expect(g.s.dup2(r, 3)).toBe(3);
    expect(g.w.fd_prestat_get(3, 100)).toBe(8);
    g.k.write(d, enc('via dup'));
    expect(dec(g.k.read(3, 10))).toBe('via dup');
    expect(g.s.dup2(99, 5)).toBe(-ERRNO.EBADF);
  });

  it('socketpair: AF_UNIX stream, datagram and seqpacket pairs, SOCK_NONBLOCK and SOCK_CLOEXEC honoured, Linux errnos', () => {
    g = guest();
    expect(g.s.socketpair(99, 1, 0, 0)).toBe(-ERRNO.EAFNOSUPPORT);
    expect(g.s.socketpair(2, 1, 0, 0)).toBe(-ERRNO.EOPNOTSUPP); // AF_INET exists but does not pair
    expect(g.s.socketpair(1, 1, 6, 0)).toBe(-ERRNO.EPROTONOSUPPORT);
    expect(g.s.socketpair(1, 4, 0, 0)).toBe(-ERRNO.ESOCKTNOSUPPORT); // SOCK_RDM
    expect(g.s.socketpair(1, 11, 0, 0)).toBe(-ERRNO.EINVAL); // past SOCK_MAX
    expect(g.s.socketpair(1, 1 | 0x100, 0, 0)).toBe(-ERRNO.EINVAL);
    expect(g.s.socketpair(1, 1 | 0o4000, 0, 0)).toBe(0);
    const [a, b] = pair(0);
    expect(g.k.fcntl(a, F_GETFL)).toBe(O_RDWR | O_NONBLOCK);
    g.k.write(a, enc('ping'));
    expect(dec(g.k.read(b, 10))).toBe('ping');
    expect(g.s.socketpair(1, 2, 0, 8)).toBe(0);
    const [c, d] = pair(8);
    g.k.write(c, enc('one'));
    g.k.write(c, enc('two'));
    expect(dec(g.k.read(d, 10))).toBe('one');
    expect(g.s.socketpair(1, 5 | 0o2000000, 0, 16)).toBe(0);
    const [e] = pair(16);
    expect(g.k.describe(e)?.socketType).toBe(5);
    expect(g.k.fcntl(e, F_GETFD)).toBe(FD_CLOEXEC);
  });

  it('fd_fdstat_get: a stream socket is SOCKET_STREAM, a datagram or seqpacket one SOCKET_DGRAM', () => {
    g = guest();
    const types = [
      [1, 6],
      [2, 5],
      [5, 5],
    ];
    for (const [type, filetype] of types) {
      expect(g.s.socketpair(1, type!, 0, 0)).toBe(0);
      expect(g.w.fd_fdstat_get(pair(0)[0], 100)).toBe(0);
      expect(g.bytes(100, 1)[0], `type ${type}`).toBe(filetype);
    }
  });

  it('splice, tee and sendfile with loff_t offsets in guest memory', () => {
    g = guest();
    const f = g.k.open('f', O_RDWR | O_CREAT);
    g.k.write(f, enc('0123456789'));
    const [r, w] = g.k.pipe();
    const [r2, w2] = g.k.pipe();
    g.dv().setBigInt64(8, 2n, true); // (address 0 is NULL)
    expect(g.s.sendfile(w, f, 8, 3)).toBe(3);
    expect(g.dv().getBigInt64(8, true)).toBe(5n);
    expect(g.s.tee(r, w2, 100, 0)).toBe(3);
    expect(g.s.splice(r2, 0, f, 0, 100, 0)).toBe(3); // at the file position (10)
    expect(g.s.splice(r, 0, w2, 0, 100, 0)).toBe(3);
    expect(dec(g.k.read(r2, 10))).toBe('234');
    expect(g.k.describe(f)!.size).toBe(13);
  });
});

describe('vmsplice from guest memory', () => {
  it('each iovec keeps its offset in the page, so the pipe buffers split as on Linux', () => {
    g = guest({ pages: 2 });
    const [r, w] = g.k.pipe();
    g.bytes(4096 - 100, 300).fill(0x61);
    g.bytes(20000, 10).fill(0x62);
    g.iovs(0, [
      [4096 - 100, 300],
      [20000, 10],
    ]);
    expect(g.s.vmsplice(w, 0, 2, 0)).toBe(310);
    const ring = g.k.snapshot().rings.find((x) => x.ring === g.k.describe(r)!.ring)!;
    expect(ring.slots.map((s) => [s.offset, s.len, s.ops])).toEqual([
      [3996, 100, 'user'],
      [0, 200, 'user'],
      [20000 % 4096, 10, 'user'],
    ]);
    // The guest's memory is not the kernel's: its later writes do not reach the pipe.
    g.bytes(4096 - 100, 300).fill(0x7a);
    expect(dec(g.k.read(r, 400))).toBe('a'.repeat(300) + 'b'.repeat(10));
  });

  it('takes only what the pipe can hold, and returns a partial count', () => {
    g = guest({ pages: 4 });
    const [r, w] = g.k.pipe();
    g.iovs(0, [[4096, 200000]]);
    expect(g.s.vmsplice(w, 0, 1, 2 /* SPLICE_F_NONBLOCK */)).toBe(65536);
    expect(g.s.vmsplice(w, 0, 1, 2)).toBe(-ERRNO.EAGAIN);
    // vmsplice out of a pipe copies into the iovecs.
    g.iovs(8, [
      [100, 10],
      [200, 10],
    ]);
    g.k.read(r, 65536 - 15);
    expect(g.s.vmsplice(r, 8, 2, 0)).toBe(15);
  });
});

describe('blocking calls in one thread', () => {
  it('without a host to move data, a blocking call returns EAGAIN', () => {
    g = guest();
    const [r] = g.k.pipe();
    const [, w2] = g.k.pipe();
    expect(g.s.splice(r, 0, w2, 0, 10, 0)).toBe(-ERRNO.EAGAIN);
  });

  it('a blocking fd_write completes while the host drains the pipe; a non-blocking one stops short', () => {
    let drained = 0;
    let r = -1;
    g = guest({
      io: {
        wait: () => {
          const n = g.k.fionread(r);
          if (n > 0) drained += g.k.read(r, n).length;
          return n > 0;
        },
      },
    });
    const pipe = g.k.pipe();
    r = pipe[0];
    const w = pipe[1];
    g.iovs(0, [
      [1024, 60000],
      [1024, 60000],
    ]);
    expect(g.w.fd_write(w, 0, 2, 16)).toBe(0);
    expect(g.u32(16)).toBe(120000);
    expect(drained + g.k.fionread(r)).toBe(120000);
    g.k.fcntl(w, 4, O_NONBLOCK | 1);
    expect(g.w.fd_write(w, 0, 2, 16)).toBe(0);
    expect(g.u32(16)).toBeLessThan(120000);
  });
});

describe('splicekit extensions: release notifications and loans', () => {
  it('vmsplice_notify stores an id the notify fd reports once the reader consumed it', () => {
    g = guest();
    const [r, w] = g.k.pipe(O_NONBLOCK);
    const nfd = g.s.notifyfd(0o4000);
    g.bytes(200, 11).set(enc('guest bytes'));
    g.dv().setUint32(100, 200, true);
    g.dv().setUint32(104, 11, true);
    expect(g.s.vmsplice_notify(w, 100, 1, 0, nfd, 300)).toBe(11);
    const id = g.dv().getInt32(300, true);
    expect(g.k.isReleased(nfd, id)).toBe(false);
    expect(dec(g.k.read(r, 100))).toBe('guest bytes');
    expect(g.k.isReleased(nfd, id)).toBe(true);
    expect(g.s.vmsplice_notify(w, 100, 1, 0, nfd, 1 << 30)).toBe(-ERRNO.EFAULT); // EFAULT
  });

  it('vmsplice_loan lends, loan_copy copies on request, loan_release returns the pages', () => {
    g = guest();
    const [r, w] = g.k.pipe(O_NONBLOCK);
    const idle = g.k.stats().pagesInUse;
    g.k.write(w, enc('lent'));
    g.k.write(w, new Uint8Array(4096).fill(7));
    expect(g.s.vmsplice_loan(r, 10000, 0, 300)).toBe(4100);
    const h = g.dv().getInt32(300, true);
    expect(g.k.ioctl(r, FIONREAD)).toBe(0);
    expect(g.s.loan_copy(h, 2, 400, 4)).toBe(4);
    expect([...g.bytes(400, 4)]).toEqual([...enc('nt'), 7, 7]);
    expect(g.s.loan_release(h)).toBe(0);
    expect(g.s.loan_release(h)).toBe(-ERRNO.EBADF); // EBADF: already released
    expect(g.k.stats().pagesInUse).toBe(idle);
  });
});
