// A cooperative scheduler for the lab's processes, all in the page's thread.
// Each program runs under JSPI and every data-plane call it makes first
// waits here for its turn, so one step is one call of one process. The
// policy is a single CPU without preemption: the process that ran last
// goes on until a call would block (or it exits), then the first one in
// pipeline order whose call can go on runs (earlier stages first, as if
// the producer had the higher priority). Linux preempts and runs processes
// on several CPUs, so its interleaving changes from run to run; a lesson
// wants the same one every time.

/** An attempt's answer when the call would block (it changed nothing: try again later). */
export const WAITS = Symbol('waits');

export type Attempt = () => number | typeof WAITS;

export interface PendingCall {
  /** The import's name (`vmsplice`, `fd_read`, …). */
  name: string;
  args: number[];
  /** Runs the call once; throws what the call throws (ProcExit on SIGPIPE). */
  attempt: Attempt;
  /** The call as a reader sees it, `vmsplice(1, 16384 bytes)`, and its result (read as soon as it returned). */
  text: string;
  resultText(r: number): string;
}

export interface Task {
  readonly name: string;
  pending: (PendingCall & { resolve(r: number): void; reject(e: unknown): void }) | undefined;
  /** Its pending call would block: it is tried again, silently, when its turn comes. */
  blocked: boolean;
  /** Set when the program has ended. */
  status: number | undefined;
}

export interface Step {
  n: number;
  task: string;
  /** The import's name (`vmsplice`, `fd_read`). */
  call: string;
  /** `vmsplice(1, 16384 bytes) = 16384`, `read(0, 65536 bytes) waits`. */
  text: string;
  /** The call's return value, `waits` when it would block, or `ended` when it ended the program (SIGPIPE). */
  result: number | 'waits' | 'ended';
}

export class Scheduler {
  readonly tasks: Task[] = [];
  readonly steps: Step[] = [];
  /** Every live task's call would block and none can run: on Linux they would wait for ever. */
  deadlock = false;
  private current = 0;
  private arrived: (() => void) | undefined;

  add(name: string): Task {
    const t: Task = { name, pending: undefined, blocked: false, status: undefined };
    this.tasks.push(t);
    return t;
  }

  /** What a task's wrapped import awaits: resolves with the call's result once the scheduler runs it. */
  call(task: Task, call: PendingCall): Promise<number> {
    return new Promise((resolve, reject) => {
      task.pending = { ...call, resolve, reject };
      this.arrive();
    });
  }

  /** The task's program ended (returned, exited or trapped). */
  ended(task: Task, status: number): void {
    task.status = status;
    task.pending = undefined;
    this.arrive();
  }

  /** Resolves once some task has reached its next call or ended; `start` runs it (a task's first run, or a resolved call). */
  async until(start: () => void): Promise<void> {
    const arrived = new Promise<void>((resolve) => {
      this.arrived = resolve;
    });
    start();
    await arrived;
  }

  get done(): boolean {
    return this.deadlock || this.tasks.every((t) => t.status !== undefined);
  }

  /** Runs one call of one process; undefined when nothing can run (all ended, or deadlock). */
  async step(): Promise<Step | undefined> {
    const n = this.tasks.length;
    for (let i = 0; i < n; i++) {
      const at = (this.current + i) % n;
      const t = this.tasks[at]!;
      const p = t.pending;
      if (!p) continue;
      let r: number | typeof WAITS;
      try {
        r = p.attempt();
      } catch (e) {
        // The call ended the program (SIGPIPE): it unwinds, and its end arrives.
        this.current = at;
        await this.until(() => p.reject(e));
        return this.record(t, p, 'ended', ' ended the program');
      }
      if (r === WAITS) {
        if (t.blocked) continue;
        // Newly blocked: that is this step; the CPU goes to the first task that can run.
        t.blocked = true;
        this.current = 0;
        return this.record(t, p, 'waits', ' waits');
      }
      t.blocked = false;
      t.pending = undefined;
      this.current = at;
      const shown = p.resultText(r);
      await this.until(() => p.resolve(r as number));
      return this.record(t, p, r, shown);
    }
    this.deadlock = this.tasks.some((t) => t.status === undefined);
    return undefined;
  }

  private record(t: Task, call: PendingCall, result: Step['result'], shown: string): Step {
    const s = { n: this.steps.length + 1, task: t.name, call: call.name, text: call.text + shown, result };
    this.steps.push(s);
    return s;
  }

  private arrive(): void {
    const a = this.arrived;
    this.arrived = undefined;
    a?.();
  }
}
