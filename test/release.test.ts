// "Is my page still under I/O?": release notifications through every chain,
// the 2006 double-buffer rule failing behind a second pipe, and read-side loans.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FIONREAD, Kernel, NOTIFY_RECORD, O_CREAT, O_NONBLOCK, O_RDWR, POLLIN, SPLICE_F_NONBLOCK } from '../src/index.js';
import { CHAINS, runChain, type Action } from './support/chain.js';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/** A kernel with a pipe, a notify fd and a written 8 KiB buffer. */
function setup() {
  const k = new Kernel();
  const [r, w] = k.pipe(O_NONBLOCK);
  const nfd = k.notifyfd(O_NONBLOCK);
  const buf = k.alloc(8192);
  buf.bytes.set(enc('payload!'));
  const send = (fd = w, length = 8) => k.vmspliceNotify(fd, [{ buf, offset: 0, length }], 0, nfd).id;
  return { k, r, w, nfd, buf, send };
}

function finish(k: Kernel) {
  k.destroy();
  expect(k.stats().pagesInUse).toBe(0);
}

describe('release notification', () => {
  it('fires when the reader has consumed the pages, readable by poll and read', () => {
    const { k, r, nfd, send } = setup();
    const id = send();
    expect(k.isReleased(nfd, id)).toBe(false);
    expect(k.poll([{ fd: nfd, events: POLLIN }])[0]).toBe(0);
    k.read(r, 4);
    expect(k.isReleased(nfd, id)).toBe(false);
    k.read(r, 4);
    expect(k.isReleased(nfd, id)).toBe(true);
    expect(k.poll([{ fd: nfd, events: POLLIN }])[0]).toBe(POLLIN);
    const rec = new DataView(k.read(nfd, 64).buffer);
    expect(rec.byteLength).toBe(NOTIFY_RECORD);
    expect([rec.getUint32(0, true), rec.getUint32(4, true)]).toEqual([id, id]);
    expect(() => k.read(nfd, 64)).toThrow(expect.objectContaining({ code: 'EAGAIN' }));
    finish(k);
  });

  it('coalesces consecutive releases into one range', () => {
    const { k, r, nfd, send } = setup();
    const ids = [send(), send(), send()];
    k.read(r, 100);
    const rec = new DataView(k.read(nfd, 64).buffer);
    expect([rec.byteLength, rec.getUint32(0, true), rec.getUint32(4, true)]).toEqual([8, ids[0], ids[2]]);
    finish(k);
  });

  it('waits for the second pipe of a chain, not the first', () => {
    const { k, r, nfd, send } = setup();
    const [r2, w2] = k.pipe(O_NONBLOCK);
    const id = send();
    k.splice(r, null, w2, null, 100, 0);
    expect(k.isReleased(nfd, id)).toBe(false);
    expect(dec(k.read(r2, 100))).toBe('payload!');
    expect(k.isReleased(nfd, id)).toBe(true);
    finish(k);
  });

  it('waits for both pipes after tee', () => {
    const { k, r, nfd, send } = setup();
    const [r2, w2] = k.pipe(O_NONBLOCK);
    const id = send();
    k.tee(r, w2, 100, 0);
    k.read(r, 100);
    expect(k.isReleased(nfd, id)).toBe(false);
    k.read(r2, 100);
    expect(k.isReleased(nfd, id)).toBe(true);
    finish(k);
  });

  it('fires as soon as the pages are copied into a file', () => {
    const { k, r, nfd, send } = setup();
    const f = k.open('out', O_RDWR | O_CREAT);
    const id = send();
    k.splice(r, null, f, null, 100, 0);
    expect(k.isReleased(nfd, id)).toBe(true);
    finish(k);
  });

  it('fires only after the acknowledgement of a TCP-like socket, even once read', async () => {
    const { k, r, nfd, send } = setup();
    const [a, b] = k.socketpair({ ackDelay: 10 });
    const id = send();
    const released = k.released(nfd, id);
    k.splice(r, null, a, null, 100, 0);
    expect(dec(k.read(b, 100))).toBe('payload!');
    k.tick(9);
    expect(k.isReleased(nfd, id)).toBe(false);
    k.tick(1);
    expect(k.isReleased(nfd, id)).toBe(true);
    await released;
    finish(k);
  });

  it('an acknowledgement before the read still waits for the reader', () => {
    const { k, r, nfd, send } = setup();
    const [a, b] = k.socketpair({ ackDelay: 1 });
    const id = send();
    k.splice(r, null, a, null, 100, 0);
    k.tick(5);
    expect(k.isReleased(nfd, id)).toBe(false);
    k.read(b, 100);
    expect(k.isReleased(nfd, id)).toBe(true);
    finish(k);
  });

  it('closing the pipe with the pages unread releases them', () => {
    const { k, r, w, nfd, send } = setup();
    const id = send();
    k.close(r);
    k.close(w);
    expect(k.isReleased(nfd, id)).toBe(true);
    finish(k);
  });
});

describe('the 2006 double-buffer rule', () => {
  /** vmsplice half 0, forward it, vmsplice half 1: the rule says half 0 is free. */
  const earlyRefill: Action[] = [
    { kind: 'produce', len: 4096 },
    { kind: 'forward', len: 4096 },
    { kind: 'produce', len: 4096 },
    { kind: 'produce', len: 4096 },
    { kind: 'consume', len: 8192 },
  ];

  it('breaks behind a second pipe: the reader sees bytes overwritten too early', () => {
    expect(runChain('pipe-pipe', 'double-buffer-2006', earlyRefill).corrupted).toMatch(/got/);
  });

  it('holds with the notification in the same schedule', () => {
    expect(runChain('pipe-pipe', 'notification', earlyRefill).corrupted).toBeUndefined();
  });
});

