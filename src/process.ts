// A process on a machine: its fd table, its user memory, its loans, its
// page fragment and its exit status. Its syscalls are the methods the
// syscall table defines (syscalls/table.ts): each checks its arguments'
// types, then runs on this process; `async` has the awaitable forms.

import { O_DIRECT, O_NONBLOCK, O_RDONLY, O_WRONLY } from './constants.js';
import { InvalidArgument, SyscallError, WouldBlock } from './errors.js';
import { DevNull } from './files/devices.js';
import type { OpenFile } from './files/file.js';
import type { Result } from './files/kctx.js';
import { PipeEnd } from './files/pipe.js';
import type { TaskFrag } from './files/socket.js';
import { FdMirror } from './fdmirror.js';
import { FdTable, INR_OPEN_CUR } from './fdtable.js';
import { checkOptions, PROCESS_OPTIONS } from './options.js';
import { LoanTable } from './loan.js';
import { dropFrag, type Machine, type MachineProcess } from './machine.js';
import { fd as fdArg, shown } from './syscalls/args.js';
import { DEFS, SYSCALL_NAMES, type AsyncSyscalls, type SyscallName, type Syscalls } from './syscalls/table.js';
import type { SnapshotProcess } from './snapshot.js';
import type { Task } from './syscalls/task.js';
import { UserMemory } from './usermem.js';
import type { PipeEndHandle } from './worker/handle.js';
import type { UserBuffer } from './types.js';
import { EBADF } from './files/kctx.js';

export interface ProcessOptions {
  /** RLIMIT_NOFILE: fds are below it. Default 1024 (INR_OPEN_CUR), at most 2^20 (fs.nr_open). */
  nofile?: number;
  /**
   * The child gets every fd of its parent that is not close-on-exec, at the
   * same number, as fork() then exec() would give it (before `fds` apply).
   * Default false: only the fds named in `fds`.
   */
  inherit?: boolean;
}

/** A process's syscalls as methods (from the table: see syscalls/table.ts). */
export interface Process extends Syscalls {}

// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the methods the interface names are put on the prototype from the table.
export class Process implements Task, MachineProcess {
  readonly pid: number;
  readonly fds: FdTable;
  readonly user: UserMemory;
  readonly loans: LoanTable;
  readonly taskFrag: TaskFrag = { page: -1, offset: 0, size: 0 };
  /** The awaitable forms of the calls that can wait. */
  readonly async: AsyncSyscalls;
  /** Resolves with the exit status once the process has ended and its fds are closed. */
  readonly exited: Promise<number>;
  private status: number | undefined;
  private resolveExit!: (status: number) => void;
  /** The space of its own linear memory, once it has one (see useMemory). */
  private space = 0;

  /**
   * A process on `machine` with fds 0, 1 and 2 open on /dev/null (as a
   * daemon's are), unless `stdio` names the files for them.
   */
  constructor(
    readonly machine: Machine,
    opts: ProcessOptions = {},
    stdio?: Map<number, OpenFile>,
  ) {
    checkOptions('process', opts, PROCESS_OPTIONS);
    const nofile = opts.nofile ?? INR_OPEN_CUR;
    this.fds = new FdTable(nofile);
    this.user = new UserMemory(machine);
    this.loans = new LoanTable(machine);
    this.async = asyncCalls(this);
    this.exited = new Promise((resolve) => {
      this.resolveExit = resolve;
    });
    this.pid = machine.register(this);
    const files = stdio ?? new Map();
    for (const fd of [0, 1, 2]) {
      if (files.has(fd)) continue;
      // /dev/null for what nobody gave: the machine counts it as any open file.
      machine.openFiles++;
      files.set(fd, new DevNull(fd === 0 ? O_RDONLY : O_WRONLY));
    }
    for (const [fd, f] of [...files].sort(([a], [b]) => a - b)) this.fds.replace(fd, f, false);
  }

  // ---- what file implementations see (Kctx), from the machine ---------------

  get core() {
    return this.machine.core;
  }
  get pages(): number {
    return this.machine.pages;
  }
  get mem(): Uint8Array {
    return this.machine.mem;
  }
  get args(): number {
    return this.machine.args;
  }
  get argsSize(): number {
    return this.machine.argsSize;
  }
  get stage(): number {
    return this.machine.stage;
  }
  get stageSize(): number {
    return this.machine.stageSize;
  }
  get clock(): number {
    return this.machine.clock;
  }

