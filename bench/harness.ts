// Measuring one scenario with tinybench and turning its samples into a row.
//
// A scenario's task function does a batch of work per call (`per` bytes or
// `per` calls); every call is one sample, and the row reports the median,
// min and max over the samples of GiB/s or ns per call. A task may time only
// part of its batch by returning `{ overriddenDuration }` (ms).

import { Bench } from 'tinybench';

export type Unit = 'GiB/s' | 'ns/call';

/** Where a row comes from: the chart colours and the table sections use it. */
export type Group = 'emulator' | 'core' | 'kernel' | 'streams' | 'workers' | 'memory';

export interface Row {
  name: string;
  median: number;
  min: number;
  max: number;
  unit: string;
  group: Group;
  /** What one sample does, for the table. */
  note?: string;
}

export interface Scenario {
  name: string;
  unit: Unit;
  group: Group;
  /** Bytes (GiB/s) or calls (ns/call) per task call. */
  per: number;
  note?: string;
  /** Builds the state and returns the task; `done` tears it down. */
  setup(): Promise<Task> | Task;
}

export interface Task {
  fn: () => unknown;
  async?: boolean;
  done?: () => void | Promise<void>;
}

export interface MeasureOptions {
  /** Time budget per scenario in ms (tinybench `time`). */
  time: number;
  warmupTime: number;
  /** Minimum samples. */
  minSamples: number;
}

const GIB = 1024 ** 3;

/** Value of one sample (ms) in the scenario's unit. */
function value(s: Scenario, ms: number): number {
  return s.unit === 'GiB/s' ? s.per / GIB / (ms / 1e3) : (ms * 1e6) / s.per;
}

export function median(xs: number[]): number {
  const a = [...xs].sort((x, y) => x - y);
  const m = a.length >> 1;
  return a.length % 2 ? a[m] : (a[m - 1] + a[m]) / 2;
}

export function rowOf(name: string, unit: string, group: Group, values: number[], note?: string): Row {
  return { name, unit, group, note, median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

export async function measure(s: Scenario, o: MeasureOptions): Promise<Row> {
  const task = await s.setup();
  try {
    const bench = new Bench({
      time: o.time,
      warmupTime: o.warmupTime,
      iterations: o.minSamples,
      warmupIterations: 2,
      retainSamples: true,
      throws: true,
    });
    bench.add(s.name, task.fn, { async: task.async ?? false });
    await bench.run();
    const r = bench.tasks[0].result;
    if (r.state !== 'completed') throw new Error(`${s.name}: ${r.state}`);
    const samples = r.latency.samples;
    if (!samples || samples.length === 0) throw new Error(`${s.name}: no samples`);
    return rowOf(
      s.name,
      s.unit,
      s.group,
      samples.map((ms) => value(s, ms)),
      s.note,
    );
  } finally {
    await task.done?.();
  }
}

/** A one-line progress report on stderr (rewritten in place on a terminal). */
export class Progress {
  private readonly tty = process.stderr.isTTY === true;
  private readonly start = performance.now();
  constructor(private readonly total: number) {}
  private n = 0;

  step(name: string): void {
    this.n++;
    const secs = ((performance.now() - this.start) / 1e3).toFixed(0).padStart(3);
    const line = `bench [${String(this.n).padStart(2)}/${this.total}] ${secs}s  ${name}`;
    if (this.tty) process.stderr.write(`\r\x1b[K${line}`);
    else process.stderr.write(`${line}\n`);
  }

  end(): void {
    const secs = ((performance.now() - this.start) / 1e3).toFixed(1);
    if (this.tty) process.stderr.write('\r\x1b[K');
    process.stderr.write(`bench: ${this.n} measurements in ${secs}s\n`);
  }
}
