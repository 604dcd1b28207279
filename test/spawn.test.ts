// Processes in Workers: three WASI guests (producer | tee | wc -c) built
// with clang, each in its own Worker with its own fd table, connected by
// the kernel's pipes; their blocking calls wait on the kernel's thread.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXAMPLES, HAVE_WASI_CLANG, INCLUDE } from './wasi/toolchain.js';
import { producerHash } from './support/producer.js';

const ROOT = join(import.meta.dirname, '..');

const dir = mkdtempSync(join(tmpdir(), 'splicekit-spawn-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.runIf(HAVE_WASI_CLANG && typeof SharedArrayBuffer !== 'undefined')('spawn', () => {
  it('producer | tee | wc -c across three Workers counts every byte; no page leaks', () => {
    const path = (process.env.PATH ?? '').split(':').filter((d) => !d.includes('node_modules')).join(':');
    for (const name of ['producer', 'tee', 'wc', 'cat', 'sum']) {
      execFileSync('clang', ['--target=wasm32-wasi', '-O2', `-I${INCLUDE}`, join(EXAMPLES, `${name}.c`), '-o', join(dir, `${name}.wasm`)],
        { env: { ...process.env, PATH: path } });
    }
    const bytes = 32 << 20;
    const out = execFileSync(process.execPath, [join(ROOT, 'test/support/spawn-pipeline.mjs'), dir, String(bytes)], { encoding: 'utf8', timeout: 120_000 });
    const r = JSON.parse(out);
    expect([r.count, r.status, r.leaked]).toEqual([String(bytes), [0, 0, 0], 0]);
  }, 180_000);

  it('producer | tee | sum: every byte arrives in order (FNV-1a of the whole stream)', () => {
    const bytes = 32 << 20;
    const out = execFileSync(process.execPath, [join(ROOT, 'test/support/spawn-pipeline.mjs'), dir, String(bytes), 'sum'], { encoding: 'utf8', timeout: 120_000 });
    expect(JSON.parse(out).count).toBe(`${bytes} ${producerHash(bytes)}`);
  }, 180_000);
});
