// Building and running the C examples both ways: natively with gcc (stdio
// made pipes by bash, as in a shell pipeline) and under splicekit exec.

import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ExecOptions, execWasm } from '../../src/wasi/exec.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const INCLUDE = join(ROOT, 'include');
export const EXAMPLES = join(ROOT, 'examples/c');

/**
 * PATH without node_modules/.bin: clang runs any `wasm-opt` it finds after
 * linking, and binaryen's there (from assemblyscript) takes seconds a file.
 */
export const CLANG_ENV = {
  ...process.env,
  PATH: (process.env.PATH ?? '')
    .split(':')
    .filter((d) => !d.includes('node_modules'))
    .join(':'),
};

function works(cmd: string, args: string[], input = ''): boolean {
  const r = spawnSync(cmd, args, { input, stdio: ['pipe', 'ignore', 'ignore'], env: CLANG_ENV });
  return r.status === 0;
}

const probe = mkdtempSync(join(tmpdir(), 'splicekit-probe-'));
/** clang with wasm32-wasi, wasi-libc and the wasm32 compiler-rt. */
export const HAVE_WASI_CLANG = works(
  'clang',
  ['--target=wasm32-wasi', '-O2', '-x', 'c', '-', '-o', join(probe, 'a.wasm')],
  '#include <stdio.h>\nint main(void){puts("x");return 0;}\n',
);
export const HAVE_GCC = works('gcc', ['-x', 'c', '-', '-o', join(probe, 'a.out')], 'int main(void){return 0;}\n') && works('bash', ['-c', 'true']);
rmSync(probe, { recursive: true, force: true });

const run = promisify(execFile);

/** Compiles SRCDIR/NAME.c with exactly the header's documented command lines (both at once). */
export async function build(name: string, dir: string, srcDir = EXAMPLES): Promise<{ native: string; wasm: string }> {
  const src = join(srcDir, `${name}.c`);
  const native = join(dir, name);
  const wasm = join(dir, `${name}.wasm`);
  await Promise.all([
    HAVE_GCC && run('gcc', ['-O2', `-I${INCLUDE}`, src, '-o', native]),
    HAVE_WASI_CLANG && run('clang', ['--target=wasm32-wasi', '-O2', `-I${INCLUDE}`, src, '-o', wasm], { env: CLANG_ENV }),
  ]);
  return { native, wasm };
}

export interface Outcome {
  stdout: string;
  stderr: string;
  status: number;
}

/**
 * Runs a native program with stdin, stdout and stderr all pipes (Node's
 * own child stdio are socketpairs, on which tee(2) and F_GETPIPE_SZ fail),
 * in an empty directory, with the default fd limit of 1024.
 */
export function runNative(prog: string, args: string[], input: Uint8Array): Outcome {
  const dir = mkdtempSync(join(tmpdir(), 'splicekit-native-'));
  try {
    const files = { in: join(dir, '.in'), out: join(dir, '.out'), err: join(dir, '.err'), status: join(dir, '.status') };
    writeFileSync(files.in, input);
    // RLIMIT_NOFILE at its default soft limit, as splicekit's processes have it.
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a bash script, whose ${...} bash expands.
    const script = 'ulimit -Sn 1024; { cat "$1" | "${@:5}" 2>&1 1>&3 3>&- | cat > "$3"; echo "${PIPESTATUS[1]}" > "$4"; } 3>&1 | cat > "$2"';
    execFileSync('bash', ['-c', script, 'bash', files.in, files.out, files.err, files.status, prog, ...args], { cwd: dir });
    return {
      stdout: readFileSync(files.out, 'latin1'),
      stderr: readFileSync(files.err, 'latin1'),
      status: Number(readFileSync(files.status, 'utf8').trim()),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs a guest under execWasm (what `splicekit exec` does) with files for its host stdio; `opts` as execWasm's (--dir, a kernel). */
export function runGuest(
  wasm: string | Uint8Array | WebAssembly.Module,
  args: string[],
  input: Uint8Array,
  opts: Pick<ExecOptions, 'dirs' | 'kernel'> = {},
): Outcome {
  const dir = mkdtempSync(join(tmpdir(), 'splicekit-guest-'));
  const paths = { in: join(dir, 'in'), out: join(dir, 'out'), err: join(dir, 'err') };
  writeFileSync(paths.in, input);
  const fds = { stdin: openSync(paths.in, 'r'), stdout: openSync(paths.out, 'w'), stderr: openSync(paths.err, 'w') };
  try {
    const bytes = typeof wasm === 'string' ? readFileSync(wasm) : wasm;
    const name = typeof wasm === 'string' ? wasm : 'guest.wasm';
    const status = execWasm(bytes, { args: [name, ...args], env: [], ...fds, ...opts });
    return { stdout: readFileSync(paths.out, 'latin1'), stderr: readFileSync(paths.err, 'latin1'), status };
  } finally {
    Object.values(fds).forEach((fd) => closeSync(fd));
    rmSync(dir, { recursive: true, force: true });
  }
}