  // ---- what the syscall families use (Task) ----------------------------------

  file(fd: number): OpenFile | undefined {
    return this.fds.get(fd);
  }

  check(syscall: string, r: Result): number {
    return this.machine.check(syscall, r);
  }

  fail(syscall: string, r: Result): never {
    return this.machine.fail(syscall, r);
  }

  install(file: OpenFile, cloexec: boolean): Result {
    const fd = this.fds.alloc(file, cloexec);
    if (fd < 0) this.machine.put(file, this);
    return fd;
  }

  // ---- processes ----------------------------------------------------------------

  /**
   * Another process on this machine, its own fd table. `fds` maps the new
   * process's fd numbers to this process's fds, which it shares the open
   * files of (as after fork and dup2); 0, 1 and 2 not given are /dev/null.
   */
  process(fds: Record<number, number> = {}, opts: ProcessOptions = {}): Process {
    checkOptions('process', opts, PROCESS_OPTIONS);
    if (typeof fds !== 'object' || fds === null || Array.isArray(fds))
      throw new InvalidArgument('process', `fds must be an object mapping fd numbers to this process's fds, got ${shown(fds)}`);
    for (const from of Object.values(fds)) fdArg.check(from, 'process', 0);
    const given = new Map<number, OpenFile>();
    if (opts.inherit) {
      for (const [fd, f] of this.fds.entries()) if (!this.fds.getCloexec(fd)) given.set(fd, f);
    }
    for (const [to, from] of Object.entries(fds)) {
      const f = this.file(from);
      if (!f) throw new SyscallError('EBADF', 'process');
      const n = Number(to);
      if (!Number.isInteger(n) || n < 0 || n >= (opts.nofile ?? INR_OPEN_CUR)) throw new SyscallError('EBADF', 'process');
      given.set(n, f);
    }
    for (const f of given.values()) f.refs++;
    return new Process(this.machine, opts, given);
  }

  /**
   * The process's own linear memory (a WASI guest's) joins the machine:
   * vmsplice maps its pages, as Linux maps the caller's. Returns the user
   * buffer that stands for it in iovecs (offsets are the guest's
   * addresses). The memory stays reachable while a pipe references one of
   * its pages, after the process has ended too.
   */
  useMemory(memory: WebAssembly.Memory): UserBuffer {
    if (this.space !== 0) throw new TypeError('this process has its memory already');
    this.space = this.check('useMemory', this.machine.addSpace(memory));
    return this.user.useLinear(memory, this.space).buffer;
  }

  /** The status it exited with, or undefined while it runs. */
  get exitStatus(): number | undefined {
    return this.status;
  }

  /**
   * Ends the process (exit_group, a kill, the machine's destroy): its fds
   * close (peers see EOF and EPIPE), its loans and user memory go (pages a
   * pipe still references stay until the pipe lets go), and `exited`
   * resolves with `status`. Ending twice does nothing.
   */
  terminate(status: number): void {
    if (this.status !== undefined) return;
    this.status = status;
    for (const [fd] of this.fds.entries()) {
      const f = this.fds.remove(fd);
      if (f) this.machine.put(f, this);
    }
    this.loans.releaseAll();
    this.user.freeAll();
    if (this.space !== 0) this.machine.closeSpace(this.space);
    dropFrag(this, this.taskFrag);
    this.machine.gone(this.pid);
    this.machine.settle();
    this.resolveExit(status);
  }

  view(): SnapshotProcess {
    return { pid: this.pid, fds: this.fds.entries(), userRuns: this.user.list() };
  }

  /** The fd mirror another thread running this process reads (see fdmirror.ts), made once. */
  useMirror(): FdMirror {
    if (!this.mirror) {
      const m = new FdMirror(this.fds.limit);
      for (const [fd, f] of this.fds.entries()) m.set(fd, f);
      this.fds.onChange = (fd, f) => m.set(fd, f);
      this.mirror = m;
    }
    return this.mirror;
  }

  private mirror: FdMirror | undefined;

  fileChanged(f: OpenFile): void {
    if (!this.mirror) return;
    for (const fd of this.fds.fdsOf(f)) this.mirror.set(fd, f);
  }

  /**
   * The thread an exported pipe end went to is gone (its Worker was
   * terminated or crashed): the end closes here, so its peer sees EOF or
   * EPIPE and its pages come back. Harmless once that thread closed it.
   */
  revokePipeEnd(tid: number): void {
    this.machine.revoke(tid);
  }

