// A process's own linear memory (a WASI guest's) is a space of its machine:
// vmsplice maps its pages into pipes by reference, copies that Linux makes
// read from them, and the memory stays reachable while a pipe references
// one of its pages, after the process has ended too.

import { describe, expect, it } from 'vitest';
import { LAYOUT } from '../src/core.js';
import { O_CREAT, O_RDWR, SPLICE_F_NONBLOCK } from '../src/constants.js';
import { isForeign } from '../src/spaces.js';
import { DEFAULT_MAXIMUM, importMemory } from '../src/wasi/import-memory.js';
import { kernel } from './support/kernels.js';
import { TRAP } from './support/tiny-modules.mjs';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const PAGE = 4096;

/** A process with a fresh linear memory of `pages` Wasm pages; returns it and the buffer that stands for it. */
function guest(k: ReturnType<typeof kernel>, pages = 2) {
  const p = k.process();
  const memory = new WebAssembly.Memory({ initial: pages, maximum: 64, shared: true });
  const mem = p.useMemory(memory);
  const at = (addr: number, s: string) => new Uint8Array(memory.buffer).set(enc(s), addr);
  return { p, memory, mem, at };
}

describe("vmsplice of a process's own memory", () => {
  it('puts its pages in the pipe: a later change reaches the reader, through tee too', () => {
    const k = kernel();
    const { p, mem, at } = guest(k);
    const [r, w] = p.pipe();
    const [r2, w2] = p.pipe();
    at(100, 'first');
    expect(p.vmsplice(w, [{ buf: mem, offset: 100, length: 5 }], 0)).toBe(5);
    const slot = k.snapshot().rings.find((x) => x.ring === p.describe(r)!.ring)!.slots[0]!;
    expect(isForeign(slot.page)).toBe(true);
    at(100, 'FIRST');
    expect(p.tee(r, w2, 5, 0)).toBe(5);
    expect(dec(p.read(r, 5))).toBe('FIRST');
    at(100, 'third');
    expect(dec(p.read(r2, 5))).toBe('third');
    // One reference per slot, counted on the space.
    expect(k.stats().pagesInUse).toBe(0);
  });

  it("splits an iovec at page boundaries, and splice into a file copies from the process's page", () => {
    const k = kernel();
    const { p, mem, at } = guest(k);
    const [r, w] = p.pipe();
    at(PAGE - 3, 'abcdefgh');
    expect(p.vmsplice(w, [{ buf: mem, offset: PAGE - 3, length: 8 }], 0)).toBe(8);
    const ring = k.snapshot().rings.find((x) => x.ring === p.describe(r)!.ring)!;
    expect(ring.slots.map((s) => [s.offset, s.len])).toEqual([
      [PAGE - 3, 3],
      [0, 5],
    ]);
    const f = p.open('file', O_RDWR | O_CREAT);
    expect(p.splice(r, null, f, { value: 0 }, 8, 0)).toBe(8);
    at(PAGE - 3, 'XXXXXXXX');
    expect(dec(p.read(f, 8))).toBe('abcdefgh');
  });

  it("reading out of a pipe into the process's memory (vmsplice from a read end) lands there", () => {
    const k = kernel();
    const { p, memory, mem } = guest(k);
    const [r, w] = p.pipe();
    p.write(w, enc('hello'));
    expect(
      p.vmsplice(
        r,
        [
          { buf: mem, offset: 50, length: 3 },
          { buf: mem, offset: 8000, length: 9 },
        ],
        0,
      ),
    ).toBe(5);
    const bytes = new Uint8Array(memory.buffer);
    expect(dec(bytes.subarray(50, 53)) + dec(bytes.subarray(8000, 8002))).toBe('hello');
  });

  it("an iovec past the memory's end is EFAULT; the memory that grew is reachable", () => {
    const k = kernel();
    const { p, memory, mem, at } = guest(k, 1);
    const [, w] = p.pipe(0);
    expect(() => p.vmsplice(w, [{ buf: mem, offset: 65530, length: 10 }], SPLICE_F_NONBLOCK)).toThrow(/EFAULT/);
    memory.grow(1);
    at(65530, '0123456789');
    expect(p.vmsplice(w, [{ buf: mem, offset: 65530, length: 10 }], SPLICE_F_NONBLOCK)).toBe(10);
  });

  it("a page never written is the shared zero page, as on Linux; once written, the process's own", () => {
    const k = kernel();
    const { p, mem, at } = guest(k);
    const [r, w] = p.pipe();
    p.vmsplice(w, [{ buf: mem, offset: 0, length: 4 }], 0);
    at(0, 'late');
    expect([...p.read(r, 4)]).toEqual([0, 0, 0, 0]);
    p.vmsplice(w, [{ buf: mem, offset: 0, length: 4 }], 0);
    at(0, 'LATE');
    expect(dec(p.read(r, 4))).toBe('LATE');
    // A kernel that never maps the zero page: the process's page at once.
    const k2 = kernel({ sharedZeroPage: false });
    const g = guest(k2);
    const [r2, w2] = g.p.pipe();
    g.p.vmsplice(w2, [{ buf: g.mem, offset: 0, length: 4 }], 0);
    g.at(0, 'late');
    expect(dec(g.p.read(r2, 4))).toBe('late');
  });

  it("the loan of a process's pages is a view of its memory", () => {
    const k = kernel();
    const { p, mem, at } = guest(k);
    const [r, w] = p.pipe();
    at(10, 'lent');
    p.vmsplice(w, [{ buf: mem, offset: 10, length: 4 }], 0);
    const loan = p.vmspliceLoan(r, 10, 0);
    at(10, 'LENT');
    expect(dec(loan.views[0]!)).toBe('LENT');
    loan.release();
  });
});