/** Random schedules: producer, chain stage, consumer and clock interleaved. */
const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ kind: fc.constant('produce' as const), len: fc.integer({ min: 1, max: 4096 }) }),
  fc.record({ kind: fc.constant('forward' as const), len: fc.integer({ min: 1, max: 8192 }) }),
  fc.record({ kind: fc.constant('consume' as const), len: fc.integer({ min: 1, max: 8192 }) }),
  fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 8 }) }),
);
const schedule = fc.array(action, { minLength: 1, maxLength: 60 });
const RUNS_PER_CHAIN = 400;

describe('property: a producer that reuses its buffer on notification is never seen early', () => {
  for (const chain of CHAINS) {
    it(`${chain}: ${RUNS_PER_CHAIN} random interleavings and ack delays`, () => {
      fc.assert(
        fc.property(schedule, fc.integer({ min: 0, max: 10 }), (actions, ackDelay) => {
          const res = runChain(chain, 'notification', actions, ackDelay);
          expect(res.corrupted).toBeUndefined();
          expect(res.pagesLeft).toBe(0);
        }),
        { numRuns: RUNS_PER_CHAIN },
      );
    });
  }

  it('the same search finds the 2006 rule failing through two pipes', () => {
    const out = fc.check(
      fc.property(schedule, (actions) => runChain('pipe-pipe', 'double-buffer-2006', actions).corrupted === undefined),
      { numRuns: RUNS_PER_CHAIN },
    );
    expect(out.failed).toBe(true);
  });

  it('and never through a single pipe, where the 2006 rule is sound', () => {
    fc.assert(
      fc.property(schedule, (actions) => runChain('pipe', 'double-buffer-2006', actions).corrupted === undefined),
      { numRuns: RUNS_PER_CHAIN },
    );
  });
});

describe('read-side loan', () => {
  it('lends the pages themselves, consuming them, and returns them on release', () => {
    const k = new Kernel();
    const [r, w] = k.pipe(O_NONBLOCK);
    const buf = k.alloc(4096);
    buf.bytes.set(enc('zero-copy read'));
    k.vmsplice(
      w,
      [
        { buf, offset: 0, length: 4 },
        { buf, offset: 5, length: 4 },
      ],
      0,
    );
    const idle = k.stats().pagesInUse;
    const loan = k.vmspliceLoan(r, 100, 0);
    expect(loan.count).toBe(8);
    expect(loan.views.map(dec)).toEqual(['zero', 'copy']);
    // The view is the user's page: no byte was copied.
    expect(loan.views[0].buffer).toBe(buf.bytes.buffer);
    expect(loan.views[0].byteOffset).toBe(buf.bytes.byteOffset);
    expect(k.ioctl(r, FIONREAD)).toBe(0);
    loan.release();
    loan.release();
    expect(k.stats().pagesInUse).toBe(idle);
    finish(k);
  });

  it('returns written pages to the pool when the loan ends', () => {
    const k = new Kernel();
    const [r, w] = k.pipe(O_NONBLOCK);
    const idle = k.stats().pagesInUse;
    k.write(w, new Uint8Array(3 * 4096).fill(9));
    const loan = k.vmspliceLoan(r, 1 << 20, 0);
    expect(loan.views.map((v) => v.length)).toEqual([4096, 4096, 4096]);
    expect(k.stats().pagesInUse).toBe(idle + 3);
    loan.release();
    expect(k.stats().pagesInUse).toBe(idle);
    finish(k);
  });

  it('behaves like vmsplice out of a pipe when empty: EAGAIN only with SPLICE_F_NONBLOCK', async () => {
    const k = new Kernel();
    const [r, w] = k.pipe(O_NONBLOCK);
    expect(() => k.vmspliceLoan(r, 10, SPLICE_F_NONBLOCK)).toThrow(expect.objectContaining({ code: 'EAGAIN' }));
    const pending = k.async.vmspliceLoan(r, 10, 0);
    k.write(w, enc('later'));
    const loan = await pending;
    expect(dec(loan.views[0])).toBe('later');
    loan.release();
    k.close(w);
    expect(k.vmspliceLoan(r, 10, 0).count).toBe(0);
    finish(k);
  });

  it('a loan of a tracked vmsplice releases the notification when it ends', () => {
    const { k, r, nfd, send } = setup();
    const id = send();
    const loan = k.vmspliceLoan(r, 100, 0);
    expect(k.isReleased(nfd, id)).toBe(false);
    loan.release();
    expect(k.isReleased(nfd, id)).toBe(true);
    finish(k);
  });
});

describe('snapshots show unacknowledged pages', () => {
  it('a TCP-like socket holds sent pages in its unacked ring until the ack', () => {
    const k = new Kernel();
    const [a, b] = k.socketpair({ ackDelay: 5 });
    k.write(a, enc('in flight'));
    k.read(b, 100);
    const held = k.snapshot().rings.find((r) => r.unackedOf === a);
    expect(held?.slots.length).toBe(1);
    k.tick(5);
    expect(k.snapshot().rings.find((r) => r.unackedOf === a)?.slots.length).toBe(0);
    finish(k);
  });
});
