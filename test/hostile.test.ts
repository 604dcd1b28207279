// Hostile input: random calls of every public method with well-formed and
// malformed arguments, over a world of pipes, files, sockets, devices,
// buffers, processes, exported ends and loans (test/support/hostile.ts).
// Only documented errors may come out; counts and offsets agree with what
// moved; destroy() makes the pool whole and settles every awaiting call.
// SPLICEKIT_FUZZ_CALLS sets how many calls in all (default 10^5);
// SPLICEKIT_FUZZ_SEED replays a run (a failure prints its seed and path).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { property, stepsRun } from './support/hostile.js';

const CALLS = Number(process.env.SPLICEKIT_FUZZ_CALLS ?? 100_000);
const SEED = process.env.SPLICEKIT_FUZZ_SEED !== undefined ? Number(process.env.SPLICEKIT_FUZZ_SEED) : undefined;
const PATH = process.env.SPLICEKIT_FUZZ_PATH;
/** Calls a world takes at most. */
const PER_WORLD = 400;

describe('hostile callers', () => {
  it(`${CALLS} random calls, well-formed and malformed: only documented errors, nothing lost, the pool whole`, async () => {
    const result = await fc.check(property(PER_WORLD), {
      // Lengths are drawn up to PER_WORLD, a little under half of it on average: a margin keeps the total above CALLS.
      numRuns: Math.max(1, Math.ceil(CALLS / (0.35 * PER_WORLD))),
      seed: SEED,
      path: PATH,
      endOnFailure: false,
    });
    // What broke, and the seed and path that replay it.
    const report = result.failed
      ? `${(result.errorInstance as Error)?.message}\nreplay: npm run fuzz -- --calls ${CALLS} --seed ${result.seed} --path ${result.counterexamplePath}`
      : undefined;
    expect(report).toBeUndefined();
    expect(stepsRun).toBeGreaterThanOrEqual(CALLS);
  }, 600_000);
});
