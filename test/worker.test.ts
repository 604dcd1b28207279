// Pipe ends in Workers: each thread its own core instance on the kernel's
// shared memory, blocking with Atomics.wait on the ring.

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { F_SETPIPE_SZ, InvalidArgument, Kernel, PipeClient } from '../src/index.js';
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

  it("an awaiting call on this thread sleeps on its own pipe only: other pipes' changes do not wake it", async () => {
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

  it("a freed ring used again keeps its sleepers' count, so no wake-up is skipped after the reuse", async () => {
    const k = new Kernel({ shared: true });
    k.exportPipeEnd(k.pipe()[1]);
    const [r, w] = k.pipe();
    const ring = k.describe(r)!.ring!;
    const words = new Int32Array(k.machine.memory.buffer);
    const waiters = () => Atomics.load(words, k.machine.core.waitersAddr(ring) >> 2);
    const seq = () => Atomics.load(words, k.machine.core.seqAddr(ring) >> 2);
    const reading = k.async.read(r, 10).catch((e: { code: string }) => e.code);
    expect(waiters()).toBe(1);
    k.close(r);
    k.close(w);
    const before = seq();
    const [r2] = k.pipe();
    // The same ring again, while the first sleeper is still counted there; its
    // word moved on, so that sleeper sees a change, not the value it slept on.
    expect(k.describe(r2)!.ring).toBe(ring);
    expect(waiters()).toBe(1);
    expect(seq()).not.toBe(before);
    expect(await reading).toBe('EBADF');
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(waiters()).toBe(0);
    k.destroy();
    expect(k.stats().pagesInUse).toBe(0);
  });

  it("a PipeClient checks what it is given: types, its own end's direction, memory it allocated, a closed end", () => {
    const k = new Kernel({ shared: true });
    const [r, w] = k.pipe();
    k.write(w, new Uint8Array(100));
    const reader = PipeClient.attach(k.exportPipeEnd(r));
    const writer = PipeClient.attach(k.exportPipeEnd(w));
    for (const bad of [
      () => reader.read(-1),
      () => reader.read(NaN),
      () => reader.read('5' as never),
      () => reader.discard(-5),
      () => writer.write('x' as never),
      () => writer.alloc(-1),
      () => writer.vmsplice(writer.alloc(4096), -1, 10),
      () => writer.free(null as never),
    ]) {
      expect(bad).toThrow(InvalidArgument);
    }
    expect(() => writer.vmsplice({ page: 5, pages: 1, bytes: new Uint8Array(4096) }, 0, 10)).toThrow(expect.objectContaining({ code: 'EFAULT' }));
    const buf = writer.alloc(4096);
    expect(() => writer.vmsplice(buf, 4000, 200)).toThrow(expect.objectContaining({ code: 'EFAULT' }));
    writer.free(buf);
    expect(() => writer.vmsplice(buf, 0, 10)).toThrow(expect.objectContaining({ code: 'EFAULT' }));
    expect(() => reader.write(new Uint8Array(3))).toThrow(expect.objectContaining({ code: 'EBADF' }));
    expect(() => writer.read(3)).toThrow(expect.objectContaining({ code: 'EBADF' }));
    expect(reader.discard(2 ** 40)).toBe(100);
    reader.close();
    expect(() => reader.read(1)).toThrow(expect.objectContaining({ code: 'EBADF' }));
    writer.close();
    k.destroy();
    expect(k.stats().pagesInUse).toBe(0);
  });
});
