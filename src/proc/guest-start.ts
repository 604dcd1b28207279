// What a guest's Worker runs, on any platform: a WASI host over the remote
// process; the guest's blocking calls sleep until the kernel's thread answers.

import { useCoreModule } from '../core.js';
import { TRAP_STATUS } from '../wasi/status.js';
import { WasiHost } from '../wasi/host.js';
import { Channel } from './channel.js';
import { LocalCalls } from './local.js';
import { RemoteProcess } from './remote.js';
import type { GuestStart } from './spawn-with.js';
import type { UserBuffer } from '../types.js';

/**
 * Runs the guest to its end; returns its exit status (already reported to
 * the kernel). `learn` fetches the process memories made since the guest
 * started, or says this thread cannot (see LocalCalls).
 */
export function runGuest(start: GuestStart, learn: () => [number, WebAssembly.Memory][] | false = () => false): number {
  useCoreModule(true, start.core);
  const local = new LocalCalls(start.local, start.memory, start.pages, start.linear, { addr: start.staging, size: start.stagingSize }, learn);
  const remote = new RemoteProcess(new Channel(start.channel), start.memory, start.staging, start.stagingSize, local);
  let status: number;
  try {
    const host = new WasiHost(remote, { args: start.args, env: start.env, sigpipe: true, linear: linear(start) });
    for (const name of start.preopens) host.preopen(name);
    const module = start.module instanceof WebAssembly.Module ? start.module : new WebAssembly.Module(start.module as BufferSource);
    const instance = new WebAssembly.Instance(module, host.imports());
    status = host.start(instance) & 0xff;
  } catch (e) {
    if (!(e instanceof WebAssembly.RuntimeError)) throw e;
    status = TRAP_STATUS;
  }
  remote.exit(status);
  return status;
}

/** The guest's memory as iovecs name it: the process's linear memory, in the machine's space `space`. */
function linear(start: GuestStart): { memory: WebAssembly.Memory; buffer: UserBuffer } | undefined {
  if (!start.linear) return undefined;
  const { memory, space } = start.linear;
  return {
    memory,
    buffer: {
      addr: 0,
      space,
      get length() {
        return memory.buffer.byteLength;
      },
      get bytes() {
        return new Uint8Array(memory.buffer);
      },
    },
  };
}
