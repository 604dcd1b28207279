// The Worker side of the cross-thread scenarios (bench/workers.ts starts
// these). Roles:
//
// - sab-producer / sab-consumer: a SharedArrayBuffer ring of SLOTS slots of
//   CHUNK bytes; the producer copies each chunk in, the consumer copies it
//   out. Control words (Int32): 0 head, 1 tail (free-running chunk counts).
//   A side that must wait spins (time-bounded) and then Atomics.waits.
// - post-producer / post-consumer: ArrayBuffers transferred over a
//   MessageChannel; the consumer transfers each one back for reuse.
//
// Each run starts with a { run: chunks } message from the parent; the
// consumer answers { done: bytes } when the last chunk has arrived.

import { parentPort, workerData, type MessagePort } from 'node:worker_threads';

const HEAD = 0;
const TAIL = 1;
/** How long a side spins before it sleeps in Atomics.wait. */
const SPIN_MS = 0.05;

interface SabData {
  role: 'sab-producer' | 'sab-consumer';
  ctrl: SharedArrayBuffer;
  ring: SharedArrayBuffer;
  chunk: number;
  slots: number;
}

interface PostData {
  role: 'post-producer' | 'post-consumer';
  port: MessagePort;
  chunk: number;
  window: number;
}

const data = workerData as SabData | PostData;
const parent = parentPort!;

/** Waits until ctrl[i] differs from `seen`: spin first, then sleep. */
function waitChange(ctrl: Int32Array, i: number, seen: number): void {
  const until = performance.now() + SPIN_MS;
  let spins = 0;
  while (Atomics.load(ctrl, i) === seen) {
    if ((++spins & 63) === 0 && performance.now() > until) {
      Atomics.wait(ctrl, i, seen, 10);
    }
  }
}

if (data.role === 'sab-producer' || data.role === 'sab-consumer') {
  const { ctrl: c, ring: r, chunk, slots } = data;
  const ctrl = new Int32Array(c);
  const ring = new Uint8Array(r);
  const mine = new Uint8Array(chunk).fill(0x5a);
  const producer = data.role === 'sab-producer';
  parent.on('message', (m: { run: number }) => {
    for (let i = 0; i < m.run; i++) {
      if (producer) {
        const h = Atomics.load(ctrl, HEAD);
        let t = Atomics.load(ctrl, TAIL);
        while (h - t >= slots) {
          waitChange(ctrl, TAIL, t);
          t = Atomics.load(ctrl, TAIL);
        }
        ring.set(mine, (h % slots) * chunk);
        Atomics.store(ctrl, HEAD, h + 1);
        Atomics.notify(ctrl, HEAD);
      } else {
        const t = Atomics.load(ctrl, TAIL);
        let h = Atomics.load(ctrl, HEAD);
        while (h === t) {
          waitChange(ctrl, HEAD, h);
          h = Atomics.load(ctrl, HEAD);
        }
        const at = (t % slots) * chunk;
        mine.set(ring.subarray(at, at + chunk));
        Atomics.store(ctrl, TAIL, t + 1);
        Atomics.notify(ctrl, TAIL);
      }
    }
    if (!producer) parent.postMessage({ done: m.run * chunk });
  });
} else if (data.role === 'post-producer') {
  const { port, chunk, window } = data;
  const pool: ArrayBuffer[] = [];
  for (let i = 0; i < window; i++) pool.push(new Uint8Array(chunk).fill(0x5a).buffer);
  let left = 0;
  const pump = (): void => {
    while (left > 0 && pool.length > 0) {
      const buf = pool.pop()!;
      left--;
      port.postMessage({ buf, last: left === 0 }, [buf]);
    }
  };
  port.on('message', (m: { buf: ArrayBuffer }) => {
    pool.push(m.buf);
    pump();
  });
  parent.on('message', (m: { run: number }) => {
    left = m.run;
    pump();
  });
} else {
  const { port } = data as PostData;
  let got = 0;
  let sum = 0;
  port.on('message', (m: { buf: ArrayBuffer; last: boolean }) => {
    got += m.buf.byteLength;
    sum += new Uint8Array(m.buf)[0];
    const last = m.last;
    port.postMessage({ buf: m.buf }, [m.buf]);
    if (last) {
      parent.postMessage({ done: got, sum });
      got = 0;
    }
  });
}
