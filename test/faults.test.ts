// Fault injection: the page pool runs out at every step of a multi-page
// call. Linux's rule for a call that cannot get a page midway (pipe_write,
// generic_perform_write, unix_stream_sendmsg): it returns what it moved, or
// -ENOMEM having moved nothing. Calls that only take references (splice
// from the page cache, tee, vmsplice) need no page and cannot fail so. In
// every case the bytes that moved are the right ones, in order, and the pool
// is whole once everything is closed.

import { describe, expect, it } from 'vitest';
import { F_SETPIPE_SZ, Kernel, O_CREAT, O_NONBLOCK, O_RDONLY, O_RDWR, O_WRONLY, PAGE_SIZE, SOCK_DGRAM, SOCK_SEQPACKET, SyscallError } from '../src/index.js';

const PAGES = 5;
const LEN = PAGES * PAGE_SIZE;
/** Bytes whose value tells their position: a page moved out of order shows. */
const pattern = (n: number, seed = 0) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + (i >> 12) * 7 + seed) & 0xff);

/** A kernel with `free` kernel pages left: the rest sit in pipes that `release` closes. */
function starved(setup: (k: Kernel) => void, free: number): { k: Kernel; release: () => void } {
  const k = new Kernel({ pages: 128, userPages: 16 });
  setup(k);
  const fillers: number[] = [];
  let w = -1;
  const page = new Uint8Array(PAGE_SIZE);
  while (k.machine.core.freeKernelPages() > free) {
    if (w < 0 || k.fionread(fillers[fillers.length - 2]!) >= 256 * PAGE_SIZE) {
      const [r, nw] = k.pipe();
      k.fcntl(nw, F_SETPIPE_SZ, 1 << 20);
      fillers.push(r, nw);
      w = nw;
    }
    k.write(w, page);
  }
  return { k, release: () => fillers.forEach((fd) => k.close(fd)) };
}

/** The count a call returns, or its errno. */
function outcome(f: () => number): number | string {
  try {
    return f();
  } catch (e) {
    if (e instanceof SyscallError) return e.code;
    throw e;
  }
}

/** What a page-taking call of PAGES pages must give with `free` pages: what fits, or ENOMEM. */
const partial = (free: number) => (free === 0 ? 'ENOMEM' : Math.min(free, PAGES) * PAGE_SIZE);

