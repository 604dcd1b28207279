// Kernels a test makes, destroyed after each test with the machine checked
// whole: no page, ring memory, open file or process left.

import { afterEach, expect } from 'vitest';
import { SyscallError, WouldBlock } from '../../src/errors.js';
import { Kernel, type KernelOptions } from '../../src/kernel.js';

let kernels: Kernel[] = [];

afterEach(() => {
  for (const k of kernels) {
    k.destroy();
    const st = k.stats();
    expect({ pages: st.pagesInUse, ringMemory: st.ringMemoryInUse, files: st.files, processes: st.processes }).toEqual({
      pages: 0,
      ringMemory: 0,
      files: 0,
      processes: 0,
    });
  }
  kernels = [];
});

/** A kernel destroyed (and checked) after the test. */
export function kernel(opts: KernelOptions = {}): Kernel {
  const k = new Kernel(opts);
  kernels.push(k);
  return k;
}

/** What a call came to: 'ok', its errno name, or 'BLOCK' (WouldBlock); anything else is thrown on. */
export function outcome(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof WouldBlock) return 'BLOCK';
    if (e instanceof SyscallError) return e.code;
    throw e;
  }
  return 'ok';
}
