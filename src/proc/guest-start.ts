// What a guest's Worker runs, on any platform: a WASI host over the remote
// process; the guest's blocking calls sleep until the kernel's thread answers.

import { TRAP_STATUS } from '../wasi/status.js';
import { WasiHost } from '../wasi/host.js';
import { Channel } from './channel.js';
import { RemoteProcess } from './remote.js';
import type { GuestStart } from './spawn-with.js';

/** Runs the guest to its end; returns its exit status (already reported to the kernel). */
export function runGuest(start: GuestStart): number {
  const remote = new RemoteProcess(new Channel(start.channel), start.memory, start.staging, start.stagingSize);
  let status: number;
  try {
    const host = new WasiHost(remote, { args: start.args, env: start.env, sigpipe: true });
    host.preopen('.');
    const instance = new WebAssembly.Instance(start.module, host.imports());
    status = host.start(instance) & 0xff;
  } catch (e) {
    if (!(e instanceof WebAssembly.RuntimeError)) throw e;
    status = TRAP_STATUS;
  }
  remote.exit(status);
  return status;
}
