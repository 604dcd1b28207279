// WasiHost: a wasi_snapshot_preview1 host (plus the `splicekit` module)
// over a Kernel. WASI fds are the kernel's fds.
//
// Blocking: the guest runs synchronously on the caller's thread, and the
// kernel's calls never wait. A call that would wait first asks HostIo to
// move data (the exec pumps do), and otherwise returns EAGAIN (WASI errno 6,
// Linux -11). Waiting for another party needs JSPI or a Worker: later.

import { O_RDONLY } from '../constants.js';
import type { SyscallName } from '../syscalls/table.js';
import type { UserBuffer } from '../types.js';
import { clockCalls } from './clock.js';
import { ProcExit, WasiContext, type GuestProcess, type HostIo } from './context.js';
import { fdCalls } from './fd.js';
import { pathCalls } from './path.js';
import { pollCalls } from './poll.js';
import { procCalls } from './proc.js';
import { splicekitCalls } from './splicekit.js';
import { statCalls } from './stat.js';
import { unsupportedCalls } from './unsupported.js';

/**
 * How each syscall-table call reaches a guest (checked by
 * test/syscalls.test.ts): through a wasi_snapshot_preview1 function, through
 * the `splicekit` module (wasi/splicekit.ts, GUEST_IMPORTS), or as the host's
 * own tool: a guest's memory is its own, so user memory and loans of pages
 * are what the host uses to carry its bytes.
 */
export const GUEST_REACH = {
  preview1: ['open', 'close', 'read', 'write', 'writeMore', 'lseek', 'poll', 'unlink', 'describe', 'dup2', 'fcntl', 'ioctl'],
  host: ['alloc', 'free', 'touch', 'readInto', 'fionread', 'isReleased', 'exit'],
} as const satisfies Record<string, readonly SyscallName[]>;

/** JSPI (WebAssembly's JS promise integration), where the runtime has it. */
interface JspiApi {
  Suspending: new (f: (...a: number[]) => unknown) => WebAssembly.ImportValue;
  promising: (f: () => void) => () => Promise<unknown>;
}

/** The WebAssembly namespace with JSPI's members, which TypeScript's lib does not declare yet. */
const wasm = WebAssembly as typeof WebAssembly & Partial<JspiApi>;

/** Whether this runtime can suspend a guest on a promise (JSPI). */
export function hasJspi(): boolean {
  return typeof wasm.Suspending === 'function';
}

/** JSPI's members, where the runtime has them. */
export function jspi(): JspiApi {
  if (!wasm.Suspending || !wasm.promising) throw new TypeError('this runtime has no JSPI (WebAssembly.Suspending)');
  return { Suspending: wasm.Suspending, promising: wasm.promising };
}

/** The module is not a WASI command: no memory or no `_start` export. */
export class NotACommand extends TypeError {
  constructor(what: string) {
    super(`the module exports no ${what}`);
    this.name = 'NotACommand';
  }
}

export interface WasiOptions {
  /** argv, including argv[0]. */
  args?: readonly string[];
  /** The environment as "NAME=value" strings or a record. */
  env?: readonly string[] | Readonly<Record<string, string | undefined>>;
  /** The owner of the other ends of the guest's pipes (see HostIo). */
  io?: HostIo;
  /** EPIPE on a write kills the guest (status 141) as SIGPIPE would; default false: EPIPE is returned. */
  sigpipe?: boolean;
  /**
   * The guest's memory, made the host's (see importMemory): the module
   * imports it as env.memory, and `buffer` (from the process's useMemory)
   * stands for it in iovecs, so vmsplice maps the guest's own pages.
   * Without it the guest's memory is its own and vmsplice copies.
   */
  linear?: { memory: WebAssembly.Memory; buffer: UserBuffer };
}

export class WasiHost {
  readonly ctx: WasiContext;
  private readonly linear: WebAssembly.Memory | undefined;
  private readonly args: readonly string[];
  private readonly env: readonly string[];

