// spawn() for Node: each guest in a worker_threads Worker.

import { Worker } from 'node:worker_threads';
import type { Process } from '../process.js';
import { spawnWith, type Child, type SpawnOptions } from './spawn-with.js';

export type { Child, SpawnOptions };

export function spawn(parent: Process, program: WebAssembly.Module | BufferSource, opts: SpawnOptions = {}): Child {
  return spawnWith((workerData) => {
    const w = new Worker(new URL('./guest-node.js', import.meta.url), { workerData });
    return {
      terminate: () => w.terminate(),
      onError: (f) => w.once('error', f),
      onExit: (f) => w.once('exit', f),
    };
  }, parent, program, opts);
}
