// Kernel: the convenient façade, a machine and its first process in one
// object. Its syscalls are the first process's (see process.ts and the
// syscall table); the machine's own operations (the clock, accounting,
// snapshots, destroy) are here too. Calls never wait: where Linux would
// sleep they throw WouldBlock (or return the partial count moved), and
// `kernel.async` has the awaitable forms.

import { InvalidArgument } from './errors.js';
import type { HostDirectory } from './files/hostdir.js';
import { normalizeMountPoint } from './path.js';
import { Machine, MACHINE_OPTIONS, type MachineOptions } from './machine.js';
import { checkOptions } from './options.js';
import { Process, type ProcessOptions } from './process.js';
import { takeSnapshot, type KernelSnapshot } from './snapshot.js';
import type { KernelStats } from './types.js';

export type KernelOptions = MachineOptions & Pick<ProcessOptions, 'nofile'>;

export class Kernel extends Process {
  constructor(opts: KernelOptions = {}) {
    checkOptions('new Kernel', opts, [...MACHINE_OPTIONS, 'nofile']);
    const { nofile, ...machine } = opts;
    super(new Machine(machine), { nofile });
  }

  get memory(): WebAssembly.Memory {
    return this.machine.memory;
  }
  get shared(): boolean {
    return this.machine.shared;
  }
  /** The shared zero page (see MachineOptions.sharedZeroPage). */
  get zeroPage(): number {
    return this.machine.zeroPage;
  }

  /**
   * Mounts a host directory (`nodeDirectory(hostPath)` from splicekit/node)
   * at `point`: "." replaces the machine's own directory, "out" or "a/b" are
   * names in it, "/x/y" an absolute path. Every process of the machine sees
   * it; its files are the host's (see README: mounted directories).
   */
  mount(point: string, dir: HostDirectory): void {
    const key = typeof point === 'string' ? normalizeMountPoint(point) : undefined;
    if (key === undefined) throw new InvalidArgument('mount', `cannot mount at ${JSON.stringify(point)}`);
    if (typeof dir?.open !== 'function' || typeof dir.unlink !== 'function') throw new InvalidArgument('mount', 'dir is not a HostDirectory');
    this.machine.mounts.set(key, dir);
  }

  /** Advances the machine's clock: acknowledgements now due arrive and release their pages. */
  tick(ms = 0): void {
    this.machine.tick(ms);
  }

  /** After a change made outside a syscall: deliver completions, wake waiters. */
  settle(): void {
    this.machine.settle();
  }

  /** Pool pages, this process's open fds, and machine-wide counts. */
  stats(): KernelStats {
    return { ...this.machine.stats(), openFiles: this.fds.size };
  }

  /** The whole state as plain data: rings and slots, pages and their holders, every process's fds. */
  snapshot(): KernelSnapshot {
    return takeSnapshot(this.machine, this);
  }

  /**
   * Ends every process (this one too), revokes pipe ends held by other
   * threads, drops every file: the pool is whole again.
   */
  destroy(): void {
    this.machine.destroy();
  }
}
