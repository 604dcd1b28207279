// The options of `splicekit exec` before its program, in any order:
// --pipefail, --memory SIZE (the machine's memory limit; see
// MachineOptions.memory) and --dir HOST[::GUEST] (repeatable; as
// wasmtime's), each also as --opt=VALUE.

import { parseSize } from './size.js';
import { excerpt } from './trace/lexer.js';
import { type DirMapping, parseDir } from './wasi/dirs.js';

export interface ExecOptions {
  pipefail: boolean;
  /** Bytes the machine's memory may grow to (undefined: it does not grow). */
  memory?: number;
  /** Host directories to mount and preopen. */
  dirs: DirMapping[];
  /** The program and its arguments, or one pipeline. */
  rest: string[];
}

const UNITS = '(bytes, or with K, M or G: 64M, 1G)';

/** The options at the start of `args`, or the one-line reason they are wrong. */
export function execOptions(args: readonly string[]): ExecOptions | { error: string } {
  const out: ExecOptions = { pipefail: false, dirs: [], rest: [] };
  /** The value of option `name` at args[i] (`--name V` or `--name=V`), and where it ends. */
  const value = (name: string, i: number): [string | undefined, number] => (args[i] === name ? [args[i + 1], i + 1] : [args[i]!.slice(name.length + 1), i]);
  const is = (a: string, name: string) => a === name || a.startsWith(`${name}=`);
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--pipefail') out.pipefail = true;
    else if (is(a, '--memory')) {
      const [text, end] = value('--memory', i);
      i = end;
      if (text === undefined) return { error: `--memory needs a SIZE ${UNITS}` };
      const bytes = parseSize(text);
      if (bytes === undefined) return { error: `--memory: ${excerpt(text)} is not a size ${UNITS}` };
      out.memory = bytes;
    } else if (is(a, '--dir')) {
      const [text, end] = value('--dir', i);
      i = end;
      if (text === undefined) return { error: '--dir needs HOST or HOST::GUEST' };
      const d = parseDir(text);
      if (typeof d === 'string') return { error: d };
      out.dirs.push(d);
    } else if (a === '--') {
      i++;
      break;
    } else if (a.startsWith('--')) return { error: `unknown option ${excerpt(a)}` };
    else break;
  }
  out.rest = args.slice(i);
  return out;
}
