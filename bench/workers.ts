// Across Workers (node:worker_threads). Two Workers per scenario, a
// producer and a consumer; the main thread only starts each run and waits
// for the consumer's answer.
//
// - worker-zero-copy: splicekit itself, each Worker with its own core
//   instance on the one kernel's shared memory (Kernel.exportPipeEnd +
//   PipeClient): vmsplice in one thread, splice to /dev/null in the other.
// - sab-copy-ring, postmessage-transfer: what a program would use instead.

import { MessageChannel, Worker } from 'node:worker_threads';
import { F_SETPIPE_SZ, Kernel } from '../src/index.js';
import { benchKernel } from './emulator.js';
import type { Scenario, Task } from './harness.js';

const MIB = 1 << 20;
const WORKER = new URL('./worker.js', import.meta.url);
const KERNEL_WORKER = new URL('./kernel-worker.js', import.meta.url);

function start(workerData: object, transfer: Transferable[] = [], url = WORKER): Worker {
  return new Worker(url, { workerData, transferList: transfer as never[] });
}

/** How long one run may take before the scenario is declared hung. */
const RUN_TIMEOUT_MS = 60_000;

/** Rejects with `what` after `ms` unless `p` settles first. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms / 1000} s`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** Rejects as soon as either Worker fails or exits. */
function watch(workers: Worker[]): Promise<never> {
  const p = new Promise<never>((_, reject) => {
    for (const w of workers) {
      w.once('error', (e) => reject(new Error(`worker failed: ${e.message}`)));
      w.once('exit', (code) => reject(new Error(`worker exited (${code})`)));
    }
  });
  p.catch(() => {}); // observed through the races below
  return p;
}

/** Posts `msg` and resolves with the worker's next message. */
function ask<T>(w: Worker, msg: object, failed: Promise<never>): Promise<T> {
  const answer = new Promise<T>((resolve) => w.once('message', resolve));
  w.postMessage(msg);
  return within(Promise.race([answer, failed]), RUN_TIMEOUT_MS, 'worker');
}

/**
 * A task that posts { run } to both workers and waits for the consumer's
 * { done }; a Worker that fails, exits or hangs fails the scenario.
 */
function pairTask(producer: Worker, consumer: Worker, chunks: number, bytes: number): Task & { failed: Promise<never> } {
  const failed = watch([producer, consumer]);
  return {
    async: true,
    failed,
    fn: async () => {
      const answer = new Promise<{ done: number }>((resolve) => consumer.once('message', resolve));
      consumer.postMessage({ run: chunks });
      producer.postMessage({ run: chunks });
      const m = await within(Promise.race([answer, failed]), RUN_TIMEOUT_MS, 'consumer');
      if (m.done !== bytes) throw new Error(`consumer got ${m.done} of ${bytes} bytes`);
    },
    done: async () => {
      producer.removeAllListeners('exit');
      consumer.removeAllListeners('exit');
      await producer.terminate();
      await consumer.terminate();
    },
  };
}

const SAB_CHUNK = 64 * 1024;
const SAB_SLOTS = 16;
const SAB_CHUNKS = 4096; // 256 MiB per sample
const POST_CHUNK = MIB;
const POST_WINDOW = 8;
const POST_CHUNKS = 256; // 256 MiB per sample

const ZC_CHUNK = MIB;
const ZC_CHUNKS = 1024; // 1 GiB per sample

/** Whether this build of the host can hand pipe ends to Workers. */
export const canExport = typeof (Kernel.prototype as { exportPipeEnd?: unknown }).exportPipeEnd === 'function';

const zeroCopy: Scenario[] = !canExport
  ? []
  : [
      {
        name: 'worker-zero-copy',
        unit: 'GiB/s',
        group: 'emulator',
        per: ZC_CHUNKS * ZC_CHUNK,
        note: 'Worker A vmsplices 1 MiB halves of a 2 MiB buffer into a 1 MiB pipe, Worker B splices to /dev/null (PipeClient)',
        setup() {
          const k = benchKernel();
          const base = k.stats().pagesInUse;
          const [r, w] = k.pipe();
          k.fcntl(w, F_SETPIPE_SZ, ZC_CHUNK);
          const producer = start({ handle: k.exportPipeEnd(w), role: 'producer', chunk: ZC_CHUNK }, [], KERNEL_WORKER);
          const consumer = start({ handle: k.exportPipeEnd(r), role: 'consumer', chunk: ZC_CHUNK }, [], KERNEL_WORKER);
          // As after fork(): the Workers' ends keep the pipe open.
          k.close(r);
          k.close(w);
          const task = pairTask(producer, consumer, ZC_CHUNKS, ZC_CHUNKS * ZC_CHUNK);
          return {
            ...task,
            done: async () => {
              try {
                await Promise.all([ask(producer, { close: true }, task.failed), ask(consumer, { close: true }, task.failed)]);
              } finally {
                await task.done?.();
              }
              const now = k.stats().pagesInUse;
              if (now !== base) throw new Error(`worker-zero-copy: ${now - base} pages still in use after the scenario`);
            },
          };
        },
      },
    ];

export const workerScenarios: Scenario[] = [
  ...zeroCopy,
  {
    name: 'sab-copy-ring',
    unit: 'GiB/s',
    group: 'workers',
    per: SAB_CHUNKS * SAB_CHUNK,
    note: 'SharedArrayBuffer ring (16 x 64 KiB), copy in and out, Atomics.wait/notify, 2 Workers',
    setup() {
      const ctrl = new SharedArrayBuffer(64);
      const ring = new SharedArrayBuffer(SAB_CHUNK * SAB_SLOTS);
      const common = { ctrl, ring, chunk: SAB_CHUNK, slots: SAB_SLOTS };
      const producer = start({ role: 'sab-producer', ...common });
      const consumer = start({ role: 'sab-consumer', ...common });
      return pairTask(producer, consumer, SAB_CHUNKS, SAB_CHUNKS * SAB_CHUNK);
    },
  },
  {
    name: 'postmessage-transfer',
    unit: 'GiB/s',
    group: 'workers',
    per: POST_CHUNKS * POST_CHUNK,
    note: 'postMessage of transferred 1 MiB ArrayBuffers (8 in flight, sent back for reuse), 2 Workers',
    setup() {
      const { port1, port2 } = new MessageChannel();
      const producer = start({ role: 'post-producer', port: port1, chunk: POST_CHUNK, window: POST_WINDOW }, [port1]);
      const consumer = start({ role: 'post-consumer', port: port2, chunk: POST_CHUNK, window: POST_WINDOW }, [port2]);
      return pairTask(producer, consumer, POST_CHUNKS, POST_CHUNKS * POST_CHUNK);
    },
  },
];
