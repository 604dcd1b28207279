// The lab's pipeline lessons (lab/pipelines/): each names programs that the
// build compiled (scripts/lab-programs.mjs) from their source in examples/c;
// and, with gcc, each pipeline run natively again prints what was recorded
// on Linux (a racy pipeline: one of the outputs recorded, by its byte count
// at least).

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collectPipelineLessons } from '../../src/lab/pipeline-lessons.js';
import { EXAMPLES, HAVE_GCC, INCLUDE, ROOT } from '../wasi/toolchain.js';

const DIR = join(ROOT, 'lab/pipelines');
const WASM = join(DIR, 'wasm');
const files = Object.fromEntries(
  readdirSync(DIR)
    .filter((f) => /^\d\d-/.test(f))
    .map((f) => [f, readFileSync(join(DIR, f), 'utf8')]),
);
const lessons = collectPipelineLessons(files);
const programs = [...new Set(lessons.flatMap((l) => l.runs.flatMap((r) => r.commands.map((c) => c.name))))];

const scratch = mkdtempSync(join(tmpdir(), 'splicekit-pipelines-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('pipeline lessons', () => {
  it('lessons 8 to 10: two pipelines, each with Linux outputs, and a program to write', () => {
    expect(lessons.map((l) => `${l.number} ${l.title}`)).toEqual(['8 The double buffer, for real', '9 A pipeline of three programs', '10 Write your own']);
    for (const l of lessons.filter((x) => x.program === undefined)) {
      expect(l.pipeSize).toBe(16384);
      expect(l.html).not.toBe('');
      for (const r of l.runs) expect(r.linux.length, `${l.id}: ${r.label}`).toBeGreaterThan(0);
    }
    expect(lessons[2]!.program).toContain('#include "splicekit.h"');
  });

  it('the build compiled every program, from its source in examples/c', () => {
    for (const name of programs) {
      expect(existsSync(join(WASM, `${name}.wasm`)), name).toBe(true);
      expect(existsSync(join(EXAMPLES, `${name}.c`)), name).toBe(true);
    }
  });

  it.runIf(HAVE_GCC)('natively, each pipeline prints what was recorded on Linux', () => {
    const bin = join(scratch, 'bin');
    execFileSync('mkdir', ['-p', bin]);
    for (const name of programs) execFileSync('gcc', ['-O2', `-I${INCLUDE}`, join(EXAMPLES, `${name}.c`), '-o', join(bin, name)]);
    execFileSync('gcc', ['-O2', join(ROOT, 'test/lab/native/pipeline.c'), '-o', join(bin, 'pipeline')]);
    for (const l of lessons) {
      for (const r of l.runs) {
        const words = r.commands.flatMap((c, i) => [...(i > 0 ? ['|'] : []), c.name, ...c.args]);
        const out = execFileSync(join(bin, 'pipeline'), [String(l.pipeSize), ...words], {
          cwd: bin,
          env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
          stdio: ['ignore', 'pipe', 'ignore'],
        }).toString();
        const recorded = r.linux.map((o) => o.output);
        if (recorded.length === 1) expect(out, `${l.id}: ${r.label}`).toBe(recorded[0]);
        else expect(recorded.map((o) => o.split(' ')[0])).toContain(out.split(' ')[0]);
      }
    }
  });
});
