// `splicekit exec PROG.wasm [ARGS...]`: loads the program (wasi/load.ts),
// then execWasm with this process's stdio and environment. Statuses as a
// shell gives them: 127 for a program that does not exist, 126 for one
// that cannot run (not a WASI command we can link, say), 2 for a usage
// error; each is one line `splicekit exec: PROG: message`.

import { printable, writeAll } from '../hostfd.js';
import type { Kernel } from '../kernel.js';
import type { DirMapping } from './dirs.js';
import { findProgram } from '../proc/pipeline-command.js';
import { execWasm } from './exec.js';
import { NotACommand } from './host.js';
import { loadCommand, NOT_EXECUTABLE, v8Message } from './load.js';
import { TRAP_STATUS } from './status.js';

export function execCommand(args: readonly string[], usage: string, kernel?: Kernel, dirs: readonly DirMapping[] = []): number {
  const [prog, ...rest] = args;
  const say = (msg: string) => writeAll(2, `splicekit exec: ${msg}\n`);
  if (prog === undefined) {
    writeAll(2, `splicekit exec: no program\n${usage}`);
    return 2;
  }
  // NAME alone is NAME.wasm in SPLICEKIT_PATH, as in a pipeline.
  const loaded = loadCommand(findProgram(prog) ?? prog);
  if ('status' in loaded) {
    say(`${printable(prog)}: ${loaded.message}`);
    return loaded.status;
  }
  try {
    // The bytes, not the compiled module: its memory becomes the machine's to map (zero-copy vmsplice).
    return execWasm(loaded.bytes, { args: [prog, ...rest], env: process.env, kernel, dirs });
  } catch (e) {
    // loadCommand checked what it can; instantiating can still fail (a data
    // segment out of bounds), and a start function or a stack overflow can trap.
    if (
      e instanceof WebAssembly.LinkError ||
      e instanceof NotACommand ||
      (e instanceof WebAssembly.RuntimeError && /^WebAssembly\.Instance\(\)/.test(e.message))
    ) {
      say(`${printable(prog)}: cannot instantiate: ${v8Message(e)}`);
      return NOT_EXECUTABLE;
    }
    if (e instanceof WebAssembly.RuntimeError || (e instanceof RangeError && /call stack size/.test(e.message))) {
      writeAll(2, `splicekit: ${printable(prog)}: trap: ${v8Message(e)}\n`);
      return TRAP_STATUS;
    }
    throw e;
  }
}
