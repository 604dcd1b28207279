// The options of `splicekit exec` before the program: --pipefail and
// --dir HOST[::GUEST] (repeatable; also --dir=HOST[::GUEST]), in any order.

import { type DirMapping, parseDir } from './dirs.js';

export interface ExecArgs {
  pipefail: boolean;
  dirs: DirMapping[];
  /** The program (or pipeline) and its arguments. */
  rest: string[];
}

/** The options and what follows them, or a message for a usage error. */
export function parseExecArgs(argv: readonly string[]): ExecArgs | string {
  const out: ExecArgs = { pipefail: false, dirs: [], rest: [] };
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--pipefail') out.pipefail = true;
    else if (a === '--dir' || a.startsWith('--dir=')) {
      const value = a === '--dir' ? argv[++i] : a.slice('--dir='.length);
      if (value === undefined) return '--dir needs HOST or HOST::GUEST';
      const d = parseDir(value);
      if (typeof d === 'string') return d;
      out.dirs.push(d);
    } else if (a === '--') {
      i++;
      break;
    } else break;
  }
  out.rest = argv.slice(i);
  return out;
}
