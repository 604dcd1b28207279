// A hostile guest: every function the WASI host offers (wasi_snapshot_preview1
// and the splicekit module), called with raw values as a broken or malicious
// program would pass them: pointers past the end of its memory, huge lengths,
// negative fds, iovec arrays that point anywhere. The host must answer each
// with an errno (a number), never throw, never corrupt the kernel, and leave
// the pool whole. proc_exit is the one call that ends the guest.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Kernel, O_CREAT, O_RDWR, WasiHost } from '../../src/index.js';
import { HOST_FUNCTIONS } from '../../src/wasi/signatures.js';

const MEMORY_PAGES = 2;
const BYTES = MEMORY_PAGES * 65536;

/** A value for a parameter of Wasm type `t`: near the memory's edges, small fds, or anything. */
const value = (t: string): fc.Arbitrary<number | bigint> => {
  const i32 = fc.oneof(
    fc.integer({ min: -2, max: 12 }),
    fc.integer({ min: 0, max: BYTES + 64 }),
    fc.constantFrom(BYTES - 1, BYTES - 4, BYTES - 8, BYTES, 0x7fffffff, -1, -0x80000000, 4096, 65536),
    fc.integer({ min: -0x80000000, max: 0x7fffffff }),
  );
  return t === 'i64'
    ? fc.oneof(
        i32.map((v) => BigInt(v)),
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
      )
    : i32;
};

const CALLS = Object.entries(HOST_FUNCTIONS).flatMap(([module, fns]) => Object.entries(fns).map(([name, sig]) => ({ module, name, sig })));
const paramsOf = (sig: string) =>
  sig
    .slice(1, sig.indexOf(')'))
    .split(', ')
    .filter((p) => p !== '');

const call = fc.constantFrom(...CALLS).chain(({ module, name, sig }) => fc.tuple(...paramsOf(sig).map(value)).map((args) => ({ module, name, args })));

/** Bytes of memory at random, some of them plausible iovecs and strings. */
const memoryFill = fc.uint8Array({ minLength: 256, maxLength: 256 });

describe('a hostile guest', () => {
  it('every host function, called with raw values, answers an errno: nothing throws, the pool stays whole', () => {
    fc.assert(
      fc.property(fc.array(call, { minLength: 1, maxLength: 60 }), memoryFill, (calls, fill) => {
        const k = new Kernel({ pages: 64, userPages: 16 });
        const f = k.open('f', O_RDWR | O_CREAT);
        k.write(f, new TextEncoder().encode('a file'));
        const [r, w] = k.pipe();
        k.write(w, new Uint8Array(5000).fill(7));
        const host = new WasiHost(k, { args: ['guest', 'x'], env: ['A=1'] });
        host.preopen('.');
        const memory = new WebAssembly.Memory({ initial: MEMORY_PAGES, maximum: MEMORY_PAGES });
        // Spread the random bytes over the memory, so pointers read from it lead somewhere.
        const mem = new Uint8Array(memory.buffer);
        for (let at = 0; at < BYTES; at += fill.length) mem.set(fill.subarray(0, Math.min(fill.length, BYTES - at)), at);
        const imports = host.imports() as Record<string, Record<string, (...a: unknown[]) => unknown>>;
        let exited = false;
        const _start = () => {
          for (const c of calls) {
            const fn = imports[c.module]![c.name]!;
            const ret = fn(...c.args);
            if (typeof ret !== 'number' || !Number.isInteger(ret)) throw new Error(`${c.module}.${c.name}(${c.args.join(', ')}) returned ${String(ret)}`);
          }
        };
        try {
          host.start({ exports: { memory, _start } } as unknown as WebAssembly.Instance);
        } catch (e) {
          throw new Error(`a host function threw: ${e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e)}`);
        }
        exited = true;
        for (const fd of [f, r, w]) if (k.describe(fd)) k.close(fd);
        k.destroy();
        expect(exited).toBe(true);
        expect(k.stats().pagesInUse).toBe(0);
      }),
      { numRuns: 1500 },
    );
  });
});
