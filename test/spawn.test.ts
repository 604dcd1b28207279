// Processes in Workers: three WASI guests (producer | tee | wc -c) built
// with clang, each in its own Worker with its own fd table, connected by
// the kernel's pipes; their blocking calls wait on the kernel's thread. The
// guests' memories are the machine's to map: the producer's vmsplice puts
// its own pages in the pipe, as on Linux (built natively with gcc too).

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLES, HAVE_WASI_CLANG, INCLUDE } from './wasi/toolchain.js';
import { producerHash } from './support/producer.js';

const ROOT = join(import.meta.dirname, '..');

const dir = mkdtempSync(join(tmpdir(), 'splicekit-spawn-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.runIf(HAVE_WASI_CLANG && typeof SharedArrayBuffer !== 'undefined')('spawn', () => {
  beforeAll(() => {
    const path = (process.env.PATH ?? '')
      .split(':')
      .filter((d) => !d.includes('node_modules'))
      .join(':');
    for (const name of ['producer', 'tee', 'wc', 'cat', 'sum']) {
      execFileSync('clang', ['--target=wasm32-wasi', '-O2', `-I${INCLUDE}`, join(EXAMPLES, `${name}.c`), '-o', join(dir, `${name}.wasm`)], {
        env: { ...process.env, PATH: path },
      });
      execFileSync('gcc', ['-O2', `-I${INCLUDE}`, join(EXAMPLES, `${name}.c`), '-o', join(dir, name)]);
    }
  }, 60_000);

  it('producer | tee | wc -c across three Workers counts every byte; no page leaks', () => {
    const bytes = 32 << 20;
    const out = execFileSync(process.execPath, [join(ROOT, 'test/support/spawn-pipeline.mjs'), dir, String(bytes)], { encoding: 'utf8', timeout: 120_000 });
    const r = JSON.parse(out);
    expect([r.count, r.status, r.leaked]).toEqual([String(bytes), [0, 0, 0], 0]);
  }, 180_000);

  it('the 2006 hazard for real: producer | tee | sum comes out wrong, as on Linux; waiting for release notifications makes it right', () => {
    const bytes = 32 << 20;
    const stream = `${bytes} ${producerHash(bytes)}`;
    const guests = (...flag: string[]) =>
      JSON.parse(
        execFileSync(process.execPath, [join(ROOT, 'test/support/spawn-pipeline.mjs'), dir, String(bytes), 'sum', ...flag], {
          encoding: 'utf8',
          timeout: 120_000,
        }),
      );
    const native = (flag: string) =>
      execFileSync('bash', ['-c', `"$1/producer" ${flag} ${bytes} 2>/dev/null | "$1/tee" 2>/dev/null | (sleep 0.3; exec "$1/sum")`, 'bash', dir], {
        encoding: 'utf8',
      }).trim();
    // tee(2) keeps references to pages the producer refills under the 2006 rule: the sum is not the
    // stream's. A reader that starts late makes sure the references are still in its pipe then.
    const hazard = guests('--late');
    expect(hazard.count).toMatch(new RegExp(`^${bytes} [0-9a-f]{8}$`));
    expect(hazard.count).not.toBe(stream);
    expect(native('')).not.toBe(stream);
    expect(hazard.leaked).toBe(0);
    // Waiting for the pages' release (natively: ENOSYS, so write(2), a copy) gives the stream.
    const waited = guests('-n', '--late');
    expect([waited.count, waited.status, waited.leaked]).toEqual([stream, [0, 0, 0], 0]);
    expect(native('-n')).toBe(stream);
  }, 180_000);

  it('a hundred pipelines one after another on one machine: none runs out of memory, none leaks', () => {
    const out = execFileSync(process.execPath, [join(ROOT, 'test/support/spawn-many.mjs'), dir, '100', String(4 << 20)], {
      encoding: 'utf8',
      timeout: 170_000,
    });
    expect(JSON.parse(out)).toEqual({ ok: 100, enomem: 0, leaked: 0 });
  }, 180_000);
});
