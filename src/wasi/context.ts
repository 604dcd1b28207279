// What every syscall family shares: the kernel, the guest's memory, the
// preopens, and the one place where a call's outcome becomes a number for
// the guest (a WASI errno, or a Linux -errno for the splicekit module).

import { ERRNO, SyscallError, WouldBlock } from '../errors.js';
import type { Syscalls } from '../syscalls/table.js';
import type { UserBuffer } from '../types.js';
import { E, WasiError, wasiErrno } from './errno.js';
import { Fault, GuestMemory } from './memory.js';

/**
 * The process a guest runs as: the syscall table's calls, on this thread
 * (a Process) or across a channel (proc/remote.ts). `changed` (a local
 * process has it) lets JSPI guests wait for the machine to change.
 */
export type GuestProcess = Syscalls & { changed?(): Promise<void> };

/** proc_exit: unwinds the guest and carries its exit status to whoever started it. */
export class ProcExit extends Error {
  constructor(readonly status: number) {
    super(`exit ${status}`);
    this.name = 'ProcExit';
  }
}

/**
 * The world outside the guest. The guest runs synchronously on this thread,
 * so nothing else can fill or drain a pipe while it waits; a host that owns
 * the other ends (the `exec` stdio pumps) gets these calls instead.
 */
export interface HostIo {
  /**
   * A call on `fds` would wait (or got EAGAIN): move what can be moved.
   * True if anything moved; the call is then retried, else it fails EAGAIN.
   */
  wait?(fds: readonly number[]): boolean;
  /** After a call that may have put bytes where the host reads them. */
  flush?(): void;
}

export type CallKind = 'wasi' | 'linux';

/** 128 + SIGPIPE: the status a shell reports for a process SIGPIPE killed. */
export const SIGPIPE_STATUS = 141;

export class WasiContext {
  readonly mem = new GuestMemory();
  /** Preopened directories by fd (fd_prestat_get answers only these). */
  readonly preopens = new Map<number, string>();
  /**
   * The kernel's path of each directory fd the guest resolves paths from
   * (preopens, and directories it opened): "." where unknown, the machine's
   * own directory.
   */
  readonly dirs = new Map<number, string>();
  /** The last exception that was not a syscall outcome (a host bug): returned as EIO. */
  hostError: unknown;
  /** The last call would have waited (answered EAGAIN for that): JSPI hosts wait and retry. */
  blocked = false;
  private readonly inodes = new Map<string, number>();

  /**
   * @param sigpipe EPIPE from a call that writes ends the guest with status
   *   141, as Linux's default SIGPIPE action would (WASI has no signals),
   *   unless the guest ignores SIGPIPE (`sigpipeIgnored`, set through the
   *   splicekit module's `sigpipe`): then it gets EPIPE, as on Linux.
   * @param linear the user buffer that stands for the guest's memory when
   *   the machine can reference its pages (vmsplice maps them); else undefined.
   */
  constructor(
    readonly kernel: GuestProcess,
    readonly io: HostIo = {},
    readonly sigpipe = false,
    readonly linear?: UserBuffer,
  ) {}

  /** signal(SIGPIPE, SIG_IGN) was called: EPIPE is returned, not the end of the guest. */
  sigpipeIgnored = false;

  /**
   * Runs one call. `body` returns the result (WASI calls return 0 or an
   * errno; splicekit calls a count). A call that would wait, or fails
   * EAGAIN, on `fds` lets the host move data first and retries if it did.
   * `writes`: the call may put bytes where the host reads them (flush
   * after) and may raise SIGPIPE.
   */
  run(kind: CallKind, fds: readonly number[] | null, body: () => number, writes = false): number {
    for (;;) {
      try {
        const r = body();
        if (writes) this.io.flush?.();
        return r;
      } catch (e) {
        if (e instanceof ProcExit) throw e;
        const again = e instanceof WouldBlock || (e instanceof SyscallError && e.code === 'EAGAIN');
        if (again && fds && this.io.wait?.(fds)) continue;
        if (writes) this.io.flush?.();
        if (writes && this.sigpipe && !this.sigpipeIgnored && e instanceof SyscallError && e.code === 'EPIPE') throw new ProcExit(SIGPIPE_STATUS);
        if (e instanceof WouldBlock) this.blocked = true;
        return this.outcome(kind, e);
      }
    }
  }

  /** A thrown error as the number the guest sees. */
  private outcome(kind: CallKind, e: unknown): number {
    const wasi = kind === 'wasi';
    // A call that cannot wait in one thread answers EAGAIN (see README: blocking).
    if (e instanceof WouldBlock) return wasi ? E.AGAIN : -ERRNO.EAGAIN;
    if (e instanceof SyscallError) return wasi ? wasiErrno(e.errno) : -e.errno;
    if (e instanceof Fault) return wasi ? E.FAULT : -ERRNO.EFAULT;
    if (e instanceof WasiError) return wasi ? e.wasi : -e.linux;
    this.hostError = e;
    return wasi ? E.IO : -ERRNO.EIO;
  }

  /** A stable inode number per file name (the kernel has none to give). */
  inode(path: string): number {
    let ino = this.inodes.get(path);
    if (ino === undefined) {
      ino = this.inodes.size + 2; // 1 is the directory
      this.inodes.set(path, ino);
    }
    return ino;
  }
}