describe("the process's memory outlives it while a pipe holds its pages", () => {
  it('after exit the reader still reads them; the last reference lets the space go, and its id is used again', () => {
    const k = kernel();
    const { p, memory, mem, at } = guest(k);
    const [r, w] = k.pipe();
    const child = k.process({ 1: w });
    k.close(w);
    const space = mem.space!;
    expect(space).toBeGreaterThan(0);
    at(0, 'still here');
    const cm = new WebAssembly.Memory({ initial: 1, maximum: 4, shared: true });
    const cbuf = child.useMemory(cm);
    new Uint8Array(cm.buffer).set(enc('from child'), 200);
    child.vmsplice(1, [{ buf: cbuf, offset: 200, length: 10 }], 0);
    child.exit(0);
    expect(k.machine.spaces.get(cbuf.space!)).toBe(cm);
    expect(dec(k.read(r, 10))).toBe('from child');
    // The read dropped the last reference: the space is gone, and the next one takes its id.
    expect(k.machine.spaces.get(cbuf.space!)).toBeUndefined();
    const next = k.process().useMemory(new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }));
    expect(next.space).toBe(cbuf.space);
    p.exit(0);
    expect(k.machine.spaces.get(space)).toBeUndefined();
    expect(memory.buffer.byteLength).toBeGreaterThan(0);
  });

  it('a process has one memory; ids run out at MAX_SPACES', () => {
    const k = kernel();
    const { p } = guest(k);
    expect(() => p.useMemory(new WebAssembly.Memory({ initial: 1, maximum: 1 }))).toThrow(TypeError);
    expect(LAYOUT.MAX_SPACES).toBe(2048);
  });
});

describe("importMemory: a WASI binary's memory made the host's", () => {
  const tiny = TRAP as Uint8Array;

  it('moves a defined memory into the imports, shared, with its limits; the module still validates', () => {
    const m = importMemory(tiny, true)!;
    expect([m.initial, m.maximum, m.shared]).toEqual([1, DEFAULT_MAXIMUM, true]);
    expect(WebAssembly.validate(m.bytes as BufferSource)).toBe(true);
    const mod = new WebAssembly.Module(m.bytes as BufferSource);
    expect(WebAssembly.Module.imports(mod)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
    expect(
      WebAssembly.Module.exports(mod)
        .map((e) => e.name)
        .sort(),
    ).toEqual(['_start', 'memory']);
    const memory = new WebAssembly.Memory({ initial: 1, maximum: DEFAULT_MAXIMUM, shared: true });
    const inst = new WebAssembly.Instance(mod, { env: { memory } });
    expect(inst.exports.memory).toBe(memory);
    // Run again on its own output: the imported memory's limits are patched in place.
    const again = importMemory(m.bytes, false)!;
    expect(WebAssembly.validate(again.bytes as BufferSource)).toBe(true);
    expect(again.bytes.length).toBe(m.bytes.length);
  });

  it('leaves alone what it cannot rewrite: not Wasm, no memory', () => {
    expect(importMemory(enc('not wasm at all'), true)).toBeUndefined();
    const noMemory = Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
    expect(importMemory(noMemory, true)).toBeUndefined();
  });
});
