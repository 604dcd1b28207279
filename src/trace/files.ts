// Runs trace files from disk: the `splicekit run` contract (Node only).

import { readFileSync } from 'node:fs';
import { printable, readAll } from '../hostfd.js';
import { Kernel } from '../kernel.js';
import { parseTrace, TraceSyntaxError, type Op } from './parse.js';
import { runTrace, TraceRuntimeError } from './run.js';

/** The path that names standard input (`./-` is a file named `-`). */
export const STDIN = '-';

export interface RunResult {
  stdout: string;
  stderr: string;
  status: number;
}

/**
 * The `splicekit run` contract: parse every file first (a malformed or
 * unreadable one runs nothing, exit 2), then run each on a fresh Kernel,
 * with `== FILE` headers when there are several. The path `-` is standard
 * input, named `-` in messages and headers as any path is, as given.
 */
export function runFiles(paths: readonly string[]): RunResult {
  const traces: Op[][] = [];
  for (const path of paths) {
    let source: Uint8Array;
    try {
      source = path === STDIN ? readAll(0) : readFileSync(path);
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
      return { stdout: '', stderr: `${printable(path)}: cannot read trace (${why})\n`, status: 2 };
    }
    try {
      // Messages name the file with control characters as \xHH, to stay one line.
      traces.push(parseTrace(source, printable(path)));
    } catch (e) {
      if (e instanceof TraceSyntaxError) return { stdout: '', stderr: `${e.message}\n`, status: 2 };
      throw e;
    }
  }
  let stdout = '';
  for (const [i, path] of paths.entries()) {
    if (paths.length > 1) stdout += `== ${path}\n`;
    const kernel = new Kernel();
    try {
      stdout += lines(runTrace(traces[i]!, kernel));
    } catch (e) {
      if (!(e instanceof TraceRuntimeError)) throw e;
      stdout += lines(e.output);
      return { stdout, stderr: `${printable(path)}:${e.line}: internal error: ${(e.cause as Error)?.message ?? e.message}\n`, status: 1 };
    } finally {
      kernel.destroy();
    }
  }
  return { stdout, stderr: '', status: 0 };
}

const lines = (out: readonly string[]): string => out.map((l) => `${l}\n`).join('');
