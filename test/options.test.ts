// A machine's and a process's options are checked before anything is made:
// a value the option cannot take, or an option that does not exist, is an
// InvalidArgument naming it, never a Wasm trap or a silent wrap-around.

import { describe, expect, it } from 'vitest';
import { InvalidArgument, Kernel } from '../src/index.js';

const refused = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidArgument);
    return (e as Error).message;
  }
  throw new Error('accepted');
};

describe('options', () => {
  it('out-of-range, wrongly typed and unknown options are refused by name', () => {
    expect(refused(() => new Kernel({ pages: -1 }))).toBe('new Kernel: pages must be an integer from 8 to 262144, got -1');
    expect(refused(() => new Kernel({ pages: 2 ** 32 + 10 }))).toMatch(/pages must be .* got 4294967306/);
    expect(refused(() => new Kernel({ pages: NaN }))).toMatch(/got NaN/);
    expect(refused(() => new Kernel({ pages: '5' as never }))).toMatch(/got '5'/);
    expect(refused(() => new Kernel({ rings: 100000 }))).toMatch(/rings must be an integer from 8 to 65536/);
    expect(refused(() => new Kernel({ ringMemory: -5 }))).toMatch(/ringMemory/);
    expect(refused(() => new Kernel({ shared: 1 as never }))).toBe('new Kernel: shared must be true or false, got 1');
    expect(refused(() => new Kernel({ page: 64 } as never))).toMatch(/unknown option 'page'/);
    expect(refused(() => new Kernel(null as never))).toMatch(/options must be an object, got null/);
    expect(refused(() => new Kernel({ nofile: 2 }))).toMatch(/nofile must be an integer from 3 to 1048576, got 2/);
    // Each within range, but together more than one memory holds.
    expect(refused(() => new Kernel({ pages: 1 << 18, userPages: 1 << 18 }))).toMatch(/more than one memory/);
  });

  it("the smallest machine works, and a process's options and fd map are checked too", () => {
    const k = new Kernel({ pages: 8, userPages: 1, rings: 8, ringMemory: 32 * 1024, maxFiles: 0 });
    expect(k.stats().pagesInUse).toBe(0);
    expect(() => k.pipe()).toThrow(expect.objectContaining({ code: 'ENFILE' }));
    expect(refused(() => k.process({}, { nofile: 1.5 }))).toMatch(/process: nofile must be/);
    expect(refused(() => k.process({}, { inherits: true } as never))).toMatch(/unknown option 'inherits'/);
    expect(refused(() => k.process({ 3: '0' as never }))).toMatch(/process: argument 1 must be an integer/);
    expect(refused(() => k.process([] as never))).toMatch(/fds must be an object/);
    k.destroy();
    expect(k.stats().pagesInUse).toBe(0);
  });
});