  /** Resolves at the next change of machine state. */
  changed(): Promise<void> {
    return this.machine.changed();
  }

  /** The pipes' rings among `fds` (what a call on them waits on), or null if one is not a pipe. */
  pipeRings(fds: readonly unknown[]): number[] | null {
    const rings: number[] = [];
    for (const fd of fds) {
      const r = typeof fd === 'number' ? (this.file(fd)?.pipeRing() ?? -1) : -1;
      if (r < 0) return null;
      rings.push(r);
    }
    return rings;
  }

  /** Resolves when vmspliceNotify's `id` on `notifyFd` has been released. */
  released(notifyFd: number, id: number): Promise<void> {
    if (this.isReleased(notifyFd, id)) return Promise.resolve();
    const nf = this.describe(notifyFd);
    if (nf?.kind !== 'notify') return Promise.reject(new SyscallError('EBADF', 'released'));
    return (async () => {
      while (!this.isReleased(notifyFd, id)) await this.changed();
    })();
  }

  /**
   * Hands a pipe end to another thread (a Worker with `PipeClient.attach`),
   * as passing an fd to another process: the end stays open there until that
   * side closes it, or `revokePipeEnd(handle.tid)` says that side is gone
   * (call it when the Worker exits: its end then closes here). Needs a
   * shared memory.
   */
  exportPipeEnd(fd: number): PipeEndHandle {
    const f = this.file(fd);
    if (!(f instanceof PipeEnd)) this.fail('exportPipeEnd', EBADF);
    if (!this.machine.shared) throw new TypeError('exportPipeEnd needs a machine on a shared memory');
    const end = this.machine.exportEnd(f.pipe.ring, f.isRead);
    return {
      memory: this.machine.memory,
      ring: end.ring,
      end: f.isRead ? 'read' : 'write',
      pages: this.machine.pages,
      spaces: this.machine.spaces.entries(),
      nonblock: (f.flags & O_NONBLOCK) !== 0,
      packet: (f.flags & O_DIRECT) !== 0,
      tid: end.tid,
      state: end.state.buffer as SharedArrayBuffer,
    };
  }
}

type Loose = (...a: unknown[]) => unknown;

/** A method of the table's entry `name`: checks each argument's type, then runs on `this`. */
/** A process that has ended makes no more calls (ESRCH: there is no such process any more). */
function live(p: Process, name: string): void {
  if (p.exitStatus !== undefined) throw new SyscallError('ESRCH', name);
}

function method(name: SyscallName): Loose {
  const def = DEFS[name];
  const run = def.run as (p: Task, ...a: unknown[]) => unknown;
  const c = def.args.map((t) => t.check);
  // One shape per arity: no rest arrays on the hot calls.
  switch (c.length) {
    case 0:
      return function (this: Process) {
        live(this, name);
        return run(this);
      };
    case 1:
      return function (this: Process, a: unknown) {
        live(this, name);
        c[0](a, name, 0);
        return run(this, a);
      };
    case 2:
      return function (this: Process, a: unknown, b: unknown) {
        live(this, name);
        c[0](a, name, 0);
        c[1](b, name, 1);
        return run(this, a, b);
      };
    case 3:
      return function (this: Process, a: unknown, b: unknown, d: unknown) {
        live(this, name);
        c[0](a, name, 0);
        c[1](b, name, 1);
        c[2](d, name, 2);
        return run(this, a, b, d);
      };
    case 4:
      return function (this: Process, a: unknown, b: unknown, d: unknown, e: unknown) {
        live(this, name);
        c[0](a, name, 0);
        c[1](b, name, 1);
        c[2](d, name, 2);
        c[3](e, name, 3);
        return run(this, a, b, d, e);
      };
    case 5:
      return function (this: Process, a: unknown, b: unknown, d: unknown, e: unknown, f: unknown) {
        live(this, name);
        c[0](a, name, 0);
        c[1](b, name, 1);
        c[2](d, name, 2);
        c[3](e, name, 3);
        c[4](f, name, 4);
        return run(this, a, b, d, e, f);
      };
    case 6:
      return function (this: Process, a: unknown, b: unknown, d: unknown, e: unknown, f: unknown, g: unknown) {
        live(this, name);
        c[0](a, name, 0);
        c[1](b, name, 1);
        c[2](d, name, 2);
        c[3](e, name, 3);
        c[4](f, name, 4);
        c[5](g, name, 5);
        return run(this, a, b, d, e, f, g);
      };
    default:
      return function (this: Process, ...a: unknown[]) {
        live(this, name);
        for (let i = 0; i < c.length; i++) c[i](a[i], name, i);
        return run(this, ...a);
      };
  }
}

