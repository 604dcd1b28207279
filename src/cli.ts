// The `splicekit` command line: `run FILE...` prints trace results (docs/trace-format.md);
// `exec PROG.wasm [ARGS...]` runs a WASI program (src/wasi/exec.ts).

import { InvalidArgument } from './errors.js';
import { type ExecOptions, execOptions } from './exec-options.js';
import { strerror, writeAll } from './hostfd.js';
import { Kernel } from './kernel.js';
import { runFiles, type RunResult } from './trace/files.js';
import { excerpt } from './trace/lexer.js';
import { execPipeline } from './proc/pipeline-command.js';
import { optimizeGuestCode } from './proc/tier.js';
import { execCommand } from './wasi/command.js';

export const USAGE = `usage: splicekit run FILE...   run syscall traces on the emulator
       splicekit exec [--memory SIZE] [--dir HOST[::GUEST]]... PROG.wasm [ARGS...]
                               run a WASI program with this stdio on a fresh kernel
       splicekit exec [--memory SIZE] [--pipefail] [--dir HOST[::GUEST]]... 'PROG [ARGS] | PROG [ARGS] ...'
                               run a pipeline of WASI programs, each in its own Worker
       splicekit --help        show this help

run: a trace is a script of pipe, splice, tee, vmsplice and sendfile calls
(docs/trace-format.md); each operation prints one line "LINE: RESULT", and
with several files each file's lines follow a header "== FILE". The FILE -
is standard input, named - in headers and messages (./- is a file named -).
A malformed trace runs nothing: one line "FILE:LINE: message" on standard
error, quoting at most 40 characters of any token. Exit status: 0 every
trace ran, 1 an internal error, 2 a malformed or unreadable trace or a usage
error.

exec: runs a wasm32-wasi (preview 1) command with this process's standard
input, output and error; the exit status is the program's, 134 if it traps,
141 if it writes to a pipe nobody reads. A program that cannot start is one
line "splicekit exec: PROG: message" and status 127 if PROG does not exist,
126 if it cannot run: a directory, not a WebAssembly module, not a WASI
command (no exported memory, or no _start of type () -> ()), an import
splicekit lacks or has with another type, or a module that fails to
instantiate.

exec --memory SIZE: the kernel's page pool (pipe buffers, files' pages)
starts at 32 MiB and grows on demand while the machine's memory stays
within SIZE, bytes or a number with K, M or G (KiB, MiB, GiB: 64M, 1G; at
most 2G); past it a pipe's write fails ENOMEM, as at a memory limit on
Linux, and files may hold 7/8 of it (past that ENOSPC, as a full tmpfs).
Without it the pool does not grow (the machine's memory is about 59 MiB).
A SIZE that is not one, or that is too small for the machine, is one line
and status 2.

exec's files: the program finds "." preopened (the machine's own directory,
in memory, gone when it exits) and "/dev" (null, zero and full, so
/dev/null opens by its absolute path). --dir HOST[::GUEST], as wasmtime's,
also preopens the host directory HOST as GUEST (as HOST without ::GUEST;
--dir . makes "." the current directory): what the program writes there is
on the host after it exits, read and written straight on the host's files.
A path leading out of it is refused: ENOTCAPABLE for .. past the preopen,
EPERM through a symlink. A HOST that is not a directory, or a GUEST that is
/ or in /dev or above ., is a usage error (status 2).

exec with a pipeline (one argument holding |): each program runs in its own
Worker, a process of one machine, each one's stdout the next one's stdin
through a pipe; the first reads this process's standard input, the last
writes its standard output, and every stderr goes to its standard error.
Words are split as a POSIX shell splits them (quotes, backslashes); other
operators (<, >, &&, ;) are refused (status 2). A PROG is a path (with a /,
or ending in .wasm), or NAME for NAME.wasm in a directory of SPLICEKIT_PATH
(colon-separated, as PATH; when unset, the current directory); one not found is
status 127, one that is not WebAssembly 126. Files the programs open are in
the machine's directory, shared by the pipeline, and every --dir is each
program's. The exit status is the last program's, or with --pipefail the
last non-zero one (bash's pipefail).

Standard output of run and --help: if its reader goes away (splicekit run
... | head -1), splicekit stops quietly with status 141, as a program that
SIGPIPE kills does under a shell; any other error writing it (a full disk)
prints one line "splicekit: write error: MESSAGE", as coreutils do, and
exits with status 1.
`;

