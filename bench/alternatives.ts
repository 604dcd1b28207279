// What a JavaScript program would use instead of splicekit, in one thread:
// Node streams, WHATWG streams, and a plain ring buffer that copies.
// Every chunk is 64 KiB; producers hand out fresh (unzeroed) buffers, as a
// stream source would, and sinks only count what arrives.

import { PassThrough, Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Scenario } from './harness.js';

export const CHUNK = 64 * 1024;

function expect(got: number, want: number, what: string): void {
  if (got !== want) throw new Error(`${what}: got ${got}, expected ${want}`);
}

/** A fresh 64 KiB chunk without the zero fill. */
function fresh(): Uint8Array<ArrayBuffer> {
  return Buffer.allocUnsafe(CHUNK) as unknown as Uint8Array<ArrayBuffer>;
}

/** A pull source of `n` fresh chunks. */
export function source(n: number): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(c) {
      if (i++ < n) c.enqueue(fresh());
      else c.close();
    },
  });
}

/**
 * A plain JS ring buffer with read()/write() shaped like the kernel's:
 * write copies in, read returns a copy.
 */
export class JsRing {
  private readonly buf: Uint8Array;
  private head = 0;
  private tail = 0;
  constructor(private readonly cap: number) {
    this.buf = new Uint8Array(cap);
  }

  write(data: Uint8Array): number {
    const n = Math.min(data.length, this.cap - (this.head - this.tail));
    const at = this.head % this.cap;
    const first = Math.min(n, this.cap - at);
    this.buf.set(data.subarray(0, first), at);
    if (n > first) this.buf.set(data.subarray(first, n), 0);
    this.head += n;
    return n;
  }

  read(count: number): Uint8Array {
    const n = Math.min(count, this.head - this.tail);
    const at = this.tail % this.cap;
    this.tail += n;
    if (at + n <= this.cap) return this.buf.slice(at, at + n);
    const out = new Uint8Array(n);
    out.set(this.buf.subarray(at));
    out.set(this.buf.subarray(0, n - (this.cap - at)), this.cap - at);
    return out;
  }
}

/** Chunks per sample: 32 MiB. */
export const CHUNKS = 512;

export const alternativeScenarios: Scenario[] = [
  {
    name: 'node-streams',
    unit: 'GiB/s',
    group: 'streams',
    per: CHUNKS * CHUNK,
    note: 'Readable -> PassThrough -> Writable, fresh 64 KiB Buffers',
    setup: () => ({
      async: true,
      async fn() {
        let i = 0;
        let got = 0;
        const src = new Readable({
          read() {
            this.push(i++ < CHUNKS ? Buffer.allocUnsafe(CHUNK) : null);
          },
        });
        const sink = new Writable({
          write(chunk: Buffer, _enc, cb) {
            got += chunk.length;
            cb();
          },
        });
        await pipeline(src, new PassThrough(), sink);
        expect(got, CHUNKS * CHUNK, 'node-streams');
      },
    }),
  },
  {
    name: 'webstreams-transform',
    unit: 'GiB/s',
    group: 'streams',
    per: CHUNKS * CHUNK,
    note: 'ReadableStream.pipeThrough(new TransformStream()).pipeTo(WritableStream), fresh 64 KiB chunks',
    setup: () => ({
      async: true,
      async fn() {
        let got = 0;
        await source(CHUNKS)
          .pipeThrough(new TransformStream<Uint8Array, Uint8Array>())
          .pipeTo(
            new WritableStream<Uint8Array>({
              write(c) {
                got += c.length;
              },
            }),
          );
        expect(got, CHUNKS * CHUNK, 'webstreams-transform');
      },
    }),
  },
  {
    name: 'webstreams-tee',
    unit: 'GiB/s',
    group: 'streams',
    per: CHUNKS * CHUNK,
    note: 'ReadableStream.tee(), both branches drained by readers',
    setup: () => ({
      async: true,
      async fn() {
        const [a, b] = source(CHUNKS).tee();
        const drain = async (s: ReadableStream<Uint8Array>): Promise<number> => {
          const r = s.getReader();
          let got = 0;
          for (;;) {
            const { done, value } = await r.read();
            if (done) return got;
            got += value.length;
          }
        };
        const [x, y] = await Promise.all([drain(a), drain(b)]);
        expect(x + y, 2 * CHUNKS * CHUNK, 'webstreams-tee');
      },
    }),
  },
  {
    name: 'js-ring',
    unit: 'GiB/s',
    group: 'streams',
    per: 1024 * CHUNK,
    note: 'plain JS 64 KiB ring: write copies 64 KiB in, read returns a copy (as write-read)',
    setup() {
      const ring = new JsRing(CHUNK);
      const data = new Uint8Array(CHUNK).fill(0x5a);
      return {
        fn() {
          for (let i = 0; i < 1024; i++) {
            expect(ring.write(data), CHUNK, 'write');
            expect(ring.read(CHUNK).length, CHUNK, 'read');
          }
        },
      };
    },
  },
];
