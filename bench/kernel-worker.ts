// A Worker holding one end of a splicekit pipe (PipeClient: its own core
// instance on the kernel's shared memory), for the worker-zero-copy row.
//
// producer: vmsplices alternate 1 MiB halves of a 2 MiB buffer (the 2006
//           double buffering: each half fills the 1 MiB pipe);
// consumer: splices what arrives to /dev/null (PipeClient.discard).
// Messages: { run: chunks } starts a run (the consumer answers { done: bytes }),
// { close: true } closes the end and frees the buffer (answer { closed: true }).

import { parentPort, workerData } from 'node:worker_threads';
import { PipeClient, type PipeEndHandle } from '../src/index.js';

const { handle, role, chunk } = workerData as { handle: PipeEndHandle; role: 'producer' | 'consumer'; chunk: number };
const parent = parentPort!;
const end = PipeClient.attach(handle);
const buf = role === 'producer' ? end.alloc(2 * chunk) : undefined;
buf?.bytes.fill(0x5a);

parent.on('message', (m: { run?: number; close?: boolean }) => {
  if (m.close) {
    end.close();
    if (buf) end.free(buf);
    parent.postMessage({ closed: true });
    return;
  }
  const chunks = m.run ?? 0;
  if (buf) {
    for (let i = 0; i < chunks; i++) {
      const at = (i & 1) * chunk;
      let off = 0;
      while (off < chunk) off += end.vmsplice(buf, at + off, chunk - off);
    }
  } else {
    let left = chunks * chunk;
    while (left > 0) {
      const n = end.discard(left);
      if (n === 0) break;
      left -= n;
    }
    parent.postMessage({ done: chunks * chunk - left });
  }
});
