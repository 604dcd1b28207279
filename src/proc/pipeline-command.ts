// `splicekit exec 'PROG [ARGS] | PROG [ARGS] ...'`: a pipeline of WASI
// programs, each in its own Worker, with this process's stdio at its ends.
// Words are split as a POSIX shell splits them (quotes, backslashes; shell-quote
// does it); operators other than `|` are refused.

import { existsSync, fstatSync, readFileSync, statSync, read, write } from 'node:fs';
import { delimiter, join } from 'node:path';
import { parse } from 'shell-quote';
import { O_RDONLY, O_WRONLY } from '../constants.js';
import { Kernel } from '../kernel.js';
import { runPipeline, type AsyncSink, type AsyncSource, type Command } from './pipeline.js';
import { spawn } from './spawn.js';
import { type DirMapping, mountDirs } from '../wasi/dirs.js';
import { preopenNames } from '../wasi/preopens.js';

const say = (msg: string) => process.stderr.write(`splicekit exec: ${msg}\n`);

/** The words of each command of a pipeline, or a message saying what is wrong with it. */
export function pipelineWords(text: string): string[][] | string {
  const commands: string[][] = [[]];
  for (const t of parse(text)) {
    if (typeof t === 'string') commands[commands.length - 1]!.push(t);
    else if ('comment' in t) break;
    else if ('op' in t && t.op === '|') commands.push([]);
    else return `'${'op' in t ? t.op : String(t)}' is not supported here (only |)`;
  }
  if (commands.some((c) => c.length === 0)) return 'an empty command in the pipeline';
  return commands;
}

/**
 * A command's program: a path (with a /, or ending in .wasm), or NAME.wasm
 * in a directory of SPLICEKIT_PATH (colon-separated, as PATH; when it is
 * unset, the current directory).
 */
export function findProgram(word: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const isFile = (f: string) => existsSync(f) && statSync(f).isFile();
  if (word.includes('/') || word.endsWith('.wasm')) return isFile(word) ? word : undefined;
  const dirs = env.SPLICEKIT_PATH === undefined ? ['.'] : env.SPLICEKIT_PATH.split(delimiter).filter((d) => d !== '');
  return dirs.map((d) => join(d, `${word}.wasm`)).find(isFile);
}

const again = (e: NodeJS.ErrnoException | null) => e?.code === 'EAGAIN';
const pause = () => new Promise((r) => setTimeout(r, 2));

/** A host fd read without blocking this thread (the machine's calls are served meanwhile). */
export function fdSourceAsync(fd: number): AsyncSource {
  return {
    read(max) {
      const buf = new Uint8Array(max);
      return new Promise((resolve, reject) => {
        const go = () =>
          read(fd, buf, 0, max, null, (e, n) => {
            if (again(e)) void pause().then(go);
            else if (e?.code === 'EOF' || (!e && n === 0)) resolve(null);
            else if (e) reject(e);
            else resolve(buf.subarray(0, n));
          });
        go();
      });
    },
  };
}

/** A host fd written without blocking this thread; false once its reader is gone (EPIPE). */
export function fdSinkAsync(fd: number): AsyncSink {
  return {
    write(data) {
      return new Promise((resolve, reject) => {
        let at = 0;
        const go = () =>
          write(fd, data, at, data.length - at, null, (e, n) => {
            if (again(e)) void pause().then(go);
            else if (e?.code === 'EPIPE') resolve(false);
            else if (e) reject(e);
            else {
              at += n;
              if (at < data.length) go();
              else resolve(true);
            }
          });
        go();
      });
    },
  };
}

/** Linux's /dev/null: character device 1:3 (Documentation/admin-guide/devices.txt). */
const DEV_NULL_RDEV = (1 << 8) | 3;

/** Whether host fd `fd` is /dev/null, so that the programs can use the machine's instead of a pump. */
function isDevNull(fd: number): boolean {
  try {
    const st = fstatSync(fd);
    return process.platform === 'linux' && st.isCharacterDevice() && st.rdev === DEV_NULL_RDEV;
  } catch {
    return false;
  }
}

/**
 * Runs the pipeline `text` with this process's stdio; resolves with its
 * exit status: the last command's (or with `pipefail` the last non-zero
 * one), 127 when a program cannot be found or read, 126 when one is not a
 * WebAssembly module, 2 for a malformed pipeline.
 */
export async function execPipeline(text: string, opts: { pipefail?: boolean; kernel?: Kernel; dirs?: readonly DirMapping[] } = {}): Promise<number> {
  const words = pipelineWords(text);
  if (typeof words === 'string') {
    say(words);
    return 2;
  }
  const commands: Command[] = [];
  for (const [word, ...args] of words) {
    const file = findProgram(word!);
    if (!file) {
      say(`${word}: not found (a .wasm file, or NAME.wasm in SPLICEKIT_PATH, by default here)`);
      return 127;
    }
    const program = readFileSync(file);
    if (!WebAssembly.validate(program)) {
      say(`${file}: not a WebAssembly module`);
      return 126;
    }
    commands.push({ program, args: [word!, ...args] });
  }
  const k = opts.kernel ?? new Kernel({ shared: true });
  try {
    const env = Object.entries(process.env).flatMap(([n, v]) => (v === undefined ? [] : [`${n}=${v}`]));
    // An end that is /dev/null on the host is the machine's /dev/null: the programs write it themselves.
    const preopens = preopenNames(mountDirs(k, opts.dirs ?? []));
    const { status, errors } = await runPipeline(k, commands, {
      env,
      pipefail: opts.pipefail,
      spawn,
      preopens,
      stdin: isDevNull(0) ? k.open('/dev/null', O_RDONLY) : fdSourceAsync(0),
      stdout: isDevNull(1) ? k.open('/dev/null', O_WRONLY) : fdSinkAsync(1),
      stderr: isDevNull(2) ? k.open('/dev/null', O_WRONLY) : fdSinkAsync(2),
    });
    errors.forEach((e, i) => {
      if (e !== undefined) say(`${commands[i]!.args[0]}: ${e instanceof Error ? e.message : String(e)}`);
    });
    return status;
  } finally {
    k.destroy();
  }
}
