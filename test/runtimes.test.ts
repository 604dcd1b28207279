// The runtime matrix: the same scenarios on Node, Deno and Bun (both from
// npm): the core (zero-copy vmsplice, tee, splice, a trace), pipe ends in
// two Workers blocking with Atomics.wait, and a WASI guest built with clang.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAVE_WASI_CLANG, EXAMPLES, INCLUDE } from './wasi/toolchain.js';

const ROOT = join(import.meta.dirname, '..');
const bin = (name: string) => join(ROOT, 'node_modules', '.bin', name);
const RUNTIMES: Record<string, string[]> = {
  node: [process.execPath],
  deno: [bin('deno'), 'run', '-A'],
  bun: [bin('bun')],
};
const available = (name: string) => name === 'node' || existsSync(bin(name));
const script = (name: string) => join(ROOT, 'test', 'support', name);

function run(runtime: string, args: string[], input = ''): { stdout: string; status: number | null } {
  const [cmd, ...pre] = RUNTIMES[runtime];
  const r = spawnSync(cmd, [...pre, ...args], { input, encoding: 'utf8', timeout: 120_000, cwd: ROOT });
  if (r.error) throw r.error;
  return { stdout: r.stdout, status: r.status };
}

const dir = mkdtempSync(join(tmpdir(), 'splicekit-runtimes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let wc = '';
beforeAll(() => {
  if (!HAVE_WASI_CLANG) return;
  wc = join(dir, 'wc.wasm');
  const path = (process.env.PATH ?? '').split(':').filter((d) => !d.includes('node_modules')).join(':');
  execFileSync('clang', ['--target=wasm32-wasi', '-O2', `-I${INCLUDE}`, join(EXAMPLES, 'wc.c'), '-o', wc], { env: { ...process.env, PATH: path } });
}, 60_000);

for (const runtime of Object.keys(RUNTIMES)) {
  describe.runIf(available(runtime))(`runtime: ${runtime}`, () => {
    it('core: zero-copy vmsplice, tee, splice from the page cache, a trace; no page leaked', () => {
      const out = JSON.parse(run(runtime, [script('smoke.mjs')]).stdout);
      expect(out).toEqual({
        runtime, shared: true, vmsplice: 'AFTER!', tee: 'AFTER!', splice: 10, read: 'page cache',
        trace: '1: 0|2: 2|3: 0|4: 2|5: 2 "hi"', leaked: 0,
      });
    });

    it('Workers: 16 MiB through a pipe shared by two Workers, blocking on Atomics.wait', () => {
      const out = JSON.parse(run(runtime, [script('smoke-workers.mjs')]).stdout);
      expect(out).toEqual({ sent: 16 << 20, got: 16 << 20, bad: -1, leaked: 0 });
    });

    it.runIf(HAVE_WASI_CLANG)('guest: a C program (wc -c) compiled for wasm32-wasi', () => {
      const r = run(runtime, [script('smoke-guest.mjs'), wc], 'hello world\n');
      expect([r.stdout, r.status]).toEqual(['12\n', 0]);
    });
  });
}
