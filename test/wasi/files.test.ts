// Guests and real files: test/wasi/c/files.c writes, splices and sends in a
// directory given with --dir (a host directory under splicekit) and uses
// /dev/full, /dev/null and /dev/zero by their absolute paths; natively and
// under splicekit the output and the files left behind must be the same.
// escape.c tries to leave its directory: under splicekit every way out is refused.

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Kernel } from '../../src/kernel.js';
import { build, HAVE_GCC, HAVE_WASI_CLANG, ROOT, runGuest, runNative } from './toolchain.js';

const C = join(ROOT, 'test/wasi/c');

describe.runIf(HAVE_GCC && HAVE_WASI_CLANG)('guests with --dir and the devices by absolute path', () => {
  const dir = mkdtempSync(join(tmpdir(), 'splicekit-files-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let k: Kernel;
  let scratch: string;
  beforeEach(() => {
    k = new Kernel();
    scratch = mkdtempSync(join(tmpdir(), 'splicekit-files-run-'));
  });
  /** Every test ends with the pool whole again. */
  afterEach(() => {
    k.destroy();
    expect(k.stats().pagesInUse).toBe(0);
    rmSync(scratch, { recursive: true, force: true });
  });

  it('files.c: what it writes in a --dir directory is on the host after exit, as natively; /dev/full fails ENOSPC', async () => {
    const { native, wasm } = await build('files', dir, C);
    const nativeDir = join(scratch, 'native');
    const guestDir = join(scratch, 'guest');
    mkdirSync(nativeDir);
    mkdirSync(guestDir);
    const want = runNative(native, [nativeDir], new Uint8Array(0));
    // The guest knows its directory as "out" (--dir HOST::out).
    const got = runGuest(wasm, ['out'], new Uint8Array(0), { kernel: k, dirs: [{ host: guestDir, guest: 'out' }] });
    expect(got.stderr).toBe(want.stderr);
    expect(got.stdout.split('\n')).toEqual(want.stdout.split('\n'));
    expect(got.status).toBe(want.status);
    expect(want.stdout).toContain('write /dev/full: -1 ENOSPC\n');
    expect(want.stdout).toContain('write /dev/full nothing: -1 ENOSPC\n');
    expect(want.stdout).toContain('splice pipe -> /dev/full: -1 EINVAL\n');
    expect(want.stdout).toContain('fflush /dev/full: -1 ENOSPC');
    expect(readdirSync(guestDir).sort()).toEqual(['copy', 'data', 'spliced']);
    for (const name of readdirSync(nativeDir)) {
      expect(readFileSync(join(guestDir, name), 'latin1'), name).toBe(readFileSync(join(nativeDir, name), 'latin1'));
    }
    expect(readFileSync(join(guestDir, 'spliced'), 'latin1')).toBe('by the program\ntail\n');
    // The machine's own directory got nothing: the files went to the host.
    expect(k.snapshot().files).toEqual([]);
  }, 60_000);

  it('files.c with its directory at "." (--dir HOST::.): the host directory replaces the machine\'s', async () => {
    const { wasm } = await build('files', dir, C);
    const got = runGuest(wasm, ['.'], new Uint8Array(0), { kernel: k, dirs: [{ host: scratch, guest: '.' }] });
    expect(got.status).toBe(0);
    expect(got.stdout).toContain('sendfile data -> copy: 23\n');
    expect(readdirSync(scratch).sort()).toEqual(['copy', 'data', 'spliced']);
  }, 60_000);

  it('escape.c: symlinks out are EPERM, .. past the preopen ENOTCAPABLE; nothing outside changes', async () => {
    const { wasm } = await build('escape', dir, C);
    const inside = join(scratch, 'inside');
    const outside = join(scratch, 'outside');
    mkdirSync(join(inside, 'sub'), { recursive: true });
    mkdirSync(outside);
    writeFileSync(join(outside, 'secret'), 'secret');
    writeFileSync(join(inside, 'in'), 'inside');
    symlinkSync(join(outside, 'secret'), join(inside, 'abs'));
    symlinkSync(join('..', '..', 'outside', 'secret'), join(inside, 'sub', 'rel'));
    symlinkSync(join(outside, 'nothing'), join(inside, 'dangling'));
    symlinkSync(outside, join(inside, 'dirlink'));
    symlinkSync('in', join(inside, 'ok'));
    const got = runGuest(wasm, ['out'], new Uint8Array(0), { kernel: k, dirs: [{ host: inside, guest: 'out' }] });
    expect(got.stderr).toBe('');
    expect(got.stdout.split('\n')).toEqual([
      'an absolute symlink out: -1 EPERM',
      'a relative symlink out: -1 EPERM',
      'create through a dangling symlink: -1 EPERM',
      'create in a symlinked directory outside: -1 EPERM',
      '.. past the preopen: -1 ENOTCAPABLE',
      'a symlink that stays inside: opened "inside"',
      'sub/.. stays inside: opened "inside"',
      'unlink through a symlinked directory: -1 EPERM',
      'unlink a symlink that points out (the link goes): 0',
      '',
    ]);
    expect(readdirSync(outside)).toEqual(['secret']);
    expect(readFileSync(join(outside, 'secret'), 'utf8')).toBe('secret');
    expect(readdirSync(inside).sort()).toEqual(['dangling', 'dirlink', 'in', 'ok', 'sub']);
  }, 60_000);
});
