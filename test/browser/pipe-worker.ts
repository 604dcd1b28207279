// A Web Worker using one pipe end (see test/support/pipe-worker.mjs for Node's).
import { PipeClient, type PipeEndHandle } from '../../src/index.js';

const byte = (i: number) => (i * 7 + 3) % 251;

self.onmessage = (e: MessageEvent<{ handle: PipeEndHandle; role: string; total: number; chunk: number }>) => {
  const { handle, role, total, chunk } = e.data;
  const end = PipeClient.attach(handle);
  if (role === 'producer') {
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
    end.free(buf);
    postMessage({ sent });
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
    postMessage({ got, bad });
  }
};
