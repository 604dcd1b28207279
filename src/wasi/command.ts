// `splicekit exec PROG.wasm [ARGS...]`: reads and compiles the program,
// then execWasm with this process's stdio and environment. Statuses as a
// shell gives them: 127 for a program that cannot be read, 126 for one
// that is not a WASI command we can link, 2 for a usage error.

import { readFileSync, writeSync } from 'node:fs';
import { execWasm } from './exec.js';
import { NotACommand } from './host.js';

export function execCommand(args: readonly string[], usage: string): number {
  const [prog, ...rest] = args;
  const say = (msg: string) => writeSync(2, `splicekit exec: ${msg}\n`);
  if (prog === undefined) {
    writeSync(2, `splicekit exec: no program\n${usage}`);
    return 2;
  }
  let module: WebAssembly.Module;
  try {
    module = new WebAssembly.Module(readFileSync(prog));
  } catch (e) {
    say(`${prog}: ${(e as Error).message}`);
    return e instanceof WebAssembly.CompileError ? 126 : 127;
  }
  try {
    return execWasm(module, { args: [prog, ...rest], env: process.env });
  } catch (e) {
    // LinkError (an import we lack) or no _start/memory: not a WASI command for us.
    if (e instanceof WebAssembly.LinkError || e instanceof NotACommand) {
      say(`${prog}: ${e.message}`);
      return 126;
    }
    throw e;
  }
}