  constructor(
    readonly kernel: GuestProcess,
    opts: WasiOptions = {},
  ) {
    this.ctx = new WasiContext(kernel, opts.io, opts.sigpipe, opts.linear?.buffer);
    this.linear = opts.linear?.memory;
    this.args = opts.args ?? [];
    const env = opts.env ?? [];
    this.env = Array.isArray(env) ? env : Object.entries(env as Record<string, string | undefined>).flatMap(([k, v]) => (v === undefined ? [] : [`${k}=${v}`]));
  }

  /**
   * Opens the kernel's directory `name` ("." the machine's own, "/dev",
   * a mount point) and offers it to the guest as a preopen of that name:
   * wasi-libc resolves a path by the preopen with the longest matching
   * prefix, so "/dev/null" goes to the "/dev" preopen.
   */
  preopen(name = '.'): number {
    const fd = this.kernel.open(name, O_RDONLY);
    this.ctx.preopens.set(fd, name);
    this.ctx.dirs.set(fd, name);
    return fd;
  }

  /** The import object for WebAssembly.instantiate. */
  imports(): WebAssembly.Imports {
    const c = this.ctx;
    return {
      wasi_snapshot_preview1: {
        ...procCalls(c, this.args, this.env),
        ...clockCalls(c),
        ...fdCalls(c),
        ...statCalls(c),
        ...pathCalls(c),
        ...pollCalls(c),
        ...unsupportedCalls(),
      },
      splicekit: splicekitCalls(c),
      ...(this.linear ? { env: { memory: this.linear } } : {}),
    };
  }

  /**
   * The imports for JSPI (WebAssembly.Suspending): a call that would wait
   * suspends the guest until the kernel changes, then runs again, so guests
   * in one thread block as on Linux; other calls return at once.
   */
  suspendingImports(): WebAssembly.Imports {
    const { ctx } = this;
    const kernel = this.kernel;
    if (!kernel.changed) throw new TypeError('suspendingImports needs a process of this thread (one that has changed())');
    const changed = kernel.changed.bind(kernel);
    const wrap = (f: (...a: number[]) => number) => {
      const retry = async (a: number[]): Promise<number> => {
        for (;;) {
          await changed();
          ctx.blocked = false;
          const r = f(...a);
          if (!ctx.blocked) return r;
        }
      };
      return new (jspi().Suspending)((...a: number[]) => {
        ctx.blocked = false;
        const r = f(...a);
        return ctx.blocked ? retry(a) : r;
      });
    };
    const out: WebAssembly.Imports = {};
    // Functions only: an imported memory (env.memory, see WasiOptions.linear) is passed as it is.
    for (const [module, fns] of Object.entries(this.imports())) {
      out[module] = Object.fromEntries(Object.entries(fns).map(([name, f]) => [name, typeof f === 'function' ? wrap(f as (...a: number[]) => number) : f]));
    }
    return out;
  }

  /** Runs `_start` under JSPI (see suspendingImports); resolves with the exit status. */
  async startSuspending(instance: WebAssembly.Instance): Promise<number> {
    const { memory, _start } = instance.exports as { memory?: WebAssembly.Memory; _start?: () => void };
    if (!(memory instanceof WebAssembly.Memory)) throw new NotACommand('memory');
    if (typeof _start !== 'function') throw new NotACommand('_start');
    this.bindMemory(memory);
    try {
      await jspi().promising(_start)();
      return 0;
    } catch (e) {
      if (e instanceof ProcExit) return e.status;
      throw e;
    }
  }

  /** Uses `memory` as the guest's memory (start does this from the instance's exports). */
  bindMemory(memory: WebAssembly.Memory): void {
    this.ctx.mem.bind(memory);
  }

  /**
   * Runs a command module's `_start`; returns its exit status (0 when
   * `_start` returns, else what proc_exit got). A trap propagates.
   */
  start(instance: WebAssembly.Instance): number {
    const { memory, _start } = instance.exports as { memory?: WebAssembly.Memory; _start?: () => void };
    if (!(memory instanceof WebAssembly.Memory)) throw new NotACommand('memory');
    if (typeof _start !== 'function') throw new NotACommand('_start');
    this.bindMemory(memory);
    try {
      _start();
      return 0;
    } catch (e) {
      if (e instanceof ProcExit) return e.status;
      throw e;
    }
  }
}
