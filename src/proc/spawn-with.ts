// Processes in Workers: a guest runs in its own Worker as a process of the
// machine, its own fd table; its calls go over a channel to this thread,
// whose answers wait as Linux would, so a blocked guest really sleeps.
// However the guest ends (exit, trap, kill, its Worker terminated or
// crashed), its process ends: fds close, peers see EOF or EPIPE, its pages
// come back, and `exited` resolves.

import { coreModule } from '../core.js';
import type { Process } from '../process.js';
import { bytesOf, guestMemory } from '../wasi/import-memory.js';
import { DEFAULT_PREOPENS } from '../wasi/preopens.js';
import { TRAP_STATUS } from '../wasi/status.js';
import { Channel } from './channel.js';
import type { LocalStart } from './local.js';
import { ProcessServer } from './server.js';

export interface SpawnOptions {
  args?: string[];
  env?: string[];
  /** fds of the spawning process that become the guest's 0, 1 and 2 (else /dev/null). */
  stdin?: number;
  stdout?: number;
  stderr?: number;
  /** The kernel's directories preopened for the guest, from fd 3 (default ".", "/dev": see wasi/preopens.ts). */
  preopens?: readonly string[];
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
  /** The core, compiled once by the machine's thread (a Worker need not decode and compile it again). */
  core: WebAssembly.Module;
  /** Address of the machine's pool page 0. */
  pages: number;
  /** What the guest's thread needs to run pipe calls itself (see local.ts). */
  local: LocalStart;
  channel: SharedArrayBuffer;
  staging: number;
  stagingSize: number;
  args: string[];
  env: string[];
  preopens: readonly string[];
}

/** A started Worker, whatever the platform calls it. */
export interface WorkerLike {
  // biome-ignore lint/suspicious/noConfusingVoidType: a browser Worker's terminate() returns void, Node's a promise.
  terminate(): Promise<unknown> | void;
  /** `f` runs if the Worker fails with an error it did not catch. */
  onError(f: (e: unknown) => void): void;
  /** `f` runs when the Worker's thread is gone, however it went (where the platform says so). */
  onExit?(f: () => void): void;
  /**
   * Where the guest's thread is told of process memories made after it
   * started, and can learn them while it runs (Node: a MessagePort it
   * reads with receiveMessageOnPort). Without it, the thread reads pages
   * of memories it does not know through the machine's thread.
   */
  spaces?: { postMessage(m: unknown): void; close(): void };
}

/** 128 + SIGKILL: what a shell reports for a process that was killed. */
export const KILL_STATUS = 137;

/** Bytes a call can carry at once between the guest and the kernel. */
const STAGING = 1 << 20;
/** Slots of the guest thread's own ring for reads: a pipe's most (1 MiB). */
const SCRATCH_SLOTS = 256;

/**
 * Starts a guest. Given the program's bytes, its memory becomes the
 * host's (shared, created here) and vmsplice maps its pages; given a
 * compiled module, the guest keeps its own memory and vmsplice copies.
 */
export function spawnWith(
  start: (data: GuestStart) => WorkerLike,
  parent: Process,
  program: WebAssembly.Module | BufferSource,
  opts: SpawnOptions = {},
): Child {
  if (!parent.machine.shared) throw new TypeError('spawn needs a machine on a shared memory');
  const inherit: Record<number, number> = {};
  if (opts.stdin !== undefined) inherit[0] = opts.stdin;
  if (opts.stdout !== undefined) inherit[1] = opts.stdout;
  if (opts.stderr !== undefined) inherit[2] = opts.stderr;
  const m = parent.machine;
  const proc = parent.process(inherit);
  const server = new ProcessServer(proc, Channel.create(), STAGING);
  // The guest's thread runs pipe calls itself: a ring of its own for reads, a thread id, the fd mirror.
  m.useThreads();
  const scratch = m.check('spawn', m.core.ringNew(SCRATCH_SLOTS));
  const local: LocalStart = {
    mirror: proc.useMirror().buffer,
    nofile: proc.fds.limit,
    scratch,
    tid: m.core.newThreadId(),
    spaces: m.spaces.entries(),
    spaceGen: m.spaceGen.buffer as SharedArrayBuffer,
    zeroPage: m.zeroPage,
    sharedZeroPage: m.sharedZeroPage,
  };
  let worker: WorkerLike | undefined;
  // Once the guest's thread is gone: its locks and its ring go too (a Worker killed mid-call may hold a lock).
  let cleaned = false;
  const cleanup = () => {
    if (cleaned) return;
    cleaned = true;
    m.core.releaseLocksOf(local.tid);
    m.core.ringFree(scratch);
    if (worker?.spaces) {
      m.unlistenSpaces(worker.spaces);
      worker.spaces.close();
    }
    m.settle();
  };
  try {
    const own = program instanceof WebAssembly.Module ? undefined : guestMemory(bytesOf(program), true);
    if (own) proc.useMemory(own.memory);
    local.spaces = m.spaces.entries();
    worker = start({
      module: own ? own.bytes : program instanceof WebAssembly.Module ? program : bytesOf(program).slice(),
      linear: own ? { memory: own.memory, space: proc.user.linear!.space } : undefined,
      memory: m.memory,
      core: coreModule(true),
      pages: m.pages,
      local,
      channel: server.channel.buffer,
      staging: server.staging.addr,
      stagingSize: STAGING,
      args: opts.args ?? ['guest'],
      env: opts.env ?? [],
      preopens: opts.preopens ?? DEFAULT_PREOPENS,
    });
  } catch (e) {
    proc.terminate(TRAP_STATUS);
    cleanup();
    throw e;
  }
  const w = worker;
  if (w.spaces) m.listenSpaces(w.spaces);
  let error: unknown;
  void server.serve();
  w.onError((e) => {
    error = e;
    proc.terminate(TRAP_STATUS);
    cleanup();
  });
  // A Worker that is gone without its guest's exit: its process ends here.
  w.onExit?.(() => {
    proc.terminate(KILL_STATUS);
    cleanup();
  });
  // A guest that exits makes no more calls: its ring can go.
  void proc.exited.then(() => {
    if (!w.onExit) cleanup();
  });
  return {
    process: proc,
    exited: proc.exited,
    get error() {
      return error;
    },
    async kill() {
      server.stop();
      await w.terminate();
      proc.terminate(KILL_STATUS);
      cleanup();
    },
  };
}
