// A C guest using the release-notification and loan extensions through
// include/splicekit.h, built with clang for wasm32-wasi.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { build, HAVE_WASI_CLANG, ROOT, runGuest } from './toolchain.js';

const dir = mkdtempSync(join(tmpdir(), 'splicekit-notify-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.runIf(HAVE_WASI_CLANG)('release notifications from a C guest', () => {
  it('learns when the kernel is done with its pages, through two pipes and a loan', async () => {
    const { wasm } = await build('notify', dir, join(ROOT, 'test/wasi/c'));
    const out = runGuest(wasm, [], new Uint8Array(0));
    expect(out.stdout).toBe(
      ['sent 13', 'moved 13', 'before read: -1', 'lent 13, copied 7: message', 'still lent: -1', 'released: 8 bytes, ids 0..0 (sent id 0)', ''].join('\n'),
    );
    expect(out.status).toBe(0);
  }, 60_000);
});
