// A WASI program's memory, made the host's: the module is rewritten at load
// time so that its one memory is imported (as env.memory) instead of
// defined, shared where the platform allows, with the limits it had. The
// host then creates that memory, and the machine can reference its pages:
// vmsplice maps them, as Linux maps a process's own pages. Any wasm32-wasi
// binary works unchanged; a module with no memory, or several, or a 64-bit
// one, is left as it is (its vmsplice then copies).
//
// Binary format: https://webassembly.github.io/spec/core/binary/modules.html

const IMPORT = 2;
const MEMORY = 5;
const KIND_MEMORY = 2;
/** Limits flags: bit 0 a maximum follows, bit 1 shared, bit 2 64-bit. */
const HAS_MAX = 1;
const SHARED = 2;
const IS_64 = 4;
/** 4 GiB: a wasm32 memory's most pages, for a memory that names no maximum. */
export const DEFAULT_MAXIMUM = 65536;

export interface ImportedMemory {
  /** The module, its memory imported as env.memory. */
  bytes: Uint8Array;
  /** The memory to give it (create with these, `shared` as asked). */
  initial: number;
  maximum: number;
  shared: boolean;
}

interface Section {
  id: number;
  /** The payload's bounds in the module. */
  start: number;
  end: number;
}

class Reader {
  constructor(
    readonly b: Uint8Array,
    public at = 0,
  ) {}
  byte(): number {
    if (this.at >= this.b.length) throw new RangeError('truncated module');
    return this.b[this.at++]!;
  }
  u32(): number {
    let v = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const c = this.byte();
      v += (c & 0x7f) * 2 ** shift;
      if (!(c & 0x80)) return v;
    }
    throw new RangeError('bad LEB128');
  }
  skip(n: number): void {
    if (this.at + n > this.b.length) throw new RangeError('truncated module');
    this.at += n;
  }
  name(): void {
    this.skip(this.u32());
  }
}

function leb(v: number): number[] {
  const out: number[] = [];
  do {
    let c = v % 128;
    v = Math.floor(v / 128);
    if (v > 0) c |= 0x80;
    out.push(c);
  } while (v > 0);
  return out;
}

const utf8 = (s: string) => [...new TextEncoder().encode(s)];

function sections(b: Uint8Array): Section[] {
  const r = new Reader(b, 8);
  const out: Section[] = [];
  while (r.at < b.length) {
    const id = r.byte();
    const size = r.u32();
    out.push({ id, start: r.at, end: r.at + size });
    r.skip(size);
  }
  return out;
}

/** Skips one import's description; returns the limits' offset if it is a memory. */
function skipImportDesc(r: Reader): number | undefined {
  const kind = r.byte();
  switch (kind) {
    case 0:
      r.u32();
      return undefined; // function: type index
    case 1:
      r.byte();
      skipLimits(r);
      return undefined; // table: reftype, limits
    case KIND_MEMORY: {
      const at = r.at;
      skipLimits(r);
      return at;
    }
    case 3:
      r.byte();
      r.byte();
      return undefined; // global: valtype, mutability
    case 4:
      r.byte();
      r.u32();
      return undefined; // tag: attribute, type index
    default:
      throw new RangeError(`unknown import kind ${kind}`);
  }
}

function skipLimits(r: Reader): void {
  const flags = r.byte();
  r.u32();
  if (flags & HAS_MAX) r.u32();
}

/**
 * The module with its memory imported (or its imported memory made
 * shared), or undefined when it cannot be: no memory, several, or 64-bit.
 */
export function importMemory(module: Uint8Array, shared: boolean): ImportedMemory | undefined {
  if (module.length < 8 || module[0] !== 0 || module[1] !== 0x61 || module[2] !== 0x73 || module[3] !== 0x6d) return undefined;
  const list = sections(module);
  const mem = list.filter((s) => s.id === MEMORY);
  const imp = list.find((s) => s.id === IMPORT);
  // Imported memories, and where their limits are.
  const imported: number[] = [];
  let count = 0;
  if (imp) {
    const r = new Reader(module, imp.start);
    count = r.u32();
    for (let i = 0; i < count; i++) {
      r.name();
      r.name();
      const at = skipImportDesc(r);
      if (at !== undefined) imported.push(at);
    }
  }
  let defined = 0;
  let limitsAt = -1;
  if (mem.length === 1) {
    const r = new Reader(module, mem[0]!.start);
    defined = r.u32();
    limitsAt = r.at;
  }
  if (imported.length + defined !== 1) return undefined;
  const r = new Reader(module, imported.length === 1 ? imported[0]! : limitsAt);
  const flags = r.byte();
  if (flags & IS_64) return undefined;
  const initial = r.u32();
  const maximum = flags & HAS_MAX ? r.u32() : DEFAULT_MAXIMUM;
  const limits = [HAS_MAX | (shared ? SHARED : 0), ...leb(initial), ...leb(maximum)];
  // The new module, in pieces: small arrays of numbers, or untouched spans of the old one.
  const out: (number[] | Uint8Array)[] = [module.subarray(0, 8)];
  const section = (id: number, parts: (number[] | Uint8Array)[]) => {
    const size = parts.reduce((n, p) => n + p.length, 0);
    out.push([id, ...leb(size)], ...parts);
  };
  const entry = [...leb(3), ...utf8('env'), ...leb(6), ...utf8('memory'), KIND_MEMORY, ...limits];
  let placed = false;
  for (const s of list) {
    if (s.id === MEMORY) continue; // its one memory is the import now
    if (s.id === IMPORT && imported.length === 1) {
      // The imported memory's new limits in place of its old ones.
      const old = new Reader(module, imported[0]!);
      skipLimits(old);
      section(IMPORT, [module.subarray(s.start, imported[0]!), limits, module.subarray(old.at, s.end)]);
      placed = true;
      continue;
    }
    if (s.id === IMPORT) {
      // One more import, last (imported memories come before defined ones: it is memory 0).
      const head = new Reader(module, s.start);
      head.u32();
      section(IMPORT, [leb(count + 1), module.subarray(head.at, s.end), entry]);
      placed = true;
      continue;
    }
    // No import section: one goes before the first known section after the types.
    if (!placed && s.id !== 0 && s.id > IMPORT) {
      section(IMPORT, [leb(1), entry]);
      placed = true;
    }
    section(s.id, [module.subarray(s.start, s.end)]);
  }
  if (!placed) section(IMPORT, [leb(1), entry]);
  const bytes = new Uint8Array(out.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of out) {
    bytes.set(p, at);
    at += p.length;
  }
  return { bytes, initial, maximum, shared };
}

/**
 * A program ready to run on a memory of the host's: the module with its
 * memory imported, and that memory (shared where asked), or undefined when
 * the module cannot be rewritten (see importMemory).
 */
export function guestMemory(module: Uint8Array, shared: boolean): { bytes: Uint8Array; memory: WebAssembly.Memory } | undefined {
  const m = importMemory(module, shared);
  if (!m) return undefined;
  const memory = new WebAssembly.Memory(shared ? { initial: m.initial, maximum: m.maximum, shared: true } : { initial: m.initial, maximum: m.maximum });
  return { bytes: m.bytes, memory };
}

/** The bytes of a BufferSource, as a Uint8Array. */
export function bytesOf(b: BufferSource): Uint8Array {
  return b instanceof Uint8Array ? b : ArrayBuffer.isView(b) ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength) : new Uint8Array(b);
}
