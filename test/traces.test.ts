// Every recorded trace gives Linux's output on the emulator, and leaves
// no page behind; on Linux the native runner proves the recordings current.

import { describe, expect, it } from 'vitest';
import { Kernel } from '../src/kernel.js';
import { parseTrace } from '../src/trace/parse.js';
import { runTrace } from '../src/trace/run.js';
import { buildOracle, canRunOracle, expectedOn, kernelMapsZeroPage, recordedTraces, runOracle } from './support/traces.js';

const traces = recordedTraces();

describe('recorded traces on the emulator', () => {
  it('has a corpus of at least 100 traces', () => {
    expect(traces.length).toBeGreaterThanOrEqual(100);
  });

  for (const t of traces) {
    it(t.path, () => {
      const kernel = new Kernel();
      const before = kernel.stats().pagesInUse;
      const out = runTrace(parseTrace(t.source, t.path), kernel);
      kernel.destroy();
      expect(out.map((l) => `${l}\n`).join('')).toBe(t.expected);
      expect(kernel.stats().pagesInUse).toBe(before);
    });
  }

  it('as on a kernel without the shared zero page, where the recordings differ', () => {
    const variants = traces.filter((t) => t.expectedNoZero !== undefined);
    expect(variants.length).toBeGreaterThanOrEqual(3);
    for (const t of variants) {
      const kernel = new Kernel({ sharedZeroPage: false });
      const out = runTrace(parseTrace(t.source, t.path), kernel);
      kernel.destroy();
      expect(out.map((l) => `${l}\n`).join(''), t.path).toBe(t.expectedNoZero);
      expect(kernel.stats().pagesInUse).toBe(0);
    }
  });
});

describe.runIf(canRunOracle)('recordings match this Linux kernel', () => {
  it('native runner reproduces every .expected', { timeout: 300_000 }, () => {
    const bin = buildOracle();
    const zeroPage = kernelMapsZeroPage(bin);
    const out = runOracle(
      bin,
      traces.map((t) => t.path),
    );
    const want = traces.map((t) => `== ${t.path}\n${expectedOn(t, zeroPage)}`).join('');
    expect(out).toBe(want);
  });
});
