// The C examples, built natively with gcc and for wasm32-wasi with clang,
// run on Linux and under splicekit with the same input: stdout, stderr and
// exit status must be identical.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, HAVE_GCC, HAVE_WASI_CLANG, runGuest, runNative } from './toolchain.js';

const enc = (s: string) => new TextEncoder().encode(s);

/** Deterministic bytes (xorshift), all 256 values, not page-aligned in length. */
function noise(n: number, seed = 2006): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const INPUTS: [string, Uint8Array][] = [
  ['empty', new Uint8Array(0)],
  ['a line', enc('hello, splice\n')],
  ['1 MiB + 123 bytes of noise', noise((1 << 20) + 123)],
];

const CASES: { prog: string; args: string[]; inputs?: [string, Uint8Array][] }[] = [
  { prog: 'cat', args: [] },
  { prog: 'cat', args: ['-', 'missing'], inputs: [INPUTS[1]] },
  { prog: 'tee', args: [] },
  { prog: 'wc', args: [] },
  { prog: 'wc', args: ['-c', 'missing'], inputs: [INPUTS[0]] },
  { prog: 'relay', args: [] },
  { prog: 'producer', args: [], inputs: [INPUTS[0]] },
  { prog: 'producer', args: ['300001'], inputs: [INPUTS[0]] },
];

describe.runIf(HAVE_GCC && HAVE_WASI_CLANG)('C examples: Linux and splicekit agree', () => {
  let dir: string;
  const bins = new Map<string, { native: string; wasm: string }>();
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'splicekit-examples-'));
    const progs = [...new Set(CASES.map((c) => c.prog))];
    const built = await Promise.all(progs.map((p) => build(p, dir)));
    progs.forEach((p, i) => bins.set(p, built[i]));
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const { prog, args, inputs = INPUTS } of CASES) {
    for (const [what, input] of inputs) {
      it(`${[prog, ...args].join(' ')} < ${what}`, () => {
        const { native, wasm } = bins.get(prog)!;
        const want = runNative(native, args, input);
        const got = runGuest(wasm, args, input);
        expect(got.status).toBe(want.status);
        expect(got.stderr).toBe(want.stderr);
        // Compare lengths first: a 1 MiB diff is unreadable.
        expect(got.stdout.length).toBe(want.stdout.length);
        expect(got.stdout === want.stdout).toBe(true);
      });
    }
  }
});
