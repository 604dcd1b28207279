// Real programs: the C examples as WASI guests, each in its own Worker on one
// machine, against the same C built with gcc and run by bash on this
// kernel, in the same run. Needs clang with wasi-libc and gcc; skipped
// without them.
//
//   guest-pipeline-tee-sum   producer N | tee | sum          MiB/s
//   guest-pipeline-cat       producer N | cat > /dev/null    MiB/s
//   guest-syscall            fcntl(F_GETPIPE_SZ) from a guest ns/call
//   guest-sustained-10gib    producer 10 GiB | tee | sum: MiB/s, and the
//                            machine's memory and pages before and after

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { O_WRONLY } from '../src/constants.js';
import { Kernel } from '../src/kernel.js';
import { runPipeline, type AsyncSink } from '../src/proc/pipeline.js';
import { spawn } from '../src/proc/spawn.js';
import { median, type Row } from './harness.js';
import { root } from './native.js';

const MIB = 1 << 20;

/** The rows, in the order they are measured (for the progress count and --only). */
export const PROGRAM_NAMES = [
  'guest-pipeline-tee-sum',
  'native-guest-pipeline-tee-sum',
  'guest-pipeline-cat',
  'native-guest-pipeline-cat',
  'guest-syscall',
  'native-guest-syscall',
  'guest-sustained',
];

interface Built {
  dir: string;
}

/** PATH without node_modules/.bin: clang runs a wasm-opt it finds there after linking (slow). */
const clangEnv = {
  ...process.env,
  PATH: (process.env.PATH ?? '')
    .split(':')
    .filter((d) => !d.includes('node_modules'))
    .join(':'),
};

/** Builds the programs both ways into dist/bench/guests; a reason when it cannot. */
export function buildPrograms(): Built | { skipped: string } {
  if (process.platform !== 'linux') return { skipped: `not Linux (${process.platform})` };
  const dir = join(root, 'dist', 'bench', 'guests');
  mkdirSync(dir, { recursive: true });
  const sources: [string, string][] = [
    ...['producer', 'tee', 'sum', 'cat'].map((n): [string, string] => [n, join(root, 'examples', 'c', `${n}.c`)]),
    ['syscall', join(root, 'bench', 'guests', 'syscall.c')],
  ];
  try {
    for (const [name, src] of sources) {
      execFileSync('gcc', ['-O2', `-I${join(root, 'include')}`, src, '-o', join(dir, name)], { stdio: 'ignore' });
      execFileSync('clang', ['--target=wasm32-wasi', '-O2', `-I${join(root, 'include')}`, src, '-o', join(dir, `${name}.wasm`)], {
        stdio: 'ignore',
        env: clangEnv,
      });
    }
  } catch (e) {
    return { skipped: `cannot build the C programs with gcc and clang --target=wasm32-wasi (${(e as Error).message.split('\n')[0]})` };
  }
  return { dir };
}

/** A sink keeping what it is given (a few bytes: sum's line, syscall's time). */
function capture(): AsyncSink & { text(): string } {
  const parts: Uint8Array[] = [];
  return {
    async write(d) {
      parts.push(d.slice());
      return true;
    },
    text: () => Buffer.concat(parts).toString('utf8'),
  };
}

/** What the sustained run saw, for the report's notes. */
export let guestSustainedNote = '';

/**
 * producer | tee | sum for `gib` GiB on one machine: its memory and pool
 * pages before, at most during (sampled every 100 ms) and after.
 */
async function sustainedGuests(dir: string, gib: number): Promise<Row[]> {
  const k = new Kernel({ shared: true });
  const bytesBefore = k.memory.buffer.byteLength;
  const pagesBefore = k.stats().pagesInUse;
  const rssBefore = process.memoryUsage().rss;
  let peak = pagesBefore;
  const sample = setInterval(() => {
    peak = Math.max(peak, k.stats().pagesInUse);
  }, 100);
  const total = String(gib * 1024 * MIB);
  const cmds = [['producer', total], ['tee'], ['sum']].map(([name, ...args]) => ({ program: readFileSync(join(dir, `${name}.wasm`)), args: [name!, ...args] }));
  const devNull = k.open('/dev/null', O_WRONLY);
  const out = capture();
  const t0 = performance.now();
  const r = await runPipeline(k, cmds, { stdin: { read: async () => null }, stdout: out, stderr: devNull, spawn });
  const ms = performance.now() - t0;
  clearInterval(sample);
  k.close(devNull);
  if (r.statuses.some((s) => s !== 0) || !out.text().startsWith(`${total} `)) throw new Error(`guest-sustained: ${r.statuses.join(' ')} ${out.text()}`);
  const grew = k.memory.buffer.byteLength - bytesBefore;
  const leaked = k.stats().pagesInUse - pagesBefore;
  const rssGrew = process.memoryUsage().rss - rssBefore;
  k.destroy();
  guestSustainedNote =
    `machine memory ${(bytesBefore / MIB).toFixed(1)} MiB before and after ${gib} GiB through three guests; ` +
    `pool pages in use ${pagesBefore} before, at most ${peak} during, ${pagesBefore + leaked} after; process RSS ${rssGrew >= 0 ? '+' : ''}${(rssGrew / MIB).toFixed(1)} MiB`;
  const group = 'workers';
  return [
    {
      name: `guest-sustained-${gib}gib`,
      unit: 'MiB/s',
      median: (gib * 1024 * 1000) / ms,
      min: (gib * 1024 * 1000) / ms,
      max: (gib * 1024 * 1000) / ms,
      group,
      note: `producer ${gib} GiB | tee | sum, one sample`,
    },
    {
      name: `guest-sustained-${gib}gib-memory-growth`,
      unit: 'bytes',
      median: grew,
      min: grew,
      max: grew,
      group,
      note: "the machine's memory.buffer.byteLength after - before",
    },
    {
      name: `guest-sustained-${gib}gib-pages-leaked`,
      unit: 'pages',
      median: leaked,
      min: leaked,
      max: leaked,
      group,
      note: 'stats().pagesInUse after - before',
    },
  ];
}

