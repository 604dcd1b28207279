// A stream socket's receive queue is a ring of at most RING_CAP slots, one
// per fragment. Spliced 1-byte pieces are charged little (768 plus their
// bytes for up to 17 of them), so the ring can fill before the send buffer
// does: the sender must then wait for the reader as if the buffer were
// full, never report 0 (EOF) nor queue bytes without their message.

import { describe, expect, it } from 'vitest';
import { kernel, outcome as code } from './support/kernels.js';
import { O_DIRECT, O_NONBLOCK, SOCK_NONBLOCK, SOCK_STREAM, SPLICE_F_NONBLOCK } from '../src/index.js';

describe('a receive queue full of spliced pieces', () => {
  it('makes splice and write wait (EAGAIN), then go on once the reader reads; every byte arrives in order', () => {
    const k = kernel();
    const [a, b] = k.socketpair({ type: SOCK_STREAM | SOCK_NONBLOCK });
    // A packet pipe: each 1-byte write is a buffer on a page of its own.
    const [pr, pw] = k.pipe(O_DIRECT | O_NONBLOCK);
    const sent: number[] = [];
    let next = 0;
    let spliced = 0;
    for (;;) {
      for (let i = 0; i < 16; i++) {
        if (code(() => k.write(pw, Uint8Array.of(next & 0xff))) !== 'ok') break;
        sent.push(next++ & 0xff);
      }
      let n = 0;
      const c = code(() => {
        n = k.splice(pr, null, a, null, 16, SPLICE_F_NONBLOCK);
      });
      if (c === 'EAGAIN') break;
      expect(c).toBe('ok');
      expect(n, `after ${spliced} bytes`).toBeGreaterThan(0);
      spliced += n;
      expect(spliced).toBeLessThan(10_000);
    }
    // The queue is full of fragments, not of charge: a write must not queue half a message.
    expect(code(() => k.write(a, new Uint8Array(5000).fill(0x7e)))).toBe('EAGAIN');
    const got: number[] = [...k.read(b, 4096)];
    // Room again: the pieces left in the pipe go on.
    while (k.fionread(pr) > 0) spliced += k.splice(pr, null, a, null, 16, SPLICE_F_NONBLOCK);
    expect(k.write(a, Uint8Array.of(1, 2, 3))).toBe(3);
    for (;;) {
      let chunk: Uint8Array = new Uint8Array();
      if (
        code(() => {
          chunk = k.read(b, 65536);
        }) === 'EAGAIN'
      )
        break;
      got.push(...chunk);
    }
    expect(got).toEqual([...sent, 1, 2, 3]);
    expect(spliced).toBe(sent.length);
  });

  it('wakes a blocked splice once the reader makes room', async () => {
    const k = kernel();
    const [a, b] = k.socketpair();
    const [pr, pw] = k.pipe(O_DIRECT | O_NONBLOCK);
    let queued = 0;
    for (let round = 0; ; round++) {
      expect(round, 'splice never waits').toBeLessThan(1000);
      for (let i = 0; i < 16; i++) if (code(() => k.write(pw, Uint8Array.of(7))) !== 'ok') break;
      // A blocking socket: the sync call reports that it would wait.
      if (
        code(() => {
          queued += k.splice(pr, null, a, null, 16, SPLICE_F_NONBLOCK);
        }) === 'BLOCK'
      )
        break;
    }
    let done = false;
    const pending = k.async.splice(pr, null, a, null, 16, 0).then((n) => {
      done = true;
      return n;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(false);
    expect(k.read(b, 64).length).toBe(64);
    expect(await pending).toBeGreaterThan(0);
    k.close(pr);
    k.close(pw);
    expect(queued).toBeGreaterThan(0);
  });
});
