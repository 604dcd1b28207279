// The recorded trace corpus: every test/traces/<topic>/<name>.trace with
// Linux's output beside it in <name>.expected, and in <name>.nozero.expected
// where a kernel that never maps the shared zero page prints otherwise.

import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');
export const TRACE_DIR = join(ROOT, 'test', 'traces');

export interface RecordedTrace {
  /** Path relative to the repository root, e.g. test/traces/tee/basic.trace. */
  path: string;
  topic: string;
  source: Buffer;
  expected: string;
  /** Linux's output on a kernel without the shared zero page, where it differs. */
  expectedNoZero?: string;
}

/** What a trace prints on a kernel that does (or does not) map the shared zero page. */
export function expectedOn(t: RecordedTrace, zeroPage: boolean): string {
  return zeroPage ? t.expected : (t.expectedNoZero ?? t.expected);
}

export function recordedTraces(): RecordedTrace[] {
  const out: RecordedTrace[] = [];
  for (const topic of readdirSync(TRACE_DIR, { withFileTypes: true })) {
    if (!topic.isDirectory()) continue;
    for (const name of readdirSync(join(TRACE_DIR, topic.name)).sort()) {
      if (!name.endsWith('.trace')) continue;
      const file = join(TRACE_DIR, topic.name, name);
      const noZero = file.replace(/\.trace$/, '.nozero.expected');
      out.push({
        path: relative(ROOT, file),
        topic: topic.name,
        source: readFileSync(file),
        expected: readFileSync(file.replace(/\.trace$/, '.expected'), 'utf8'),
        ...(existsSync(noZero) ? { expectedNoZero: readFileSync(noZero, 'utf8') } : {}),
      });
    }
  }
  return out;
}

/** Linux with gcc: the native runner can be built and run here. */
export const canRunOracle = process.platform === 'linux' && hasGcc();

function hasGcc(): boolean {
  try {
    execFileSync('gcc', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Builds test/oracle/runner.c once and returns the binary's path. */
export function buildOracle(): string {
  const bin = join(ROOT, 'test', 'oracle', 'build', 'splicekit-oracle');
  execFileSync('bash', [join(ROOT, 'test', 'oracle', 'build.sh')], { stdio: 'inherit' });
  if (!existsSync(bin)) throw new Error('oracle build produced nothing');
  return bin;
}

/** Whether this kernel maps the shared zero page (see KernelOptions.sharedZeroPage). */
export function kernelMapsZeroPage(bin: string): boolean {
  const out = execFileSync(bin, ['--probe', 'zero-page'], { encoding: 'utf8' });
  if (!/^zero-page: (yes|no)\n$/.test(out)) throw new Error(`unexpected probe output: ${out}`);
  return out.includes('yes');
}

/** Runs the native runner on files; returns its stdout. */
export function runOracle(bin: string, files: string[]): string {
  return execFileSync(bin, files, { cwd: ROOT, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
}
