// The options of `splicekit exec` before its program: --pipefail and
// --memory SIZE (the machine's memory limit; see MachineOptions.memory).

import { parseSize } from './size.js';
import { excerpt } from './trace/lexer.js';

export interface ExecOptions {
  pipefail: boolean;
  /** Bytes the machine's memory may grow to (undefined: it does not grow). */
  memory?: number;
  /** The program and its arguments, or one pipeline. */
  rest: string[];
}

/** The options at the start of `args`, or the one-line reason they are wrong. */
export function execOptions(args: readonly string[]): ExecOptions | { error: string } {
  const out: ExecOptions = { pipefail: false, rest: [] };
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--pipefail') {
      out.pipefail = true;
      continue;
    }
    if (a !== '--memory' && !a.startsWith('--memory=')) break;
    const text = a === '--memory' ? args[++i] : a.slice('--memory='.length);
    if (text === undefined) return { error: '--memory needs a SIZE (bytes, or with K, M or G: 64M, 1G)' };
    const bytes = parseSize(text);
    if (bytes === undefined) return { error: `--memory: ${excerpt(text)} is not a size (bytes, or with K, M or G: 64M, 1G)` };
    out.memory = bytes;
  }
  out.rest = args.slice(i);
  return out;
}
