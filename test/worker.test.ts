// Pipe ends in Workers: each thread its own core instance on the kernel's
// shared memory, blocking with Atomics.wait on the ring.

import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { F_SETPIPE_SZ, Kernel } from '../src/index.js';

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
});
