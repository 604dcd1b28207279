// A pipeline of guests, run as a shell runs one: each program a process of
// one machine in its own Worker, each one's stdout the next one's stdin
// through a pipe; the first's stdin, the last's stdout and every stderr are
// pumped from and to the host while the guests run.

import { SyscallError } from '../errors.js';
import type { Kernel } from '../kernel.js';
import { lendOrReadAsync } from '../lend.js';
import type { Process } from '../process.js';
import type { Child, SpawnOptions } from './spawn-with.js';

/** Host input: some bytes, or null at its end. */
export interface AsyncSource {
  read(max: number): Promise<Uint8Array | null>;
}

/** Host output: writes all of `data`; false once nobody reads it any more. */
export interface AsyncSink {
  write(data: Uint8Array): Promise<boolean>;
}

export interface Command {
  /** The program's bytes (its memory becomes the machine's to map). */
  program: BufferSource;
  /** argv, with argv[0]. */
  args: string[];
}

/**
 * Where an end of the pipeline goes: a host stream that the machine's thread
 * pumps, or an fd of the kernel handed to the programs themselves, as a
 * shell's redirection does (`2>/dev/null`: the programs write it directly).
 */
export type PipelineEnd<T> = T | number;

export interface PipelineOptions {
  env?: string[];
  stdin: PipelineEnd<AsyncSource>;
  stdout: PipelineEnd<AsyncSink>;
  stderr: PipelineEnd<AsyncSink>;
  /** The status is the last non-zero one (bash's pipefail), not the last command's. */
  pipefail?: boolean;
  /** The kernel's directories each guest finds preopened (see SpawnOptions.preopens). */
  preopens?: readonly string[];
  /** How a guest starts (spawn in Node, spawnWeb in a browser). */
  spawn: (parent: Process, program: BufferSource, opts: SpawnOptions) => Child;
}

/** Bytes a pump moves at once. */
const CHUNK = 1 << 16;

/**
 * Runs `commands` connected by pipes on `kernel` (a machine on a shared
 * memory); resolves when every guest has exited and the output is out,
 * with the pipeline's status and each command's.
 */
export async function runPipeline(kernel: Kernel, commands: Command[], opts: PipelineOptions): Promise<PipelineResult> {
  if (commands.length === 0) throw new TypeError('a pipeline needs a command');
  const k = kernel;
  // Each end: the caller's fd (a dup, closed here once handed on), or a pipe pumped from or to the host.
  const [inR, inW] = typeof opts.stdin === 'number' ? [k.dup(opts.stdin), -1] : k.pipe();
  const [errR, errW] = typeof opts.stderr === 'number' ? [-1, k.dup(opts.stderr)] : k.pipe();
  const kids: Child[] = [];
  let stdin = inR;
  let outR = -1;
  commands.forEach((c, i) => {
    const last = i === commands.length - 1;
    const [r, w] = last && typeof opts.stdout === 'number' ? [-1, k.dup(opts.stdout)] : k.pipe();
    kids.push(opts.spawn(k, c.program, { args: c.args, env: opts.env, stdin, stdout: w, stderr: errW, preopens: opts.preopens }));
    k.close(stdin);
    k.close(w);
    if (last) outR = r;
    else stdin = r;
  });
  k.close(errW);
  if (typeof opts.stdin !== 'number') void pumpIn(k, opts.stdin, inW);
  const out = typeof opts.stdout === 'number' ? null : pumpOut(k, outR, opts.stdout);
  const err = typeof opts.stderr === 'number' ? null : pumpOut(k, errR, opts.stderr);
  const statuses = await Promise.all(kids.map((c) => c.exited));
  await Promise.all([out, err]);
  const failed = statuses.filter((s) => s !== 0);
  const status = opts.pipefail && failed.length > 0 ? failed[failed.length - 1]! : statuses[statuses.length - 1]!;
  return { status, statuses, errors: kids.map((c) => c.error) };
}

export interface PipelineResult {
  /** The pipeline's status: the last command's, or with pipefail the last non-zero one. */
  status: number;
  /** Each command's exit status. */
  statuses: number[];
  /** Why a command's Worker failed, where one did (its status is then 134). */
  errors: unknown[];
}

/** Host input into the first guest's stdin, until either ends. */
async function pumpIn(k: Kernel, source: AsyncSource, fd: number): Promise<void> {
  try {
    for (;;) {
      const chunk = await source.read(CHUNK);
      if (chunk === null) break;
      await k.async.write(fd, chunk);
    }
  } catch (e) {
    // The guest closed its stdin (EPIPE), or the machine is gone: the rest is dropped.
    if (!(e instanceof SyscallError)) throw e;
  } finally {
    if (k.describe(fd)) k.close(fd);
  }
}

/** A pipe's bytes out to the host, lent page by page (no copy where a ring is left), until EOF. */
async function pumpOut(k: Kernel, fd: number, sink: AsyncSink): Promise<void> {
  try {
    for (;;) {
      const loan = await lendOrReadAsync(k, fd, 1 << 20);
      if (loan.count === 0) break;
      let open = true;
      try {
        for (const view of loan.views) {
          open = await sink.write(view);
          if (!open) break;
        }
      } finally {
        loan.release();
      }
      // Nobody reads the host's side: the guest's next write gets EPIPE.
      if (!open) break;
    }
  } finally {
    k.close(fd);
  }
}
