// One trace being stepped through in the lab: a kernel, a stepper, and the
// record of every step taken (state before and after, what changed).
// Going back rebuilds the kernel and replays: runs are deterministic.

import { Kernel } from '../kernel.js';
import { parseTrace, type Op } from '../trace/parse.js';
import { TraceStepper, type StepResult } from '../trace/step.js';
import { diffStates, type StepChanges } from './changes.js';
import { captureState, type LabState } from './state.js';

export interface LabStep {
  /** 1 for the first step. */
  n: number;
  line: number;
  op: Op;
  /** The trace line as written. */
  text: string;
  result: string;
  output: string;
  before: LabState;
  after: LabState;
  changes: StepChanges;
}

/** Small pools keep page numbers short and every kernel cheap to rebuild. */
export function labKernel(dirtyPipe: boolean): Kernel {
  return new Kernel({ pages: 512, userPages: 256, rings: 32, ringMemory: 1 << 20, dirtyPipe });
}

export class LabSession {
  readonly ops: Op[];
  readonly lines: string[];
  readonly steps: LabStep[] = [];
  /** An emulator failure that is not a syscall result: stepping stops there. */
  fault: { line: number; message: string } | undefined;
  private kernel: Kernel;
  private stepper: TraceStepper;
  private initialState: LabState;

  /**
   * Throws TraceSyntaxError for a malformed trace, before any kernel exists.
   * The lab accepts splicekit's extensions (notifyfd, vmsplice_notify, …).
   */
  constructor(
    readonly source: string,
    readonly file: string,
    readonly dirtyPipe: boolean,
  ) {
    this.ops = parseTrace(new TextEncoder().encode(source), file, { extensions: true });
    this.lines = source.split(/\r?\n/);
    this.kernel = labKernel(dirtyPipe);
    this.stepper = new TraceStepper(this.ops, this.kernel);
    this.initialState = captureState(this.kernel, this.stepper.names);
  }

  get position(): number {
    return this.steps.length;
  }
  get done(): boolean {
    return this.fault !== undefined || this.position >= this.ops.length;
  }
  get shared(): boolean {
    return this.kernel.shared;
  }

  /** The state now: after the last step, or the empty kernel. */
  get state(): LabState {
    return this.steps.at(-1)?.after ?? this.initialState;
  }

  /** The line the next step runs. */
  get nextLine(): number | undefined {
    return this.done ? undefined : this.ops[this.position]?.line;
  }

  step(): LabStep | undefined {
    if (this.done) return undefined;
    const before = this.state;
    const op = this.ops[this.position]!;
    let r: StepResult;
    try {
      r = this.stepper.step()!;
    } catch (e) {
      this.fault = { line: op.line, message: e instanceof Error ? e.message : String(e) };
      return undefined;
    }
    const after = captureState(this.kernel, this.stepper.names);
    const step: LabStep = {
      n: this.position + 1,
      line: r.line,
      op,
      text: (this.lines[r.line - 1] ?? '').trim(),
      result: r.result,
      output: r.output,
      before,
      after,
      changes: diffStates(before, after, op),
    };
    this.steps.push(step);
    return step;
  }

  run(): void {
    while (this.step());
  }

  /** Moves to just after step `n` (0: before the first step). */
  goTo(n: number): void {
    const target = Math.max(0, Math.min(n, this.ops.length));
    if (target < this.position) this.replay(target);
    while (this.position < target && this.step());
  }

  back(): void {
    this.goTo(this.position - 1);
  }

  dispose(): void {
    this.kernel.destroy();
  }

  /** A fresh kernel with the first `n` steps re-run; their records are kept as they were. */
  private replay(n: number): void {
    this.kernel.destroy();
    this.kernel = labKernel(this.dirtyPipe);
    this.stepper = new TraceStepper(this.ops, this.kernel);
    this.fault = undefined;
    for (let i = 0; i < n; i++) this.stepper.step();
    this.steps.length = n;
  }
}
