// poll_oneoff in one thread: readiness from kernel.poll, the host's chance
// to move data, clocks that sleep, and EAGAIN when nothing can happen.

import { afterEach, describe, expect, it } from 'vitest';
import { enc } from './guest.js';
import { guest, type Guest } from './guest.js';

const E = { BADF: 8, AGAIN: 6, INVAL: 28, IO: 29 };
const TYPE = { CLOCK: 0, READ: 1, WRITE: 2 };

let g: Guest;
afterEach(() => {
  g?.k.destroy();
  expect(g?.k.stats().pagesInUse ?? 0).toBe(0);
});

type Sub = { userdata: number; fd: number; type: 1 | 2 } | { userdata: number; type: 0; ns: bigint; abs?: boolean; clock?: number };

/** Writes subscriptions at 0, polls into 4096; returns [errno, events]. */
function poll(subs: Sub[]) {
  const dv = g.dv();
  subs.forEach((s, i) => {
    const at = i * 48;
    g.bytes(at, 48).fill(0);
    dv.setBigUint64(at, BigInt(s.userdata), true);
    dv.setUint8(at + 8, s.type);
    if (s.type === 0) {
      dv.setUint32(at + 16, s.clock ?? 1, true);
      dv.setBigUint64(at + 24, s.ns, true);
      dv.setUint16(at + 40, s.abs ? 1 : 0, true);
    } else {
      dv.setUint32(at + 16, s.fd, true);
    }
  });
  const e = g.w.poll_oneoff(0, 4096, subs.length, 8192);
  const events = [];
  for (let i = 0; e === 0 && i < g.u32(8192); i++) {
    const at = 4096 + i * 32;
    events.push({
      userdata: Number(dv.getBigUint64(at, true)),
      error: dv.getUint16(at + 8, true),
      type: dv.getUint8(at + 10),
      nbytes: Number(dv.getBigUint64(at + 16, true)),
      flags: dv.getUint16(at + 24, true),
    });
  }
  return [e, events] as const;
}

describe('poll_oneoff', () => {
  it('reports ready fds with FIONREAD bytes, and hangup once the writers are gone', () => {
    g = guest();
    const [r, w] = g.k.pipe();
    g.k.write(w, enc('12345'));
    const [e, ev] = poll([
      { userdata: 7, fd: r, type: 1 },
      { userdata: 8, fd: w, type: 2 },
    ]);
    expect(e).toBe(0);
    expect(ev).toEqual([
      { userdata: 7, error: 0, type: TYPE.READ, nbytes: 5, flags: 0 },
      { userdata: 8, error: 0, type: TYPE.WRITE, nbytes: 0, flags: 0 },
    ]);
    g.k.close(w);
    expect(poll([{ userdata: 1, fd: r, type: 1 }])[1][0].flags).toBe(1);
  });

  it('gives per-subscription errors: EBADF for a closed fd, EIO (wasi-libc: POLLERR) for a pipe without readers', () => {
    g = guest();
    const [r, w] = g.k.pipe();
    g.k.close(r);
    const [e, ev] = poll([
      { userdata: 1, fd: 99, type: 1 },
      { userdata: 2, fd: w, type: 2 },
    ]);
    expect(e).toBe(0);
    expect(ev.map((x) => x.error)).toEqual([E.BADF, E.IO]);
  });

  it('with nothing ready returns the clock event; with no clock, EAGAIN', () => {
    g = guest();
    const [r] = g.k.pipe();
    const [e, ev] = poll([
      { userdata: 1, fd: r, type: 1 },
      { userdata: 2, type: 0, ns: 0n },
    ]);
    expect(e).toBe(0);
    expect(ev).toEqual([{ userdata: 2, error: 0, type: TYPE.CLOCK, nbytes: 0, flags: 0 }]);
    expect(poll([{ userdata: 1, fd: r, type: 1 }])[0]).toBe(E.AGAIN);
    expect(g.w.poll_oneoff(0, 4096, 0, 8192)).toBe(E.INVAL);
  });

  it('sleeps until a relative or absolute deadline; an unknown clock is an event error', () => {
    g = guest();
    let t = performance.now();
    expect(poll([{ userdata: 1, type: 0, ns: 20_000_000n }])[0]).toBe(0);
    expect(performance.now() - t).toBeGreaterThanOrEqual(19);
    g.w.clock_time_get(1, 0n, 9000);
    t = performance.now();
    poll([{ userdata: 1, type: 0, ns: g.u64(9000) + 10_000_000n, abs: true }]);
    expect(performance.now() - t).toBeGreaterThanOrEqual(9);
    expect(poll([{ userdata: 3, type: 0, ns: 0n, clock: 9 }])[1][0].error).toBe(E.INVAL);
  });

  it('lets the host move data before giving up, then retries', () => {
    const seen: number[][] = [];
    let w = -1;
    g = guest({
      io: {
        // The host owns the writer: it writes once when the guest would wait.
        wait: (fds) => {
          seen.push([...fds]);
          if (seen.length > 1) return false;
          g.k.write(w, enc('late'));
          return true;
        },
      },
    });
    const [r, w0] = g.k.pipe();
    w = w0;
    const [e, ev] = poll([{ userdata: 5, fd: r, type: 1 }]);
    expect(e).toBe(0);
    expect(ev[0].nbytes).toBe(4);
    expect(seen).toEqual([[r]]);
    expect(g.host.ctx.hostError).toBeUndefined();
  });
});
