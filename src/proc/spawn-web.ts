// spawn() for browsers: each guest in a module Web Worker (the page must be
// cross-origin isolated, for the shared memory).

import type { Process } from '../process.js';
import { spawnWith, type Child, type SpawnOptions } from './spawn-with.js';

export type { Child, SpawnOptions };

export function spawnWeb(parent: Process, program: WebAssembly.Module | BufferSource, opts: SpawnOptions = {}): Child {
  return spawnWith(
    (data) => {
      const w = new Worker(new URL('./guest-web.js', import.meta.url), { type: 'module' });
      w.postMessage(data);
      return {
        terminate: () => w.terminate(),
        onError: (f) => {
          w.onerror = (e) => f(new Error(e.message));
        },
      };
    },
    parent,
    program,
    opts,
  );
}
