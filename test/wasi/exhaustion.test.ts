// A guest that uses up the kernel's rings still gets its output out: the
// stdio pump lends pages through a ring when one is left, copies otherwise.

import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kernel } from '../../src/kernel.js';
import { execWasm } from '../../src/wasi/exec.js';
import { build, HAVE_GCC, HAVE_WASI_CLANG, ROOT, runNative } from './toolchain.js';

const dir = mkdtempSync(join(tmpdir(), 'splicekit-exhaustion-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.runIf(HAVE_GCC && HAVE_WASI_CLANG)('a guest that takes every ring', () => {
  let bin: { native: string; wasm: string };
  beforeAll(async () => {
    bin = await build('manypipes', dir, join(ROOT, 'test/wasi/c'));
  }, 60_000);

  it('writes its whole output after the last pipe, as natively; the pool is whole after', () => {
    // Rings run out long before fds do: the smallest ring memory, the most files.
    const k = new Kernel({ ringMemory: 32 * 1024 });
    const out = join(dir, 'out');
    const fds = { stdin: openSync('/dev/null', 'r'), stdout: openSync(out, 'w'), stderr: openSync(join(dir, 'err'), 'w') };
    let status: number;
    try {
      status = execWasm(readFileSync(bin.wasm), { args: ['manypipes'], env: [], kernel: k, ...fds });
    } finally {
      Object.values(fds).forEach((fd) => closeSync(fd));
    }
    const want = runNative(bin.native, [], new Uint8Array(0));
    expect({ status, stdout: readFileSync(out, 'latin1') }).toEqual({ status: want.status, stdout: want.stdout });
    expect(readFileSync(join(dir, 'err'), 'latin1')).toBe('');
    k.destroy();
    expect(k.stats().pagesInUse).toBe(0);
  }, 60_000);

  it.runIf(typeof SharedArrayBuffer !== 'undefined')(
    'the same in a Worker under runPipeline: its stdout pump copies when no ring is left',
    async () => {
      const { Kernel, runPipeline, spawn } = await import('../../dist/src/node.js');
      const k = new Kernel({ shared: true, ringMemory: 32 * 1024 });
      const chunks: Uint8Array[] = [];
      const sink = {
        write: async (b: Uint8Array) => {
          chunks.push(b.slice());
          return true;
        },
      };
      const r = await runPipeline(k, [{ program: readFileSync(bin.wasm), args: ['manypipes'] }], {
        stdin: { read: async () => null },
        stdout: sink,
        stderr: sink,
        spawn,
      });
      const want = runNative(bin.native, [], new Uint8Array(0));
      expect({ status: r.status, stdout: Buffer.concat(chunks).toString('latin1') }).toEqual({ status: want.status, stdout: want.stdout });
      k.destroy();
      expect(k.stats().pagesInUse).toBe(0);
    },
    60_000,
  );
});
