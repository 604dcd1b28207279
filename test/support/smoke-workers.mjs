// Two Workers share a kernel's memory: a vmsplice producer and a reader,
// blocking with Atomics.wait. Prints one JSON line.
import { Worker } from 'node:worker_threads';
import { F_SETPIPE_SZ, Kernel } from '../../dist/src/index.js';

const run = (workerData) =>
  new Promise((resolve, reject) => {
    const w = new Worker(new URL('./pipe-worker.mjs', import.meta.url), { workerData });
    w.once('message', resolve);
    w.once('error', reject);
  });

const k = new Kernel({ shared: true });
const [r, w] = k.pipe();
k.fcntl(w, F_SETPIPE_SZ, 1 << 20);
const total = 16 << 20;
const chunk = 1 << 20;
const jobs = [run({ handle: k.exportPipeEnd(w), role: 'producer', total, chunk }), run({ handle: k.exportPipeEnd(r), role: 'consumer', total, chunk })];
k.close(r);
k.close(w);
const [sent, got] = await Promise.all(jobs);
k.destroy();
console.log(JSON.stringify({ sent: sent.sent, got: got.got, bad: got.bad, leaked: k.stats().pagesInUse }));
process.exit(0);
