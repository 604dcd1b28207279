// splicekit's Node-only additions: processes in Workers, fds as Node streams.

export * from './index.js';
export { spawn, type Child, type SpawnOptions } from './proc/spawn.js';
export { optimizeGuestCode } from './proc/tier.js';
export { nodeReadableOf, nodeWritableOf } from './node-streams.js';
export { nodeDirectory } from './node-directory.js';