/**
 * Runs commands as guests in Workers, stderr to /dev/null as in the native
 * rows (and stdout too with `nullOut`, as `> /dev/null`); returns the wall
 * time in ms and what the last printed.
 */
async function guests(dir: string, commands: string[][], nullOut = false): Promise<{ ms: number; out: string }> {
  const k = new Kernel({ shared: true });
  const cmds = commands.map(([name, ...args]) => ({ program: readFileSync(join(dir, `${name}.wasm`)), args: [name!, ...args] }));
  const devNull = k.open('/dev/null', O_WRONLY);
  const out = capture();
  const t0 = performance.now();
  const r = await runPipeline(k, cmds, { stdin: { read: async () => null }, stdout: nullOut ? devNull : out, stderr: devNull, spawn });
  const ms = performance.now() - t0;
  k.destroy();
  if (r.statuses.some((s) => s !== 0)) throw new Error(`${commands.map((c) => c[0]).join(' | ')} exited ${r.statuses.join(' ')}`);
  return { ms, out: out.text() };
}

/** Runs a bash pipeline of the native builds; returns the wall time in ms and its stdout. */
function native(dir: string, script: string): { ms: number; out: string } {
  const t0 = performance.now();
  const out = execFileSync('bash', ['-c', script], { cwd: dir, encoding: 'utf8', env: { ...process.env, PATH: `${dir}:${process.env.PATH}` } });
  return { ms: performance.now() - t0, out };
}

function row(name: string, unit: string, values: number[], note: string): Row {
  return {
    name,
    unit,
    median: median(values),
    min: Math.min(...values),
    max: Math.max(...values),
    group: name.startsWith('native-') ? 'kernel' : 'workers',
    note,
  };
}

/** The real-program rows: `runs` runs of each, `mib` MiB through each pipeline, `gib` GiB through the sustained one. */
export async function programRows(b: Built, runs: number, mib: number, gib: number, only: string | undefined, step: (name: string) => void): Promise<Row[]> {
  const bytes = String(mib * MIB);
  const rows: Row[] = [];
  const want = (name: string) => !only || name.includes(only);
  const measure = async (name: string, note: string, unit: string, one: () => Promise<number> | number) => {
    if (!want(name)) return;
    step(name);
    const values: number[] = [];
    for (let i = 0; i < runs; i++) values.push(await one());
    rows.push(row(name, unit, values, note));
  };
  const rate = (ms: number) => (mib * 1000) / ms;
  await measure('guest-pipeline-tee-sum', `producer ${mib} MiB | tee 2>/dev/null | sum, three guests in Workers`, 'MiB/s', async () =>
    rate((await guests(b.dir, [['producer', bytes], ['tee'], ['sum']])).ms),
  );
  await measure('native-guest-pipeline-tee-sum', 'the same three programs with gcc, by bash', 'MiB/s', () =>
    rate(native(b.dir, `producer ${bytes} | tee 2>/dev/null | sum`).ms),
  );
  await measure('guest-pipeline-cat', `producer ${mib} MiB | cat > /dev/null, two guests in Workers`, 'MiB/s', async () =>
    rate((await guests(b.dir, [['producer', bytes], ['cat']], true)).ms),
  );
  await measure('native-guest-pipeline-cat', 'the same two programs with gcc, by bash, > /dev/null', 'MiB/s', () =>
    rate(native(b.dir, `producer ${bytes} | cat > /dev/null`).ms),
  );
  const calls = '200000';
  await measure('guest-syscall', `fcntl(F_GETPIPE_SZ) ${calls} times from a guest in a Worker, timed inside it`, 'ns/call', async () =>
    Number((await guests(b.dir, [['syscall', calls]])).out.trim()),
  );
  await measure('native-guest-syscall', 'the same program with gcc', 'ns/call', () => Number(native(b.dir, `syscall ${calls}`).out.trim()));
  if (want('guest-sustained')) {
    step(`guest-sustained-${gib}gib`);
    rows.push(...(await sustainedGuests(b.dir, gib)));
  }
  return rows;
}
