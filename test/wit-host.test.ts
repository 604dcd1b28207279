// The WIT interface implemented on a kernel: results and errno payloads.

import { describe, expect, it } from 'vitest';
import { Kernel, witSyscalls } from '../src/index.js';

describe('witSyscalls', () => {
  it('runs pipe, vmsplice, tee, splice and read through the WIT types', () => {
    const k = new Kernel();
    const sys = witSyscalls(k);
    const [r, w] = sys.pipe({});
    const [r2, w2] = sys.pipe({ nonblock: true });
    expect(sys.vmsplice(w, new TextEncoder().encode('witty'), { gift: true })).toBe(5n);
    expect(sys.tee(r, w2, 10n, { nonblock: true })).toBe(5n);
    const f = sys.open('out', 'read-write', { creat: true });
    expect(sys.splice(r, undefined, f, 2n, 10n, {})).toEqual({ count: 5n, offIn: undefined, offOut: 7n });
    expect(new TextDecoder().decode(sys.read(r2, 10n))).toBe('witty');
    expect(sys.getPipeSize(r)).toBe(65536);
    expect(sys.pollOne(w2, { out: true })).toMatchObject({ out: true, err: false });
    k.destroy();
    expect(k.stats().pagesInUse).toBe(0);
  });

  it('throws { payload: errno } for an error', () => {
    const k = new Kernel();
    const sys = witSyscalls(k);
    const [r] = sys.pipe({ nonblock: true });
    expect(() => sys.read(r, 1n)).toThrow(expect.objectContaining({ payload: 'eagain' }));
    expect(() => sys.close(999)).toThrow(expect.objectContaining({ payload: 'ebadf' }));
    k.destroy();
  });
});
