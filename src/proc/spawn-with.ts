// Processes in Workers: a guest runs in its own Worker as a process of the
// machine, its own fd table; its calls go over a channel to this thread,
// whose answers wait as Linux would, so a blocked guest really sleeps.
// However the guest ends (exit, trap, kill, its Worker terminated or
// crashed), its process ends: fds close, peers see EOF or EPIPE, its pages
// come back, and `exited` resolves.

import type { Process } from '../process.js';
import { bytesOf, guestMemory } from '../wasi/import-memory.js';
import { TRAP_STATUS } from '../wasi/status.js';
import { Channel } from './channel.js';
import { ProcessServer } from './server.js';

export interface SpawnOptions {
  args?: string[];
  env?: string[];
  /** fds of the spawning process that become the guest's 0, 1 and 2 (else /dev/null). */
  stdin?: number;
  stdout?: number;
  stderr?: number;
}

export interface Child {
  /** The guest's process on the machine. */
  process: Process;
  /**
   * The guest's exit status, once its process has ended and its fds are
   * closed: what it exited with, 134 for a trap or a crash of its Worker,
   * 137 when it was killed or its Worker terminated.
   */
  exited: Promise<number>;
  /** Why the Worker failed, when it crashed rather than ended. */
  readonly error: unknown;
  /** Ends the guest now: its Worker is terminated and its fds close, so its peers see EOF and EPIPE. */
  kill(): Promise<void>;
}

/** What a guest's Worker is started with (see guest-start.ts). */
export interface GuestStart {
  /** The program: compiled, or bytes (its memory imported) for the Worker to compile. */
  module: WebAssembly.Module | Uint8Array;
  /** The guest's memory and its space, when the machine maps its pages (see importMemory). */
  linear?: { memory: WebAssembly.Memory; space: number };
  memory: WebAssembly.Memory;
  channel: SharedArrayBuffer;
  staging: number;
  stagingSize: number;
  args: string[];
  env: string[];
}

/** A started Worker, whatever the platform calls it. */
export interface WorkerLike {
  terminate(): Promise<unknown> | void;
  /** `f` runs if the Worker fails with an error it did not catch. */
  onError(f: (e: unknown) => void): void;
  /** `f` runs when the Worker's thread is gone, however it went (where the platform says so). */
  onExit?(f: () => void): void;
}

/** 128 + SIGKILL: what a shell reports for a process that was killed. */
export const KILL_STATUS = 137;

/** Bytes a call can carry at once between the guest and the kernel. */
const STAGING = 1 << 20;

/**
 * Starts a guest. Given the program's bytes, its memory becomes the
 * host's (shared, created here) and vmsplice maps its pages; given a
 * compiled module, the guest keeps its own memory and vmsplice copies.
 */
export function spawnWith(start: (data: GuestStart) => WorkerLike, parent: Process, program: WebAssembly.Module | BufferSource, opts: SpawnOptions = {}): Child {
  if (!parent.machine.shared) throw new TypeError('spawn needs a machine on a shared memory');
  const inherit: Record<number, number> = {};
  if (opts.stdin !== undefined) inherit[0] = opts.stdin;
  if (opts.stdout !== undefined) inherit[1] = opts.stdout;
  if (opts.stderr !== undefined) inherit[2] = opts.stderr;
  const proc = parent.process(inherit);
  const server = new ProcessServer(proc, Channel.create(), STAGING);
  let worker: WorkerLike;
  try {
    const own = program instanceof WebAssembly.Module ? undefined : guestMemory(bytesOf(program), true);
    if (own) proc.useMemory(own.memory);
    worker = start({
      module: own ? own.bytes : program instanceof WebAssembly.Module ? program : bytesOf(program).slice(),
      linear: own ? { memory: own.memory, space: proc.user.linear!.space } : undefined,
      memory: parent.machine.memory, channel: server.channel.buffer, staging: server.staging.addr,
      stagingSize: STAGING, args: opts.args ?? ['guest'], env: opts.env ?? [],
    });
  } catch (e) {
    proc.terminate(TRAP_STATUS);
    throw e;
  }
  let error: unknown;
  void server.serve();
  worker.onError((e) => {
    error = e;
    proc.terminate(TRAP_STATUS);
  });
  // A Worker that is gone without its guest's exit: its process ends here.
  worker.onExit?.(() => proc.terminate(KILL_STATUS));
  return {
    process: proc,
    exited: proc.exited,
    get error() { return error; },
    async kill() {
      server.stop();
      proc.terminate(KILL_STATUS);
      await worker.terminate();
    },
  };
}
