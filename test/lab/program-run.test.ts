// The lab's program runner in Node (no JSPI here: the non-blocking
// fallback), on lab/programs/pipes.c built by Debian's clang: its output,
// the kernel as it exits (its own page in pipe a, copied bytes in pipe b),
// the pool whole after; and a call that would block fails EAGAIN.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runProgram } from '../../src/lab/program-run.js';
import { isForeign } from '../../src/spaces.js';
import { CLANG_ENV, HAVE_WASI_CLANG, INCLUDE, ROOT } from '../wasi/toolchain.js';

const dir = mkdtempSync(join(tmpdir(), 'splicekit-program-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function build(src: string): Uint8Array {
  const file = join(dir, 'program.c');
  writeFileSync(file, src);
  execFileSync('clang', ['--target=wasm32-wasi', '-O2', `-I${INCLUDE}`, file, '-o', join(dir, 'program.wasm')], { env: CLANG_ENV });
  return new Uint8Array(readFileSync(join(dir, 'program.wasm')));
}

describe.runIf(HAVE_WASI_CLANG)('runProgram (the lab Program tab)', () => {
  it('pipes.c: output, its pipes and pages at exit, the pool whole after', async () => {
    const run = await runProgram(build(readFileSync(join(ROOT, 'lab/programs/pipes.c'), 'utf8')), 'fallback');
    expect(run).toMatchObject({ status: 0, stderr: '', pagesAfter: 0, timedOut: false });
    expect(run.stdout).toContain('pipe c holds 23 bytes: hello from my own page\n');
    const { snapshot, fdNames } = run.state;
    const ringOf = (fd: number) => snapshot.rings.find((r) => r.ring === snapshot.fds.find((f) => f.fd === fd)?.ring);
    expect(fdNames.get('fd4')).toBe(4);
    const [a] = ringOf(4)!.slots;
    expect(a).toMatchObject({ len: 23, ops: 'user' });
    expect(isForeign(a!.page)).toBe(true);
    expect(ringOf(6)!.slots).toMatchObject([{ len: 7, ops: 'anon' }]);
    expect(ringOf(8)!.slots).toEqual([]);
    expect(run.state.slotBytes.get(`${ringOf(4)!.ring}:${a!.index}`)).toBe('hello f');
    // stdio's pipes, drained by the page, are not drawn while empty.
    expect(snapshot.rings.some((r) => r.ring === ringOf(1)?.ring)).toBe(false);
  });

  it('the non-blocking fallback: a read that would block fails EAGAIN', async () => {
    const src = `#include "splicekit.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
int main(void) {
  int p[2];
  char c;
  pipe(p);
  ssize_t n = read(p[0], &c, 1);
  printf("%zd %s\\n", n, n < 0 && errno == EAGAIN ? "EAGAIN" : strerror(errno));
  return 0;
}
`;
    const run = await runProgram(build(src), 'fallback');
    expect(run).toMatchObject({ status: 0, stdout: '-1 EAGAIN\n', pagesAfter: 0 });
  });
});
