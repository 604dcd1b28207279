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
 * With `write`, the output goes to it as it is made (the result's stdout
 * stays empty), and it returning false (its reader has gone) ends the run.
 */
export function runFiles(paths: readonly string[], write?: (text: string) => boolean): RunResult {
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
  // The output goes to `write` in pieces as it is made (the whole of it may
  // be far larger than the trace, and larger than a string can be), or is
  // gathered in `stdout`.
  let stdout = '';
  let pending: string[] = [];
  let pendingSize = 0;
  let open = true;
  const flush = (): boolean => {
    if (pending.length === 0) return open;
    const text = pending.join('');
    pending = [];
    pendingSize = 0;
    if (write) open = write(text);
    else stdout += text;
    return open;
  };
  const emit = (line: string): boolean => {
    pending.push(`${line}\n`);
    pendingSize += line.length + 1;
    return pendingSize < CHUNK || flush();
  };
  for (const [i, path] of paths.entries()) {
    if (paths.length > 1 && !emit(`== ${path}`)) break;
    const kernel = new Kernel();
    try {
      runTrace(traces[i]!, kernel, emit);
    } catch (e) {
      if (!(e instanceof TraceRuntimeError)) throw e;
      flush();
      return { stdout, stderr: `${printable(path)}:${e.line}: internal error: ${(e.cause as Error)?.message ?? e.message}\n`, status: 1 };
    } finally {
      kernel.destroy();
    }
    if (!open) break;
  }
  flush();
  return { stdout, stderr: '', status: 0 };
}

/** How much output gathers before it is written. */
const CHUNK = 1 << 16;
