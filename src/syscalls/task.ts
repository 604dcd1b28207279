// What a syscall runs on: the calling process, as the syscall families see
// it (Linux's `current`). src/process.ts implements it; the families import
// only this interface, so no kernel file imports back the file that imports it.

import type { OpenFile } from '../files/file.js';
import type { Kctx, Result } from '../files/kctx.js';
import type { TaskFrag } from '../files/socket.js';
import type { FdTable } from '../fdtable.js';
import type { LoanTable } from '../loan.js';
import type { Machine } from '../machine.js';
import type { UserMemory } from '../usermem.js';

export interface Task extends Kctx {
  readonly machine: Machine;
  readonly pid: number;
  readonly fds: FdTable;
  readonly user: UserMemory;
  readonly loans: LoanTable;
  /** current->task_frag (see files/socket.ts). */
  readonly taskFrag: TaskFrag;
  /** The open file at `fd`, if any. */
  file(fd: number): OpenFile | undefined;
  /** A result as a return value, or the error it means, thrown. */
  check(syscall: string, r: Result): number;
  /** A result that must be an error: throws it. */
  fail(syscall: string, r: Result): never;
  /**
   * fd_install() at the lowest free fd of a file just opened (whose
   * machine-wide count was charged); EMFILE releases the file again.
   */
  install(file: OpenFile, cloexec: boolean): Result;
  /** Ends the process with `status`: exit_group, a kill, the machine's end. */
  terminate(status: number): void;
}
