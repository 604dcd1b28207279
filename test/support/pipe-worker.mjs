// A Worker that uses one pipe end: the producer vmsplices a double buffer,
// the consumer reads and checksums. Runs the compiled host (dist/).
import { parentPort, workerData } from 'node:worker_threads';
import { PipeClient } from '../../dist/src/index.js';

const { handle, role, total, chunk } = workerData;
const end = PipeClient.attach(handle);
const byte = (i) => (i * 7 + 3) % 251;

if (role === 'producer') {
  // Two halves, each a pipe's worth: refill one while the other is under I/O.
  const buf = end.alloc(2 * chunk);
  let sent = 0;
  let half = 0;
  while (sent < total) {
    const n = Math.min(chunk, total - sent);
    const at = half * chunk;
    for (let i = 0; i < n; i++) buf.bytes[at + i] = byte(sent + i);
    let off = 0;
    while (off < n) off += end.vmsplice(buf, at + off, n - off);
    sent += n;
    half = 1 - half;
  }
  end.close();
  // The pipe may still reference buf's pages: they go back when it lets go.
  end.free(buf);
  parentPort.postMessage({ sent });
} else {
  let got = 0;
  let bad = -1;
  for (;;) {
    const part = end.read(1 << 20);
    if (part.length === 0) break;
    for (let i = 0; i < part.length; i++) if (bad < 0 && part[i] !== byte(got + i)) bad = got + i;
    got += part.length;
  }
  end.close();
  parentPort.postMessage({ got, bad });
}
