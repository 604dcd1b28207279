// `splicekit exec 'A | B | C'`: a pipeline of WASI programs, each in its own
// Worker on one machine, with the CLI's stdio at its ends, run as a shell
// runs one (statuses, pipefail, SIGPIPE, programs found by name).

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipelineWords } from '../src/proc/pipeline-command.js';
import { producerByte, producerHash } from './support/producer.js';
import { build, HAVE_WASI_CLANG, ROOT } from './wasi/toolchain.js';

const CLI = join(ROOT, 'bin', 'splicekit.js');

describe('pipeline words', () => {
  it('splits commands on | and words as a shell does; other operators are refused', () => {
    expect(pipelineWords(`producer 100 | tee "my copy" | sum # done`)).toEqual([['producer', '100'], ['tee', 'my copy'], ['sum']]);
    expect(pipelineWords(`a 'b|c' | d\\ e`)).toEqual([['a', 'b|c'], ['d e']]);
    expect(pipelineWords('a | | b')).toMatch(/empty command/);
    expect(pipelineWords('a > f | b')).toMatch(/'>' is not supported/);
    expect(pipelineWords('a && b | c')).toMatch(/'&&' is not supported/);
  });
});

describe.runIf(HAVE_WASI_CLANG && typeof SharedArrayBuffer !== 'undefined')('splicekit exec with a pipeline', () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'splicekit-pipeline-'));
    for (const name of ['producer', 'tee', 'sum', 'cat', 'wc']) await build(name, dir);
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs the CLI in the programs' directory, found by name through SPLICEKIT_PATH. */
  const exec = (args: string[], input = '') =>
    spawnSync(process.execPath, [CLI, 'exec', ...args], {
      input,
      encoding: 'utf8',
      cwd: tmpdir(),
      env: { ...process.env, SPLICEKIT_PATH: dir },
      timeout: 60_000,
    });

  it('producer -n | tee FILE | sum: three Workers, every byte in order; the first reads stdin, the last writes stdout', () => {
    const bytes = 20 << 20;
    const r = exec([`producer -n ${bytes} | tee copy | sum`]);
    expect(r.stdout).toBe(`${bytes} ${producerHash(bytes)}\n`);
    expect(r.stderr).toBe(`producer: ${bytes} bytes through a 65536-byte pipe\n`);
    expect(r.status).toBe(0);
    const c = exec(['cat | wc'], 'hello, pipeline\n');
    expect([c.stdout, c.status]).toEqual(['16\n', 0]);
  }, 60_000);

  it('the 2006 rule holds for a reader that reads the pipe itself: the producer refills a half only once the read has copied it', () => {
    // Linux's read copies under the pipe's lock, so the room vmsplice waits for shows after the copy.
    const bytes = 10 << 20;
    for (const pipeline of [`producer ${bytes} | sum`, `producer ${bytes} | sum`, `producer ${bytes} | cat | sum`]) {
      expect(exec([pipeline]).stdout, pipeline).toBe(`${bytes} ${producerHash(bytes)}\n`);
    }
  }, 60_000);

  it('--memory lets the pool grow: tee writes more than the default 32 MiB pool into a file', () => {
    const bytes = 40 << 20;
    const r = exec(['--memory', '96M', `producer -n ${bytes} | tee copy | sum`]);
    expect([r.stdout, r.status]).toEqual([`${bytes} ${producerHash(bytes)}\n`, 0]);
  }, 60_000);

  it('without it, the directory fills first: tee says ENOSPC, sum still prints what it got, producer gets SIGPIPE', () => {
    const bytes = 40 << 20;
    const r = exec(['--pipefail', `producer -n ${bytes} | tee copy | sum`]);
    expect(r.stderr).toBe('tee: splice: No space left on device\n');
    expect(r.stdout).toMatch(/^\d+ [0-9a-f]{8}\n$/);
    expect(Number(r.stdout.split(' ')[0])).toBeLessThan(bytes);
    expect(r.status).toBe(1);
  }, 60_000);

  it("an end can be a kernel fd, as a shell's redirection: the programs use it directly", async () => {
    const { Kernel, O_CREAT, O_RDONLY, O_WRONLY, runPipeline, spawn } = await import('../dist/src/node.js');
    const k = new Kernel({ shared: true });
    const out = k.open('out', O_WRONLY | O_CREAT);
    const nul = k.open('/dev/null', O_WRONLY);
    const hello = new TextEncoder().encode('hello, file\n');
    const input = [hello];
    const r = await runPipeline(
      k,
      [
        { program: readFileSync(join(dir, 'cat.wasm')), args: ['cat'] },
        { program: readFileSync(join(dir, 'cat.wasm')), args: ['cat'] },
      ],
      {
        stdin: { read: async () => input.shift() ?? null },
        stdout: out,
        stderr: nul,
        spawn,
      },
    );
    expect(r.statuses).toEqual([0, 0]);
    const f = k.open('out', O_RDONLY);
    expect(new TextDecoder().decode(k.read(f, 100))).toBe('hello, file\n');
    for (const fd of [out, nul, f]) k.close(fd);
    k.destroy();
    expect(k.stats().pagesInUse).toBe(0);
  }, 60_000);

  it("a guest's stdout pipe is a ReadableStream (readableOf): spawn's, and runPipeline's as a kernel fd", async () => {
    const { Kernel, O_RDONLY, O_WRONLY, readableOf, runPipeline, spawn } = await import('../dist/src/node.js');
    const k = new Kernel({ shared: true });
    const program = (name: string) => readFileSync(join(dir, `${name}.wasm`));
    const nul = k.open('/dev/null', O_WRONLY);
    const none = k.open('/dev/null', O_RDONLY);
    const bytes = 4 << 20;
    const [r, w] = k.pipe();
    const child = spawn(k, program('producer'), { args: ['producer', '-n', String(bytes)], stdout: w, stderr: nul });
    k.close(w);
    const got = new Uint8Array(await new Response(readableOf(k, r)).arrayBuffer());
    expect(await child.exited).toBe(0);
    expect(got.length).toBe(bytes);
    expect(got.every((b, i) => b === producerByte(i))).toBe(true);
    const [r2, w2] = k.pipe();
    const run = runPipeline(
      k,
      [
        { program: program('producer'), args: ['producer', '-n', String(bytes)] },
        { program: program('sum'), args: ['sum'] },
      ],
      {
        stdin: none,
        stdout: w2,
        stderr: nul,
        spawn,
      },
    );
    k.close(w2);
    expect(await new Response(readableOf(k, r2)).text()).toBe(`${bytes} ${producerHash(bytes)}\n`);
    expect((await run).statuses).toEqual([0, 0]);
    for (const fd of [nul, none]) k.close(fd);
    k.destroy();
    expect(k.stats().pagesInUse).toBe(0);
  }, 60_000);

  it("an end that is /dev/null on the host is the machine's /dev/null", () => {
    const r = spawnSync(
      'bash',
      ['-c', `node "$1" exec 'cat | wc -c' </dev/null; node "$1" exec 'producer 100000 | cat' >/dev/null; echo "status $?"`, 'bash', CLI],
      { encoding: 'utf8', env: { ...process.env, SPLICEKIT_PATH: dir }, timeout: 60_000 },
    );
    expect(r.stdout).toBe('0\nstatus 0\n');
  }, 60_000);

  it("the status is the last program's, or with --pipefail the last non-zero one", () => {
    // wc of a missing file fails (1), cat does not.
    expect(exec(['wc -c missing | cat']).status).toBe(0);
    expect(exec(['--pipefail', 'wc -c missing | cat']).status).toBe(1);
    expect(exec(['cat | wc -c missing']).status).toBe(1);
  }, 60_000);

  it('a program alone is found by NAME as in a pipeline; a mistyped option is a usage error, not a program', () => {
    expect(exec(['wc'], 'four\n')).toMatchObject({ status: 0, stdout: '5\n' });
    expect(exec(['--memroy', '2G', 'wc'])).toMatchObject({ status: 2, stderr: "splicekit exec: unknown option '--memroy'\n" });
  }, 60_000);

  it('a program not found is 127, a pipeline malformed 2, each one line', () => {
    const r = exec(['cat | nosuchprogram']);
    expect([r.status, r.stderr]).toEqual([127, 'splicekit exec: nosuchprogram: not found (a .wasm file, or NAME.wasm in SPLICEKIT_PATH, by default here)\n']);
    expect(exec(['cat | | cat']).status).toBe(2);
  }, 60_000);

  it('a reader that goes away ends the last program with SIGPIPE (141), as under a shell', () => {
    const out = execFileSync('bash', ['-c', `node "$1" exec 'producer 100000000 | cat' | head -c 10 >/dev/null; echo "\${PIPESTATUS[0]}"`, 'bash', CLI], {
      encoding: 'utf8',
      env: { ...process.env, SPLICEKIT_PATH: dir },
      timeout: 60_000,
    });
    expect(out.trim()).toBe('141');
  }, 60_000);
});
