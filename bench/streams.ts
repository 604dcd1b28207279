// splicekit's pipe ends as Web Streams, in the shape of the webstreams rows
// (bench/alternatives.ts): the same source of fresh 64 KiB chunks, a pipe
// where webstreams-transform has its TransformStream, the same counting sink.

import { readableOf, writableOf } from '../src/index.js';
import { CHUNK, CHUNKS, source } from './alternatives.js';
import { benchKernel } from './emulator.js';
import type { Scenario } from './harness.js';

export const streamScenarios: Scenario[] = [
  {
    name: 'pipe-readable',
    unit: 'GiB/s',
    group: 'emulator',
    per: CHUNKS * CHUNK,
    note: 'source.pipeTo(writableOf(pipe)) while readableOf(pipe).pipeTo(WritableStream), fresh 64 KiB chunks, a 64 KiB pipe',
    setup() {
      const k = benchKernel();
      const base = k.stats().pagesInUse;
      return {
        async: true,
        async fn() {
          const [r, w] = k.pipe();
          let got = 0;
          await Promise.all([
            source(CHUNKS).pipeTo(writableOf(k, w)),
            readableOf(k, r).pipeTo(
              new WritableStream<Uint8Array>({
                write(c) {
                  got += c.length;
                },
              }),
            ),
          ]);
          if (got !== CHUNKS * CHUNK) throw new Error(`pipe-readable: got ${got}, expected ${CHUNKS * CHUNK}`);
          // The streams closed both ends at EOF: the pool is where it was.
          const now = k.stats().pagesInUse;
          if (now !== base) throw new Error(`pipe-readable: ${now - base} pages still in use`);
        },
      };
    },
  },
];
