// Running a WASI command on a fresh kernel with the host process's stdio
// (Node: fds read and written synchronously). `splicekit exec` is this.

import { readSync, writeSync } from 'node:fs';
import { Kernel } from '../kernel.js';
import { type DirMapping, mountDirs } from './dirs.js';
import { WasiHost } from './host.js';
import { preopenNames } from './preopens.js';
import { sharedMemoryAvailable } from '../core.js';
import { bytesOf, guestMemory } from './import-memory.js';
import { TRAP_STATUS } from './status.js';
import { StdioPumps, type ByteSink, type ByteSource } from './stdio.js';

export interface ExecOptions {
  /** argv, including argv[0]. */
  args: readonly string[];
  env?: readonly string[] | Readonly<Record<string, string | undefined>>;
  /** Host fds for the guest's stdin, stdout and stderr (default 0, 1, 2). */
  stdin?: number;
  stdout?: number;
  stderr?: number;
  /** Run on this kernel (left open, for inspection) instead of a new one. */
  kernel?: Kernel;
  /** Host directories to mount and preopen, as `--dir HOST::GUEST` (see dirs.ts). */
  dirs?: readonly DirMapping[];
}

export { TRAP_STATUS };

const tiny = new Int32Array(new SharedArrayBuffer(4));
/** A non-blocking host fd answered EAGAIN: wait a moment and retry (we have no poll). */
const pause = () => Atomics.wait(tiny, 0, 0, 1);
const errCode = (e: unknown) => (e as NodeJS.ErrnoException).code;

export function fdSource(fd: number): ByteSource {
  return {
    read(max) {
      const buf = new Uint8Array(max);
      for (;;) {
        try {
          const n = readSync(fd, buf, 0, max, null);
          return n === 0 ? null : buf.subarray(0, n);
        } catch (e) {
          if (errCode(e) === 'EAGAIN') pause();
          else if (errCode(e) === 'EOF') return null;
          else throw e;
        }
      }
    },
  };
}

export function fdSink(fd: number): ByteSink {
  return {
    write(data) {
      let at = 0;
      while (at < data.length) {
        try {
          at += writeSync(fd, data, at, data.length - at);
        } catch (e) {
          if (errCode(e) === 'EAGAIN') pause();
          else if (errCode(e) === 'EPIPE') return false;
          else throw e;
        }
      }
      return true;
    },
  };
}

/**
 * Runs `wasm` (a WASI command) as a child process of the kernel's first
 * process, with the machine's directory preopened as "." at fd 3, then each
 * of `dirs`, then "/dev" (see preopens.ts), and its
 * stdio connected through pipes to this process's; returns its exit
 * status (the low 8 bits, as a native wait status). As under a shell, a
 * write to a pipe nobody reads ends it with 141 (SIGPIPE), and a trap
 * with 134 (SIGABRT: wasi-libc's abort() traps) after a line on stderr.
 */
export function execWasm(wasm: BufferSource | WebAssembly.Module, opts: ExecOptions): number {
  const k = opts.kernel ?? new Kernel();
  const stderr = fdSink(opts.stderr ?? 2);
  const pumps = new StdioPumps(k, fdSource(opts.stdin ?? 0), fdSink(opts.stdout ?? 1), stderr);
  const guest = pumps.attach();
  // Bytes are rewritten so the guest's memory is one the machine can map: vmsplice is zero-copy then.
  const own = wasm instanceof WebAssembly.Module ? undefined : guestMemory(bytesOf(wasm), sharedMemoryAvailable());
  const linear = own ? { memory: own.memory, buffer: guest.useMemory(own.memory) } : undefined;
  const host = new WasiHost(guest, { args: opts.args, env: opts.env, io: pumps, sigpipe: true, linear });
  let status = 0;
  try {
    for (const name of preopenNames(mountDirs(k, opts.dirs ?? []))) host.preopen(name);
    const module = own ? new WebAssembly.Module(own.bytes as BufferSource) : wasm instanceof WebAssembly.Module ? wasm : new WebAssembly.Module(wasm);
    const instance = new WebAssembly.Instance(module, host.imports());
    try {
      status = host.start(instance) & 0xff;
    } catch (e) {
      if (!(e instanceof WebAssembly.RuntimeError)) throw e;
      pumps.finish();
      stderr.write(new TextEncoder().encode(`splicekit: ${opts.args[0] ?? 'guest'}: trap: ${e.message}\n`));
      status = TRAP_STATUS;
    }
    // The guest's fds close as it exits; what it wrote still goes out.
    guest.terminate(status);
    pumps.finish();
    if (host.ctx.hostError !== undefined) {
      stderr.write(new TextEncoder().encode(`splicekit: host error (returned as EIO): ${String(host.ctx.hostError)}\n`));
    }
    return status;
  } finally {
    guest.terminate(status);
    if (!opts.kernel) k.destroy();
  }
}
