// spawn() for Node: each guest in a worker_threads Worker, whose entry is
// guest-node.ts bundled into one file by the build.

import { MessageChannel, Worker } from 'node:worker_threads';
import type { Process } from '../process.js';
import { spawnWith, type Child, type SpawnOptions } from './spawn-with.js';

export type { Child, SpawnOptions };

export function spawn(parent: Process, program: WebAssembly.Module | BufferSource, opts: SpawnOptions = {}): Child {
  return spawnWith(
    (start) => {
      // New process memories reach the guest's thread on a port it reads while it runs.
      const { port1, port2 } = new MessageChannel();
      const w = new Worker(new URL('./guest-node.bundle.js', import.meta.url), { workerData: { start, spaces: port2 }, transferList: [port2] });
      return {
        terminate: () => w.terminate(),
        onError: (f) => w.once('error', f),
        onExit: (f) => w.once('exit', f),
        spaces: port1,
      };
    },
    parent,
    program,
    opts,
  );
}
