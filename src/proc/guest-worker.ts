// The entry of a guest's Worker: a WASI host over the remote kernel; the
// guest's blocking calls sleep here until the kernel's thread answers.

import { parentPort, workerData } from 'node:worker_threads';
import type { Kernel } from '../kernel.js';
import { TRAP_STATUS } from '../wasi/exec.js';
import { WasiHost } from '../wasi/host.js';
import { Channel } from './channel.js';
import { RemoteKernel } from './remote.js';

interface GuestStart {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  channel: SharedArrayBuffer;
  staging: number;
  stagingSize: number;
  args: string[];
  env: string[];
}

const start = workerData as GuestStart;
const remote = new RemoteKernel(new Channel(start.channel), start.memory, start.staging, start.stagingSize);
let status: number;
try {
  const host = new WasiHost(remote as unknown as Kernel, { args: start.args, env: start.env, sigpipe: true });
  host.preopen('.');
  const instance = new WebAssembly.Instance(start.module, host.imports());
  status = host.start(instance) & 0xff;
} catch (e) {
  if (!(e instanceof WebAssembly.RuntimeError)) throw e;
  status = TRAP_STATUS;
}
remote.exit(status);
parentPort?.postMessage({ status });