describe('the pool runs out at every step', () => {
  for (let free = 0; free <= PAGES + 1; free++) {
    it(`with ${free} free pages: write into a pipe moves what fits, in order`, () => {
      let r = -1,
        w = -1;
      const { k, release } = starved((k) => {
        [r, w] = k.pipe();
        k.fcntl(w, F_SETPIPE_SZ, 1 << 20);
      }, free);
      const data = pattern(LEN);
      const got = outcome(() => k.write(w, data));
      expect(got).toBe(partial(free));
      const n = typeof got === 'number' ? got : 0;
      release();
      expect(k.fionread(r)).toBe(n);
      if (n > 0) expect(k.read(r, LEN)).toEqual(data.subarray(0, n));
      k.destroy();
      expect(k.stats().pagesInUse).toBe(0);
    });

    it(`with ${free} free pages: splice from a pipe into a file (page cache pages) moves what fits`, () => {
      let r = -1,
        w = -1,
        f = -1;
      const data = pattern(LEN, 1);
      const { k, release } = starved((k) => {
        [r, w] = k.pipe();
        k.fcntl(w, F_SETPIPE_SZ, 1 << 20);
        k.write(w, data);
        f = k.open('f', O_RDWR | O_CREAT);
      }, free);
      const off = { value: 0 };
      const got = outcome(() => k.splice(r, null, f, off, LEN, 0));
      expect(got).toBe(partial(free));
      const n = typeof got === 'number' ? got : 0;
      expect(off.value).toBe(n);
      release();
      // What did not move is still in the pipe, after what did.
      expect(k.fionread(r)).toBe(LEN - n);
      if (n < LEN) expect(k.read(r, LEN)).toEqual(data.subarray(n));
      const g = k.open('f', O_RDONLY);
      expect(k.read(g, LEN)).toEqual(data.subarray(0, n));
      k.destroy();
      expect(k.stats().pagesInUse).toBe(0);
    });

    it(`with ${free} free pages: write into a file moves what fits`, () => {
      let f = -1;
      const { k, release } = starved((k) => {
        f = k.open('f', O_WRONLY | O_CREAT);
      }, free);
      const data = pattern(LEN, 2);
      const got = outcome(() => k.write(f, data));
      expect(got).toBe(partial(free));
      release();
      expect(k.read(k.open('f', O_RDONLY), LEN)).toEqual(data.subarray(0, typeof got === 'number' ? got : 0));
      k.destroy();
      expect(k.stats().pagesInUse).toBe(0);
    });

    it(`with ${free} free pages: splice from the page cache, tee and vmsplice take references, no pages`, () => {
      let f = -1,
        r = -1,
        w = -1,
        r2 = -1,
        w2 = -1;
      const data = pattern(LEN, 3);
      let buf = undefined as unknown as ReturnType<Kernel['alloc']>;
      const { k, release } = starved((k) => {
        f = k.open('f', O_RDWR | O_CREAT);
        k.write(f, data);
        [r, w] = k.pipe();
        [r2, w2] = k.pipe();
        for (const fd of [w, w2]) k.fcntl(fd, F_SETPIPE_SZ, 1 << 20);
        buf = k.alloc(LEN);
        buf.bytes.set(data);
      }, free);
      expect(k.splice(f, { value: 0 }, w, null, LEN, 0)).toBe(LEN);
      expect(k.tee(r, w2, LEN, 0)).toBe(LEN);
      expect(k.vmsplice(w, [{ buf, offset: 0, length: LEN }], 0)).toBe(LEN);
      release();
      expect(k.read(r, 2 * LEN)).toEqual(Uint8Array.from([...data, ...data]));
      expect(k.read(r2, LEN)).toEqual(data);
      k.destroy();
      expect(k.stats().pagesInUse).toBe(0);
    });

    it(`with ${free} free pages: a datagram goes whole or not at all (ENOBUFS, alloc_skb_with_frags)`, () => {
      let a = -1,
        b = -1;
      const { k, release } = starved((k) => {
        [a, b] = k.socketpair({ type: SOCK_DGRAM | O_NONBLOCK });
      }, free);
      const data = pattern(LEN, 5);
      expect(outcome(() => k.write(a, data))).toBe(free >= PAGES ? LEN : 'ENOBUFS');
      release();
      expect(outcome(() => k.read(b, 2 * LEN).length)).toBe(free >= PAGES ? LEN : 'EAGAIN');
      k.destroy();
      expect(k.stats().pagesInUse).toBe(0);
    });

    it(`with ${free} free pages: splice out of a seqpacket end reads what the pages it got hold (copy_splice_read)`, () => {
      let a = -1,
        b = -1,
        r = -1,
        w = -1;
      const data = pattern(LEN, 6);
      const { k, release } = starved((k) => {
        [a, b] = k.socketpair({ type: SOCK_SEQPACKET });
        k.write(a, data);
        [r, w] = k.pipe();
        k.fcntl(w, F_SETPIPE_SZ, 1 << 20);
      }, free);
      const got = outcome(() => k.splice(b, null, w, null, LEN, 0));
      // No page: ENOMEM, the message stays; fewer than asked: the message is read short, its rest dropped.
      expect(got).toBe(partial(free));
      release();
      expect(k.fionread(b)).toBe(free === 0 ? LEN : 0);
      if (typeof got === 'number') expect(k.read(r, LEN)).toEqual(data.subarray(0, got));
      k.destroy();
      expect(k.stats().pagesInUse).toBe(0);
    });

    it(`with ${free} free pages: sendfile through a socket pair moves what fits, in order`, () => {
      let f = -1,
        a = -1,
        b = -1;
      const data = pattern(LEN, 4);
      const { k, release } = starved((k) => {
        f = k.open('f', O_RDWR | O_CREAT);
        k.write(f, data);
        [a, b] = k.socketpair();
      }, free);
      const off = { value: 0 };
      const got = outcome(() => k.sendfile(a, f, off, LEN));
      // A socket's skb takes pages of its own for what it copies; references to the file's for the rest.
      if (typeof got === 'number') {
        expect(got).toBeGreaterThan(0);
        expect(off.value).toBe(got);
      } else {
        expect(got).toBe('ENOMEM');
      }
      const n = typeof got === 'number' ? got : 0;
      release();
      expect(k.read(b, LEN)).toEqual(data.subarray(0, n));
      k.destroy();
      expect(k.stats().pagesInUse).toBe(0);
    });
  }
});