for (const name of SYSCALL_NAMES) {
  Object.defineProperty(Process.prototype, name, { value: method(name), writable: true, configurable: true });
}

/**
 * The awaitable forms: each call that can wait retries whenever the
 * machine changes, as a sleeping task is woken and tries again; a write
 * goes on until everything is written.
 */
function asyncCalls(p: Process): AsyncSyscalls {
  const out: Record<string, Loose> = {};
  for (const name of SYSCALL_NAMES) {
    const { blocks } = DEFS[name];
    if (blocks === false) continue;
    const f = p[name] as Loose;
    const fdArgs = DEFS[name].args.flatMap((t, i) => (t === fdArg ? [i] : []));
    out[name] =
      blocks === 'all'
        ? (fd, data) => writeAll(p, fd as number, data as Uint8Array)
        : (...a) =>
            blocking(
              p,
              fdArgs.map((i) => a[i]),
              () => f.apply(p, a),
              {},
              name,
            );
  }
  return out as AsyncSyscalls;
}

/**
 * An awaiting call goes on with the files its fds named when it began: if
 * one was closed (or now names another file) meanwhile, it ends with EBADF,
 * as if it had begun after the close. (Linux's sleeping call holds its file
 * and would go on with it; closing an fd is how a JS caller cancels a wait.)
 */
function sameFiles(p: Process, name: string, fds: readonly unknown[], files: (OpenFile | undefined)[]): void {
  live(p, name);
  for (let i = 0; i < fds.length; i++) {
    if (files[i] !== undefined && p.file(fds[i] as number) !== files[i]) throw new SyscallError('EBADF', name);
  }
}

/** How a blocking call may end early, and what else it waits out. */
export interface WaitOptions {
  /** Once aborted, the call tries no more and rejects with the signal's reason. */
  signal?: AbortSignal;
  /** EAGAIN (an O_NONBLOCK fd) waits too, as an event loop waits for poll to say ready. */
  again?: boolean;
}

/**
 * Runs `attempt` (the call `name` on `fds`) as a blocking call: whenever it
 * would wait, tries again after a change that could let it go on.
 */
export async function blocking<T>(p: Process, fds: readonly unknown[], attempt: () => T, opts: WaitOptions = {}, name = 'read'): Promise<T> {
  const files = fds.map((fd) => (typeof fd === 'number' ? p.file(fd) : undefined));
  for (;;) {
    // Checked before every try: a caller that gave the fd up must not reach whatever gets its number next.
    opts.signal?.throwIfAborted();
    sameFiles(p, name, fds, files);
    // A call on pipes only waits for those pipes (their words read before it tries).
    const rings = p.pipeRings(fds);
    const seen = rings && p.machine.ringSeqs(rings);
    try {
      return attempt();
    } catch (e) {
      if (!(e instanceof WouldBlock || (opts.again && e instanceof SyscallError && e.code === 'EAGAIN'))) throw e;
    }
    const changed = rings ? p.machine.ringsChanged(rings, seen!) : p.changed();
    await (opts.signal ? untilAborted(changed, opts.signal) : changed);
  }
}

/** `changed`, or the signal's abort if that comes first. */
function untilAborted(changed: Promise<void>, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const abort = () => reject(signal.reason);
    signal.addEventListener('abort', abort, { once: true });
    void changed.then(() => {
      signal.removeEventListener('abort', abort);
      resolve();
    });
  });
}

/** A blocking write: returns when all is written, or the count so far when an error ends it. */
export async function writeAll(p: Process, fd: number, data: Uint8Array, opts: WaitOptions = {}): Promise<number> {
  let done = 0;
  const file = p.file(fd);
  for (;;) {
    // After a partial write, an fd closed meanwhile ends it with the count so far.
    if (done > 0 && p.file(fd) !== file) return done;
    try {
      // Linux merges into the pipe's last page only at a write's start.
      done += await blocking(p, [fd], () => (done === 0 ? p.write(fd, data) : p.writeMore(fd, data.subarray(done))), opts, 'write');
    } catch (e) {
      if (done > 0) return done;
      throw e;
    }
    if (done >= data.length || (p.file(fd)?.flags ?? 0) & O_NONBLOCK) return done;
  }
}
