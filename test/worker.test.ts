// Pipe ends in Workers: each thread its own core instance on the kernel's
// shared memory, blocking with Atomics.wait on the ring.

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { F_SETPIPE_SZ, Kernel } from '../src/index.js';
import { RECORD } from './support/scenario.mjs';

function run(data: object): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL('./support/pipe-worker.mjs', import.meta.url), { workerData: data });
    w.once('message', resolve);
    w.once('error', reject);
  });
}

describe.runIf(typeof SharedArrayBuffer !== 'undefined')('pipes across Workers', () => {
  it('a vmsplice producer and a reading consumer move 64 MiB intact; no page leaks', async () => {
    const k = new Kernel({ shared: true });
    const [r, w] = k.pipe();
    k.fcntl(w, F_SETPIPE_SZ, 1 << 20);
    const total = 64 << 20;
    const chunk = 1 << 20; // each half a whole pipe: the 2006 rule
    const producer = run({ handle: k.exportPipeEnd(w), role: 'producer', total, chunk });
    const consumer = run({ handle: k.exportPipeEnd(r), role: 'consumer', total, chunk });
    // This side's fds go; the Workers' ends keep the pipe open.
    k.close(r);
    k.close(w);
    const [sent, got] = await Promise.all([producer, consumer]);
    expect(sent.sent).toBe(total);
    expect(got.got).toBe(total);
    expect(got.bad).toBe(-1);
    k.destroy();
    expect(k.stats().pagesInUse).toBe(0);
  });

  it('more writers than cores on one pipe: the ring lock (spin, then sleep) keeps each PIPE_BUF write whole and in order', async () => {
    const k = new Kernel({ shared: true });
    const [r, w] = k.pipe();
    const writers = Math.max(6, 3 * availableParallelism());
    const records = 2000;
    const reader = run({ handle: k.exportPipeEnd(r), role: 'records', writers });
    const wrote = Array.from({ length: writers }, (_, id) => run({ handle: k.exportPipeEnd(w), role: 'writer', id, records }));
    k.close(r);
    k.close(w);
    const results = await Promise.all(wrote);
    expect(results).toEqual(Array(writers).fill({ wrote: records }));
    expect(await reader).toEqual({ next: Array(writers).fill(records), torn: 0, rest: 0 });
    k.destroy();
    expect(k.stats().pagesInUse).toBe(0);
  }, 60_000);

  it('an awaiting call on this thread sleeps on its own pipe only: other pipes\' changes do not wake it', async () => {
    const k = new Kernel({ shared: true });
    const [ra, wa] = k.pipe();
    const [rb, wb] = k.pipe();
    const handle = k.exportPipeEnd(wa);
    k.close(wa);
    const words = new Int32Array(k.machine.memory.buffer);
    const waitersOf = (fd: number) => Atomics.load(words, k.machine.core.waitersAddr(k.describe(fd)!.ring!) >> 2);
    const change = Atomics.load(words, k.machine.core.changeAddr() >> 2);
    const got = k.async.read(ra, RECORD);
    // Asleep on pipe A's word (counted there), not on the machine-wide change word.
    expect([waitersOf(ra), waitersOf(rb), Atomics.load(words, (k.machine.core.changeAddr() >> 2) + 1)]).toEqual([1, 0, 0]);
    k.write(wb, new Uint8Array(10));
    expect(Atomics.load(words, k.machine.core.changeAddr() >> 2)).not.toBe(change);
    // Calls on this thread wake it to try again; it goes back to the same one sleeper.
    for (let i = 0; i < 5; i++) {
      k.write(wb, new Uint8Array(1));
      await new Promise((r) => setTimeout(r, 1));
    }
    expect(waitersOf(ra)).toBe(1);
    // A writer in another thread wakes it.
    const w = await run({ handle, role: 'writer', id: 1, records: 1 });
    expect(w).toEqual({ wrote: 1 });
    expect((await got).length).toBe(RECORD);
    expect(waitersOf(ra)).toBe(0);
    for (const fd of [ra, rb, wb]) k.close(fd);
    k.destroy();
    expect(k.stats().pagesInUse).toBe(0);
  });

  it('a sleeper that wakes after its pipe\'s ring went to a new pipe leaves the new pipe\'s sleepers counted (each still notified)', () => {
    const k = new Kernel({ shared: true });
    const words = new Int32Array(k.machine.memory.buffer);
    const [r, w] = k.pipe();
    const ring = k.describe(r)!.ring!;
    const waiters = k.machine.core.waitersAddr(ring) >> 2;
    const seq = Atomics.load(words, k.machine.core.seqAddr(ring) >> 2);
    // A thread sleeps on the pipe (counted, as PipeClient and the machine's watcher count themselves).
    Atomics.add(words, waiters, 1);
    k.close(r);
    k.close(w);
    // The ring is reused at once, before that thread has woken and uncounted itself.
    const [r2, w2] = k.pipe();
    expect(k.describe(r2)!.ring).toBe(ring);
    // Its word moved on: the old sleeper sees a change rather than the value it slept on.
    expect(Atomics.load(words, k.machine.core.seqAddr(ring) >> 2)).not.toBe(seq);
    Atomics.sub(words, waiters, 1);
    // A sleeper of the new pipe counts itself: a write must see it, or it sleeps out its timeout every time.
    Atomics.add(words, waiters, 1);
    expect(Atomics.load(words, waiters)).toBe(1);
    Atomics.sub(words, waiters, 1);
    for (const fd of [r2, w2]) k.close(fd);
    k.destroy();
  });
});
