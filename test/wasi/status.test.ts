// Exit statuses and the `splicekit exec` command line.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIsCurrent } from '../../scripts/inputs.mjs';
import { build, HAVE_GCC, HAVE_WASI_CLANG, ROOT, runGuest, runNative } from './toolchain.js';

const dir = mkdtempSync(join(tmpdir(), 'splicekit-status-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.runIf(HAVE_GCC && HAVE_WASI_CLANG)('exit statuses: Linux and splicekit agree', () => {
  let bin: { native: string; wasm: string };
  beforeAll(async () => {
    bin = await build('status', dir, join(ROOT, 'test/wasi/c'));
  }, 60_000);

  for (const mode of ['return', 'exit', '_exit', 'big']) {
    it(mode, () => {
      const none = new Uint8Array(0);
      expect(runGuest(bin.wasm, [mode], none)).toEqual(runNative(bin.native, [mode], none));
    });
  }

  it('SIGPIPE: a write with no reader ends the program with 141; ignored, it fails EPIPE and the program goes on', async () => {
    const sig = await build('sigpipe', dir, join(ROOT, 'test/wasi/c'));
    const none = new Uint8Array(0);
    for (const args of [[], ['ignore']]) {
      const want = runNative(sig.native, args, none);
      expect(runGuest(sig.wasm, args, none), args.join(' ')).toEqual(want);
    }
    const ignored = runGuest(sig.wasm, ['ignore'], none);
    expect(ignored.status).toBe(141);
    expect(ignored.stdout).toContain('write with no reader: -1 EPIPE\nstill running: 1\n');
    expect(runGuest(sig.wasm, [], none)).toMatchObject({ status: 141, stdout: '' });
  }, 60_000);

  it('abort: 134 as for SIGABRT, with a line saying it trapped', () => {
    const none = new Uint8Array(0);
    const want = runNative(bin.native, ['abort'], none);
    const got = runGuest(bin.wasm, ['abort'], none);
    expect([got.status, got.stdout]).toEqual([want.status, want.stdout]);
    expect(got.stderr).toMatch(/trap: unreachable/);
  });
});

describe.runIf(HAVE_WASI_CLANG && buildIsCurrent())('splicekit exec (the built CLI)', () => {
  let wasm: string;
  beforeAll(async () => {
    wasm = (await build('cat', dir)).wasm;
  }, 60_000);
  const cli = join(ROOT, 'bin/splicekit.js');

  it('runs the program with this stdio and exits with its status', () => {
    const ok = spawnSync('node', [cli, 'exec', wasm], { input: 'through splicekit\n' });
    expect([ok.status, ok.stdout.toString()]).toEqual([0, 'through splicekit\n']);
    const missing = spawnSync('node', [cli, 'exec', wasm, 'missing'], { input: '' });
    expect([missing.status, missing.stderr.toString()]).toEqual([1, 'cat: missing: No such file or directory\n']);
  });

  it('SIGPIPE, unreadable and invalid programs, usage: 141, 127, 126, 2', () => {
    const sigpipe = execFileSync('bash', ['-c', `node "${cli}" exec "${wasm}" < /dev/zero | head -c 10 > /dev/null; echo \${PIPESTATUS[0]}`]);
    expect(sigpipe.toString().trim()).toBe('141');
    expect(spawnSync('node', [cli, 'exec', join(dir, 'nope.wasm')]).status).toBe(127);
    expect(spawnSync('node', [cli, 'exec', join(ROOT, 'package.json')]).status).toBe(126);
    expect(spawnSync('node', [cli, 'exec']).status).toBe(2);
  });
});