/**
 * Runs the command line `argv` (without node and script) and returns what to
 * print; with `write`, a run's output goes to it as it is made instead (see
 * runFiles).
 */
export function cli(argv: readonly string[], write?: (text: string) => boolean): RunResult {
  const [command, ...args] = argv;
  if (command === '--help' || command === '-h' || command === 'help') {
    return { stdout: USAGE, stderr: '', status: 0 };
  }
  if (command === 'run' && args.length > 0) return runFiles(args, write);
  const why = command === undefined ? '' : command === 'run' ? 'splicekit run: no trace files\n' : `splicekit: unknown command ${excerpt(command)}\n`;
  return { stdout: '', stderr: why + USAGE, status: 2 };
}

/** The machine exec runs on (a pipeline's shares its memory with Workers), or why `memory` does not fit it. */
function execKernel(memory: number | undefined, pipeline: boolean): Kernel | string {
  try {
    return new Kernel(pipeline ? { shared: true, memory } : { memory });
  } catch (e) {
    if (e instanceof InvalidArgument) return `--memory ${memory}: ${e.message.replace(/^new (Kernel|Machine): /, '')}`;
    throw e;
  }
}

/** Exit status when standard output is a pipe nobody reads: a shell's for a death by SIGPIPE (128 + 13). */
export const SIGPIPE_STATUS = 141;

/**
 * Entry point for bin/splicekit.js: writes synchronously and sets exitCode
 * instead of exiting, so output is never cut short. A reader that goes
 * away (`splicekit run ... | head -1`) ends the run quietly with 141, as
 * SIGPIPE ends a C program; any other error writing standard output (a
 * full disk) is one line `splicekit: write error: MESSAGE` and status 1.
 */
export function main(argv: readonly string[] = process.argv.slice(2)): void {
  // exec streams its own stdio and returns the guest's exit status.
  if (argv[0] === 'exec') {
    const opts = execOptions(argv.slice(1));
    const args = 'error' in opts ? [] : opts.rest;
    const pipeline = args.length === 1 && args[0]!.includes('|');
    const kernel = 'error' in opts ? opts.error : execKernel(opts.memory, pipeline);
    if (typeof kernel === 'string') {
      writeAll(2, `splicekit exec: ${kernel}\n`);
      process.exitCode = 2;
      return;
    }
    const { pipefail, dirs } = opts as ExecOptions;
    optimizeGuestCode();
    if (pipeline) {
      // A pipeline: its Workers run while this thread pumps stdio; a read of a
      // terminal that nobody ends would keep the process alive, so exit.
      void execPipeline(args[0]!, { pipefail, kernel, dirs }).then((status) => process.exit(status));
      return;
    }
    process.exitCode = execCommand(args, USAGE, kernel, dirs);
    return;
  }
  let failed: string | null = null;
  const write = (text: string): boolean => {
    failed = writeAll(1, text);
    return failed === null;
  };
  const { stdout, stderr, status } = cli(argv, write);
  if (stdout && failed === null) write(stdout);
  if (failed === 'EPIPE') {
    process.exitCode = SIGPIPE_STATUS;
    return;
  }
  if (stderr) writeAll(2, stderr);
  if (failed !== null) {
    writeAll(2, `splicekit: write error: ${strerror(failed)}\n`);
    process.exitCode = 1;
    return;
  }
  process.exitCode = status;
}
