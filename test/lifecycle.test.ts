// However a process ends (it exits, traps, is killed, its Worker crashes or
// is terminated), its fds close, its peers see EOF or EPIPE, every page it
// held comes back, `exited` resolves, and the host's event loop keeps
// running. Each scenario runs in a Node process of its own
// (test/support/lifecycle.mjs) that must end by itself.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { build, HAVE_WASI_CLANG } from './wasi/toolchain.js';

const SCRIPT = join(import.meta.dirname, 'support/lifecycle.mjs');
const run = (...args: string[]) => JSON.parse(execFileSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8', timeout: 30_000 }));

/** The loop was free while the scenario waited: the timer came on time, the thread mostly idle. */
const healthy = (r: { timerMs: number; cpuShare: number }) => {
  expect(r.timerMs).toBeLessThan(1000);
  expect(r.cpuShare).toBeLessThan(0.5);
};

describe.runIf(typeof SharedArrayBuffer !== 'undefined')('process lifecycles', () => {
  const dir = mkdtempSync(join(tmpdir(), 'splicekit-lifecycle-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.runIf(HAVE_WASI_CLANG)(
    'kill while blocked in read: EOF and EPIPE for its peers, status 137, no spinning, no leak',
    async () => {
      const { wasm } = await build('cat', dir);
      const r = run('kill', wasm);
      expect(r).toMatchObject({ got: 'before kill\n', status: 137, error: null, eof: 0, epipe: 'EPIPE', leaked: 0, processes: 0 });
      healthy(r);
    },
    60_000,
  );

  it('a trap ends the guest with 134; its fds close', () => {
    const r = run('trap');
    expect(r).toMatchObject({ status: 134, error: null, eof: 0, epipe: 'EPIPE', leaked: 0, processes: 0 });
    healthy(r);
  }, 60_000);

  it('a Worker that crashes (a module it cannot link) ends its process with 134 and says why', () => {
    const r = run('crash');
    expect(r).toMatchObject({ status: 134, error: 'TypeError', eof: 0, epipe: 'EPIPE', leaked: 0, processes: 0 });
    healthy(r);
  }, 60_000);

  it('a Worker holding an exported pipe end, terminated mid-transfer: revoked, its reader sees EOF; destroy takes every page back', () => {
    const r = run('exported');
    expect(r).toEqual({ mode: 'exported', beforeRevoke: 'EAGAIN', eof: 0, leaked: 0, processes: 0 });
  }, 60_000);
});
