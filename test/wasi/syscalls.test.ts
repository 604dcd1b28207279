// test/wasi/c/syscalls.c prints the outcome of every call splicekit.h
// provides (results and errno names), fdtable.c the fd table's rules,
// hazard.c what vmsplice of the guest's own pages means: natively and under
// splicekit the output must be the same, line for line.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { build, HAVE_GCC, HAVE_WASI_CLANG, ROOT, runGuest, runNative } from './toolchain.js';

describe.runIf(HAVE_GCC && HAVE_WASI_CLANG)('splicekit.h calls: Linux and splicekit agree', () => {
  const dir = mkdtempSync(join(tmpdir(), 'splicekit-syscalls-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Builds test/wasi/c/NAME.c both ways and runs both: the same output, line for line. */
  async function agree(name: string): Promise<string> {
    const { native, wasm } = await build(name, dir, join(ROOT, 'test/wasi/c'));
    const want = runNative(native, [], new Uint8Array(0));
    const got = runGuest(wasm, [], new Uint8Array(0));
    expect(got.stderr).toBe(want.stderr);
    expect(got.stdout.split('\n')).toEqual(want.stdout.split('\n'));
    expect(got.status).toBe(want.status);
    return want.stdout;
  }

  it('syscalls.c', async () => {
    expect(await agree('syscalls')).toContain('splice socket->pipe: 4');
  }, 60_000);

  it('fdtable.c: close-on-exec, the lowest free fd and the fd limit, as the kernel has them', async () => {
    const out = await agree('fdtable');
    // wasi-libc alone would answer F_GETFD with 0 and have no dup3: these come from the kernel.
    expect(out).toContain('F_GETFD read end: 1\n');
    expect(out).toContain('dup3 O_NONBLOCK: -1 EINVAL\n');
    expect(out).toContain('F_DUPFD from the last fd: -1 EMFILE\n');
  }, 60_000);

  it('flags.c: F_GETFL and F_SETFL show and take O_DIRECT and O_ASYNC as the kernel does', async () => {
    const out = await agree('flags');
    // WASI's fdflags cannot express these two: they come from the kernel through the header.
    expect(out).toContain('packet write end: WRONLY|NONBLOCK|DIRECT\n');
    expect(out).toContain('write end after: WRONLY|NONBLOCK|APPEND|DIRECT|ASYNC\n');
    expect(out).toContain('F_SETFL O_DIRECT on a socket: -1 EINVAL\n');
    expect(out).toContain('file: RDWR|APPEND\n');
  }, 60_000);

  it("hazard.c: vmsplice maps the guest's own pages, so rewriting them changes what a reader reads", async () => {
    const out = await agree('hazard');
    expect(out).toContain('p read: FIRST\n');
    expect(out).toContain('q read: third\n');
    expect(out).toContain('written then read: third\n');
    expect(out).toContain('across pages: abcdXYZW\n');
  }, 60_000);
});
