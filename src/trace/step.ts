// Runs a parsed trace one operation at a time, for the lab's Step button.
// Same results as runTrace; going back means a fresh kernel and a replay,
// since every run of a trace is deterministic.

import { SyscallError, WouldBlock } from '../errors.js';
import type { Op } from './parse.js';
import { renderErrno, resultLine } from './render.js';
import { Bindings, execute, TraceRuntimeError, type TraceKernel } from './run.js';

export interface StepResult {
  op: Op;
  /** The trace line the operation came from. */
  line: number;
  /** The result alone, e.g. `5 "hello"` or `-EAGAIN`. */
  result: string;
  /** The output line as runTrace prints it: `LINE: RESULT`. */
  output: string;
}

export class TraceStepper {
  /** Names bound so far: fd names to fd numbers, buffer names to buffers. */
  readonly names = new Bindings();
  /** Output lines of the steps taken. */
  readonly output: string[] = [];
  private next = 0;

  constructor(
    readonly ops: readonly Op[],
    readonly kernel: TraceKernel,
  ) {}

  /** Steps taken so far. */
  get position(): number {
    return this.next;
  }

  get done(): boolean {
    return this.next >= this.ops.length;
  }

  /** The operation the next step runs, if any. */
  peek(): Op | undefined {
    return this.ops[this.next];
  }

  /** Runs the next operation; undefined once the trace is over. Throws TraceRuntimeError on an emulator bug. */
  step(): StepResult | undefined {
    const op = this.ops[this.next];
    if (op === undefined) return undefined;
    let result: string;
    try {
      result = execute(op, this.kernel, this.names);
    } catch (e) {
      if (e instanceof SyscallError) result = renderErrno(e.code);
      else if (e instanceof WouldBlock) result = 'blocks';
      else throw new TraceRuntimeError(op.line, [...this.output], e);
    }
    this.next++;
    const output = resultLine(op.line, result);
    this.output.push(output);
    return { op, line: op.line, result, output };
  }

  /** Runs the remaining operations; returns their results. */
  run(): StepResult[] {
    const out: StepResult[] = [];
    for (let r = this.step(); r; r = this.step()) out.push(r);
    return out;
  }
}
