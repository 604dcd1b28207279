// test/wasi/c/syscalls.c prints the outcome of every call splicekit.h
// provides (results and errno names): natively and under splicekit the
// output must be the same, line for line.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { build, HAVE_GCC, HAVE_WASI_CLANG, ROOT, runGuest, runNative } from './toolchain.js';

describe.runIf(HAVE_GCC && HAVE_WASI_CLANG)('splicekit.h calls: Linux and splicekit agree', () => {
  const dir = mkdtempSync(join(tmpdir(), 'splicekit-syscalls-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('syscalls.c', async () => {
    const { native, wasm } = await build('syscalls', dir, join(ROOT, 'test/wasi/c'));
    const want = runNative(native, [], new Uint8Array(0));
    const got = runGuest(wasm, [], new Uint8Array(0));
    expect(got.stderr).toBe(want.stderr);
    expect(got.stdout.split('\n')).toEqual(want.stdout.split('\n'));
    expect(got.status).toBe(want.status);
    expect(want.stdout).toContain('splice socket->pipe: 4');
  }, 60_000);
});
