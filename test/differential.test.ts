// Differential test: random traces run on the emulator and on this Linux
// kernel (the native runner) must print the same bytes, and the emulator must
// give every page back on destroy().
//
// Traces come from a fast-check arbitrary (test/support/tracegen.ts), drawn
// with fc.sample from a seed: SPLICEKIT_SEED=<n> reproduces a run,
// SPLICEKIT_RUNS=<n> changes how many traces are drawn (default 2000). The
// native runner is started once per half of the batch, not per trace.
// Mismatching traces are shrunk by dropping lines while they still mismatch,
// and reported with the seed, their index, the trace and both outputs.
// SPLICEKIT_KEEP=1 keeps the temporary directory, with each trace's Linux
// output beside it as .linux (and the emulator's as .emu where they differ).

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Kernel } from '../src/kernel.js';
import { parseTrace } from '../src/trace/parse.js';
import { runTrace } from '../src/trace/run.js';
import { traceText } from './support/tracegen.js';
import { buildOracle, canRunOracle, kernelMapsZeroPage, ROOT } from './support/traces.js';

const RUNS = Number(process.env.SPLICEKIT_RUNS ?? 2000);
const SEED = process.env.SPLICEKIT_SEED !== undefined ? Number(process.env.SPLICEKIT_SEED) : (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;
const KEEP = process.env.SPLICEKIT_KEEP === '1';
const BATCHES = 2; // one runner per core
const SHRINK_AT_MOST = Number(process.env.SPLICEKIT_SHRINK ?? 8); // mismatches shrunk and reported in detail
const SHRINK_BUDGET_MS = Number(process.env.SPLICEKIT_SHRINK_MS ?? 40_000);

/** Whether the kernel under test maps the shared zero page: the emulator follows it. */
let sharedZeroPage = true;

/** The emulator's output for a trace, plus the pages still in use after destroy(). */
function emulate(text: string): { out: string; pagesLeft: number } {
  const k = new Kernel({ sharedZeroPage });
  let out: string;
  try {
    out = runTrace(parseTrace(Buffer.from(text), 'x.trace'), k)
      .map((l) => `${l}\n`)
      .join('');
  } catch (e) {
    out = `!! emulator threw: ${e instanceof Error ? e.message : String(e)}\n`;
  }
  try {
    k.destroy();
  } catch (e) {
    return { out: `${out}!! destroy() threw: ${e instanceof Error ? e.message : String(e)}\n`, pagesLeft: -1 };
  }
  return { out, pagesLeft: k.stats().pagesInUse };
}

function oracleAsync(bin: string, files: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(bin, files, { cwd: ROOT, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`native runner failed (${err.message}):\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** Splits multi-file runner output on its `== FILE` headers. */
function splitByFile(out: string): Map<string, string> {
  const parts = new Map<string, string>();
  const re = /^== (.*)\n/gm;
  const heads = [...out.matchAll(re)];
  heads.forEach((m, i) => {
    const start = m.index! + m[0].length;
    const end = i + 1 < heads.length ? heads[i + 1]!.index! : out.length;
    parts.set(m[1]!, out.slice(start, end));
  });
  return parts;
}

interface Verdict {
  linux: string;
  emu: string;
  pagesLeft: number;
}

const mismatch = (v: Verdict) => v.linux !== v.emu || v.pagesLeft !== 0;

/** Greedily drops lines of a mismatching trace while it still mismatches. */
async function shrink(bin: string, dir: string, text: string, deadline: number): Promise<string> {
  let lines = text.split('\n').filter((l) => l !== '');
  const file = join(dir, 'shrink.trace');
  const check = async (ls: string[]): Promise<boolean> => {
    const t = `${ls.join('\n')}\n`;
    try {
      parseTrace(Buffer.from(t), 'x.trace');
    } catch {
      return false;
    } // dropped a needed `buf`
    writeFileSync(file, t);
    let linux: string;
    try {
      linux = await oracleAsync(bin, [file]);
    } catch {
      return false;
    }
    const { out, pagesLeft } = emulate(t);
    return mismatch({ linux, emu: out, pagesLeft });
  };
  for (let changed = true; changed && Date.now() < deadline; ) {
    changed = false;
    for (let i = lines.length - 1; i >= 0 && Date.now() < deadline; i--) {
      const cand = lines.filter((_, j) => j !== i);
      if (await check(cand)) {
        lines = cand;
        changed = true;
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

function report(label: string, text: string, v: Verdict): string {
  const num = text
    .split('\n')
    .filter((l, i, a) => i < a.length - 1 || l !== '')
    .map((l, i) => `${String(i + 1).padStart(3)}  ${l}`)
    .join('\n');
  const diff = firstDiff(v.linux, v.emu);
  return [
    `--- ${label}`,
    num,
    `--- Linux:`,
    v.linux.trimEnd(),
    `--- emulator${v.pagesLeft !== 0 ? ` (pagesInUse after destroy: ${v.pagesLeft})` : ''}:`,
    v.emu.trimEnd(),
    diff ? `--- first difference: linux ${JSON.stringify(diff[0])} / emulator ${JSON.stringify(diff[1])}` : '',
  ].join('\n');
}

function firstDiff(a: string, b: string): [string, string] | null {
  const x = a.split('\n');
  const y = b.split('\n');
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if (x[i] !== y[i]) return [x[i] ?? '<none>', y[i] ?? '<none>'];
  }
  return null;
}

describe.runIf(canRunOracle)('emulator vs Linux on random traces', () => {
  it(`agrees on ${RUNS} random traces`, { timeout: 240_000 }, async () => {
    const t0 = Date.now();
    const bin = buildOracle();
    sharedZeroPage = kernelMapsZeroPage(bin);
    const traces = fc.sample(traceText, { numRuns: RUNS, seed: SEED });
    const dir = mkdtempSync(join(tmpdir(), 'splicekit-diff-'));
    try {
      const files = traces.map((t, i) => {
        const f = join(dir, `t${String(i).padStart(5, '0')}.trace`);
        writeFileSync(f, t);
        return f;
      });
      const per = Math.ceil(files.length / BATCHES);
      const batches = Array.from({ length: BATCHES }, (_, b) => files.slice(b * per, (b + 1) * per)).filter((b) => b.length);
      const linuxP = Promise.all(batches.map((b) => oracleAsync(bin, b)));
      // The emulator runs while the native runners do.
      const emu = traces.map(emulate);
      const linux = new Map<string, string>();
      for (const out of await linuxP) for (const [f, o] of splitByFile(out)) linux.set(f, o);

      const bad: { index: number; v: Verdict }[] = [];
      let ops = 0;
      let waits = 0;
      traces.forEach((t, i) => {
        ops += t.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;
        const lout = linux.get(files[i]!);
        if (lout === undefined) throw new Error(`no output for ${files[i]} from the native runner`);
        waits += (lout.match(/: blocks$/gm) ?? []).length;
        const v = { linux: lout, emu: emu[i]!.out, pagesLeft: emu[i]!.pagesLeft };
        if (mismatch(v)) bad.push({ index: i, v });
        if (KEEP) {
          writeFileSync(files[i]!.replace(/\.trace$/, '.linux'), lout);
          if (mismatch(v)) writeFileSync(files[i]!.replace(/\.trace$/, '.emu'), v.emu);
        }
      });
      console.log(
        `differential: seed ${SEED}: ${traces.length} sequences, ${ops} operations, ` +
          `shared zero page ${sharedZeroPage ? 'mapped' : 'never mapped'}, ` +
          `${waits} "blocks" on Linux, ${bad.length} mismatching, ${((Date.now() - t0) / 1000).toFixed(1)} s`,
      );

      if (bad.length > 0) {
        const deadline = Date.now() + SHRINK_BUDGET_MS;
        const parts: string[] = [];
        for (const { index, v } of bad.slice(0, SHRINK_AT_MOST)) {
          const text = traces[index]!;
          const small = await shrink(bin, dir, text, deadline);
          writeFileSync(join(dir, 'shrink.trace'), small);
          const sv = {
            linux: await oracleAsync(bin, [join(dir, 'shrink.trace')]),
            ...(() => {
              const e = emulate(small);
              return { emu: e.out, pagesLeft: e.pagesLeft };
            })(),
          };
          parts.push(report(`seed ${SEED} index ${index}: original trace`, text, v));
          parts.push(report(`seed ${SEED} index ${index}: shrunk`, small, sv));
        }
        const msg =
          `${bad.length} of ${traces.length} random traces differ from Linux ` +
          `(SPLICEKIT_SEED=${SEED} reproduces; indices ${bad
            .slice(0, 50)
            .map((b) => b.index)
            .join(', ')}${bad.length > 50 ? ', ...' : ''})\n\n` +
          parts.join('\n\n');
        console.log(msg);
        expect.fail(msg);
      }
    } finally {
      if (KEEP) console.log(`differential: traces kept in ${dir}`);
      else rmSync(dir, { recursive: true, force: true });
    }
  });
});
