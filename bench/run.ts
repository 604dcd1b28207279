// `npm run bench`: every scenario measured in one run, one table.
//
//   node dist/bench/run.js [--json FILE] [--quick] [--only SUBSTR] [--no-native] [--gib N] [--mib N]
//
// --json FILE  also write the rows as [{ name, median, min, max, unit }]
// --quick      shorter time budget per scenario (a smoke run, noisier)
// --only S     only scenarios whose name contains S (the sustained check runs when S matches it)
// --no-native  skip the C kernel twins
// --gib N      GiB pushed by the sustained-load checks (default 10; --quick 1)
// --mib N      MiB through each real-program pipeline (default 1024; --quick 64)
//
// Guests run optimised code (optimizeGuestCode), as under splicekit exec.
//
// The chart goes to bench/throughput.svg (not on an --only run).

import { writeFileSync } from 'node:fs';
import { cpus, loadavg, release } from 'node:os';
import { join, resolve } from 'node:path';
import { alternativeScenarios } from './alternatives.js';
import { emulatorScenarios, sustained, sustainedNote } from './emulator.js';
import { measure, Progress, type MeasureOptions, type Row, type Scenario } from './harness.js';
import { buildNative, NATIVE_NAMES, root, runNative } from './native.js';
import { chart, json, ratios, table } from './report.js';
import { streamScenarios } from './streams.js';
import { buildPrograms, guestSustainedNote, PROGRAM_NAMES, programRows } from './programs.js';
import { canExport, workerScenarios } from './workers.js';
import { optimizeGuestCode } from '../src/proc/tier.js';

optimizeGuestCode();

interface Args {
  json?: string;
  quick: boolean;
  only?: string;
  native: boolean;
  gib: number;
  mib?: number;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { quick: false, native: true, gib: 10 };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i];
    if (v === '--json') a.json = argv[++i];
    else if (v === '--quick') a.quick = true;
    else if (v === '--only') a.only = argv[++i];
    else if (v === '--no-native') a.native = false;
    else if (v === '--gib') a.gib = Number(argv[++i]);
    else if (v === '--mib') a.mib = Number(argv[++i]);
    else throw new Error(`unknown argument ${v} (see bench/run.ts)`);
  }
  if (a.json === undefined && argv.includes('--json')) throw new Error('--json needs a file name');
  if (a.quick && !argv.includes('--gib')) a.gib = 1;
  return a;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const opts: MeasureOptions = args.quick ? { time: 150, warmupTime: 50, minSamples: 5 } : { time: 1500, warmupTime: 300, minSamples: 15 };
  const pick = (list: Scenario[]): Scenario[] => list.filter((s) => !args.only || s.name.includes(args.only));
  const sustainedName = `sustained-${args.gib}gib`;
  const doSustained = !args.only || sustainedName.includes(args.only);
  const inThread = [...pick(emulatorScenarios), ...pick(alternativeScenarios), ...pick(streamScenarios)];
  const inWorkers = pick(workerScenarios);
  const nativeNames = args.native ? NATIVE_NAMES.filter((n) => !args.only || n.includes(args.only)) : [];
  const native = nativeNames.length > 0 ? buildNative() : undefined;
  const nativeCount = native && 'bin' in native ? nativeNames.length : 0;

  const programs = PROGRAM_NAMES.some((n) => !args.only || n.includes(args.only)) ? buildPrograms() : undefined;
  const programCount = programs && 'dir' in programs ? PROGRAM_NAMES.filter((n) => !args.only || n.includes(args.only)).length : 0;
  const progress = new Progress(inThread.length + inWorkers.length + (doSustained ? 1 : 0) + nativeCount + programCount);
  const rows: Row[] = [];
  const notes: string[] = [];

  // A scenario that fails is reported and skipped, not fatal: the rest still run.
  const attempt = async (s: Scenario): Promise<void> => {
    progress.step(s.name);
    try {
      rows.push(await measure(s, opts));
    } catch (e) {
      notes.push(`FAILED ${s.name}: ${(e as Error).message}`);
    }
  };
  const load0 = loadavg()[0];
  for (const s of inThread) await attempt(s);
  if (doSustained) {
    progress.step(`${sustainedName} (vmsplice -> splice -> /dev/null)`);
    try {
      rows.push(...sustained(args.gib));
      notes.push(`Sustained load: ${sustainedNote}.`);
    } catch (e) {
      notes.push(`FAILED ${sustainedName}: ${(e as Error).message}`);
    }
  }
  for (const s of inWorkers) await attempt(s);
  if (programs && 'dir' in programs) {
    try {
      rows.push(...(await programRows(programs, args.quick ? 1 : 3, args.mib ?? (args.quick ? 64 : 1024), args.gib, args.only, (name) => progress.step(name))));
      if (guestSustainedNote) notes.push(`Sustained guests: ${guestSustainedNote}.`);
    } catch (e) {
      notes.push(`FAILED real programs: ${(e as Error).message}`);
    }
  } else if (programs) {
    notes.push(`Real programs skipped: ${programs.skipped}.`);
  }
  if (native && 'bin' in native) {
    const r = await runNative(native.bin, args.quick ? 3 : 11, args.quick ? 15 : 60, args.only, (name) => progress.step(name));
    rows.push(...r.rows);
    for (const s of r.skipped) notes.push(`Native scenario skipped: ${s}.`);
  } else if (native) {
    notes.push(`Native kernel twins skipped: ${native.skipped}.`);
  }
  progress.end();
  const load1 = loadavg()[0];

  const machine = `Node ${process.version}, ${cpus().length} x ${cpus()[0]?.model.trim() ?? 'cpu'}, Linux ${release()}, ${new Date().toISOString().slice(0, 16)}Z`;
  console.log(`splicekit benchmarks: ${machine}`);
  console.log(
    `every row measured in this run; median, min and max over the samples (${args.quick ? 'quick mode' : 'tinybench, >= 15 samples per row; native: 11 runs'})`,
  );
  const busy = Math.max(load0, load1) > cpus().length * 0.75;
  console.log(`load average ${load0.toFixed(1)} at the start, ${load1.toFixed(1)} at the end${busy ? ' -- the machine was busy: expect noise' : ''}\n`);
  console.log(table(rows));
  if (!canExport && (!args.only || 'worker-zero-copy'.includes(args.only))) {
    console.log('\nNot measured: worker-zero-copy (two Workers, each with its own core instance on one shared kernel memory):');
    console.log('this host cannot hand a pipe end to a Worker (no Kernel.exportPipeEnd).');
  }
  for (const n of notes) console.log(n);
  console.log(`\n${ratios(rows)}`);

  // A partial run (--only) leaves the last full run's chart alone.
  const svgPath = join(root, 'bench', 'throughput.svg');
  if (!args.only) {
    writeFileSync(svgPath, chart(rows, machine));
    console.log(`\nchart: ${svgPath}`);
  }
  if (args.json) {
    // npm runs scripts in the package root; a relative name means the caller's directory.
    const file = resolve(process.env.INIT_CWD ?? process.cwd(), args.json);
    writeFileSync(file, json(rows));
    console.log(`json: ${file}`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
