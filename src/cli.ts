// The `splicekit` command line: `run FILE...` prints trace results (docs/trace-format.md);
// `exec PROG.wasm [ARGS...]` runs a WASI program (src/wasi/exec.ts).

import { runFiles, type RunResult } from './trace/files.js';
import { execCommand } from './wasi/command.js';

export const USAGE = `usage: splicekit run FILE...   run syscall traces on the emulator
       splicekit exec PROG.wasm [ARGS...]
                               run a WASI program with this stdio on a fresh kernel
       splicekit --help        show this help

run: a trace is a script of pipe, splice, tee, vmsplice and sendfile calls
(docs/trace-format.md); each operation prints one line "LINE: RESULT", and
with several files each file's lines follow a header "== FILE". The FILE -
is standard input, named - in headers and messages (./- is a file named -).
A malformed trace runs nothing: one line "FILE:LINE: message" on standard
error, quoting at most 40 characters of any token. Exit status: 0 every
trace ran, 1 an internal error, 2 a malformed or unreadable trace or a usage
error.
`;

/** Runs the command line `argv` (without node and script) and returns what to print. */
export function cli(argv: readonly string[]): RunResult {
  const [command, ...args] = argv;
  if (command === '--help' || command === '-h' || command === 'help') {
    return { stdout: USAGE, stderr: '', status: 0 };
  }
  if (command === 'run' && args.length > 0) return runFiles(args);
  const why = command === undefined ? '' : command === 'run' ? 'splicekit run: no trace files\n' : `splicekit: unknown command '${command}'\n`;
  return { stdout: '', stderr: why + USAGE, status: 2 };
}

/** Entry point for bin/splicekit.js: sets exitCode instead of exiting so output is never cut short. */
export function main(argv: readonly string[] = process.argv.slice(2)): void {
  // exec streams its own stdio and returns the guest's exit status.
  if (argv[0] === 'exec') {
    process.exitCode = execCommand(argv.slice(1), USAGE);
    return;
  }
  const { stdout, stderr, status } = cli(argv);
  if (stdout) process.stdout.write(stdout);
  if (stderr) process.stderr.write(stderr);
  process.exitCode = status;
}
