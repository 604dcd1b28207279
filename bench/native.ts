// The kernel twins: bench/native/bench.c built with `gcc -O2` and run; it
// prints `RESULT name unit v1 v2 ...` per scenario (one value per run) and
// `SKIP name reason` when a call is refused. Skipped off Linux or without gcc.

import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { rowOf, type Row } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The repository root: this file runs as dist/bench/native.js. */
export const root = join(here, '..', '..');

/** The scenarios bench.c prints, in order (for the progress count and --only). */
export const NATIVE_NAMES = [
  'native-splice-page',
  'native-splice-pages-1',
  'native-splice-pages-16',
  'native-splice-pages-64',
  'native-splice-pages-256',
  'native-tee-page',
  'native-vmsplice-page',
  'native-vmsplice-splice-null',
  'native-splice-pipe-pipe',
  'native-tee-two-drains',
  'native-splice-file-file',
  'native-sendfile',
  'native-write-read',
  'native-vmsplice-read',
];

/** Builds the native runner; returns its path, or a reason it is skipped. */
export function buildNative(): { bin: string } | { skipped: string } {
  if (process.platform !== 'linux') return { skipped: `not Linux (${process.platform})` };
  const src = join(root, 'bench', 'native', 'bench.c');
  const bin = join(here, 'native', 'bench');
  try {
    execFileSync('gcc', ['--version'], { stdio: 'ignore' });
  } catch {
    return { skipped: 'gcc not found' };
  }
  mkdirSync(dirname(bin), { recursive: true });
  execFileSync('gcc', ['-O2', '-Wall', '-o', bin, src], { stdio: ['ignore', 'ignore', 'inherit'] });
  return { bin };
}

/** Runs the native runner; `onRow` is called as each scenario finishes. */
export function runNative(
  bin: string,
  runs: number,
  targetMs: number,
  only: string | undefined,
  onRow: (name: string) => void,
): Promise<{ rows: Row[]; skipped: string[] }> {
  return new Promise((resolve, reject) => {
    const args = [String(runs), String(targetMs), ...(only ? [only] : [])];
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    const rows: Row[] = [];
    const skipped: string[] = [];
    createInterface({ input: child.stdout }).on('line', (line) => {
      const [kind, name, ...rest] = line.trim().split(/\s+/);
      if (kind === 'RESULT') {
        const [unit, ...vals] = rest;
        rows.push(rowOf(name, unit, 'kernel', vals.map(Number)));
        onRow(name);
      } else if (kind === 'SKIP') {
        skipped.push(`${name}: ${rest.join(' ')}`);
        onRow(name);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve({ rows, skipped }) : reject(new Error(`native bench exited ${code}`))));
  });
}
