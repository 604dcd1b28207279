// Processes in Workers: a guest runs in its own Worker with its own fd table
// on the kernel's machine; its calls go over a channel to this thread, whose
// answers wait as Linux would, so a blocked guest really sleeps.

import type { Kernel } from '../kernel.js';
import { Channel } from './channel.js';
import { ProcessServer } from './server.js';

export interface SpawnOptions {
  args?: string[];
  env?: string[];
  /** fds of the spawning process that become the guest's 0, 1 and 2. */
  stdin?: number;
  stdout?: number;
  stderr?: number;
}

export interface Child {
  /** The guest's exit status, once it has exited and its fds are closed. */
  exited: Promise<number>;
  /** Ends the guest now: its fds close, so its peers see EOF and EPIPE. */
  kill(): Promise<void>;
}

/** What a guest's Worker is started with (see guest-start.ts). */
export interface GuestStart {
  module: WebAssembly.Module;
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
  onError(f: (e: unknown) => void): void;
}

/** Bytes a call can carry at once between the guest and the kernel. */
const STAGING = 1 << 20;

export function spawnWith(
  start: (data: GuestStart) => WorkerLike, kernel: Kernel, module: WebAssembly.Module, opts: SpawnOptions = {},
): Child {
  if (!kernel.shared) throw new TypeError('spawn needs a kernel on a shared memory');
  const inherit: Record<number, number> = {};
  if (opts.stdin !== undefined) inherit[0] = opts.stdin;
  if (opts.stdout !== undefined) inherit[1] = opts.stdout;
  if (opts.stderr !== undefined) inherit[2] = opts.stderr;
  const proc = kernel.process(inherit);
  const server = new ProcessServer(proc, Channel.create(), STAGING);
  const worker = start({
    module, memory: kernel.memory, channel: server.channel.buffer, staging: server.staging.addr,
    stagingSize: STAGING, args: opts.args ?? ['guest'], env: opts.env ?? [],
  });
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    server.finish();
  };
  const exited = new Promise<number>((resolve, reject) => {
    server.serve().then((status) => {
      finish();
      resolve(status);
    }, reject);
    worker.onError((e) => {
      finish();
      reject(e);
    });
  });
  return {
    exited,
    async kill() {
      await worker.terminate();
      finish();
    },
  };
}
