// A process's user memory for vmsplice: contiguous runs of pool pages with
// a flat view. Each process has its own; the pages come from the machine's
// pool, and a page a pipe still references outlives the buffer (and the
// process) until the pipe lets go.
//
// Linux maps the shared zero page for anonymous memory never written, and
// vmsplice of such memory puts the zero page in the pipe: a later write
// gets a fresh page and the reader still sees zeros. We track which pages
// were written (through `touch`, a copy-out, or non-zero contents) to match.

import { PAGE_SIZE } from './constants.js';
import { LinearMemory } from './linear.js';
import type { Machine } from './machine.js';
import type { IoVec, UserBuffer } from './types.js';

interface Run {
  first: number;
  count: number;
  /** Every page written: vmsplice can map the span in one entry, page checks skipped. */
  allWritten: boolean;
}

/** One iovec resolved to its buffer's first page (of a run), or to the process's linear memory. */
export interface Span {
  run: Run | LinearMemory;
  first: number;
  offset: number;
  length: number;
}

export class UserMemory {
  private readonly runs = new Map<UserBuffer, Run>();
  private readonly byAddress = new Map<number, UserBuffer>();
  /** Per user page of the machine: 1 once written. */
  private readonly written: Uint8Array;
  private readonly firstUserPage: number;

  /** The args scratch as words, where the core reads vmsplice entries (see args()). */
  private argsWords: Uint32Array;
  /** The process's own linear memory, once it has one (a WASI guest's). */
  linear: LinearMemory | undefined;

  constructor(private readonly k: Machine) {
    this.written = k.userWritten;
    this.firstUserPage = k.firstUserPage;
    this.argsWords = new Uint32Array(k.memory.buffer, k.args, k.argsSize / 4);
  }

  alloc(length: number): UserBuffer | undefined {
    const count = Math.max(1, Math.ceil(length / PAGE_SIZE));
    const first = this.k.core.userAlloc(count);
    if (first < 0) return undefined;
    this.written.fill(0, first - this.firstUserPage, first - this.firstUserPage + count);
    const addr = this.k.pages + first * PAGE_SIZE;
    const buf = userBuffer(this.k.memory, addr, length);
    this.runs.set(buf, { first, count, allWritten: false });
    this.byAddress.set(addr, buf);
    return buf;
  }

  /** Whether `buf` is this process's (from its alloc, not yet freed). */
  has(buf: UserBuffer): boolean {
    return this.runs.has(buf);
  }

  /** This process's buffer at `addr` (a Worker names buffers by address). */
  at(addr: number): UserBuffer | undefined {
    return this.byAddress.get(addr);
  }

  /** A view of `len` bytes at `addr` if they lie inside one of this process's buffers. */
  view(addr: number, len: number): Uint8Array | undefined {
    for (const buf of this.runs.keys()) {
      if (addr >= buf.addr && addr + len <= buf.addr + buf.length) return new Uint8Array(this.k.memory.buffer, addr, len);
    }
    return undefined;
  }

  free(buf: UserBuffer): void {
    const run = this.runs.get(buf);
    if (!run) return;
    this.runs.delete(buf);
    this.byAddress.delete(buf.addr);
    this.k.core.userFree(run.first, run.count);
  }

  freeAll(): void {
    for (const buf of [...this.runs.keys()]) this.free(buf);
  }

  /** Live buffers, for snapshots. */
  list(): { addr: number; length: number; first: number; count: number }[] {
    return [...this.runs].map(([buf, run]) => ({ addr: buf.addr, length: buf.length, ...run }));
  }

  touch(buf: UserBuffer, offset: number, length: number): void {
    const run = this.runs.get(buf);
    if (run && length > 0) this.mark(run.first, offset, length);
  }

  private mark(first: number, offset: number, length: number): void {
    const a = first - this.firstUserPage + Math.floor(offset / PAGE_SIZE);
    const b = first - this.firstUserPage + Math.floor((offset + length - 1) / PAGE_SIZE);
    this.written.fill(1, a, b + 1);
  }

  /** The args words, viewed again if the pool's growth detached them (an unshared memory). */
  private args(): Uint32Array {
    if (this.argsWords.length === 0) this.argsWords = new Uint32Array(this.k.memory.buffer, this.k.args, this.k.argsSize / 4);
    return this.argsWords;
  }

  /** The process's linear memory joins its machine as `space`: vmsplice maps its pages. */
  useLinear(memory: WebAssembly.Memory, space: number): LinearMemory {
    this.linear = new LinearMemory(this.k, memory, space);
    return this.linear;
  }

  /** Whether any span lies in the linear memory (which the core cannot copy into). */
  hasLinear(spans: Span[]): boolean {
    return spans.some((s) => s.run instanceof LinearMemory);
  }

  /** Resolves iovecs to spans, or undefined when one lies outside its buffer (EFAULT). */
  spans(iov: IoVec[]): Span[] | undefined {
    const out: Span[] = [];
    for (const v of iov) {
      if (this.linear && v.buf === this.linear.buffer) {
        if (!this.linear.contains(v.offset, v.length)) return undefined;
        if (v.length > 0) out.push({ run: this.linear, first: 0, offset: v.offset, length: v.length });
        continue;
      }
      const run = this.runs.get(v.buf);
      if (!run || v.offset < 0 || v.length < 0 || v.offset + v.length > v.buf.length) return undefined;
      if (v.length > 0) out.push({ run, first: run.first, offset: v.offset, length: v.length });
    }
    return out;
  }

  /**
   * Writes the core's vmsplice-in entries (u32 first page, offset, length)
   * into the args area, at most `limit` bytes; a never-written all-zero page
   * becomes the zero page. Returns the entry count.
   */
  mapIn(spans: Span[], limit: number): number {
    const out = this.args();
    let n = 0;
    let left = limit;
    for (const s of spans) {
      let off = s.offset;
      let len = Math.min(s.length, left);
      left -= len;
      if (s.run instanceof LinearMemory) {
        n = s.run.entries(out, n, off, len);
        len = 0;
      } else if (this.allWritten(s.run)) {
        out[n * 3] = s.first;
        out[n * 3 + 1] = off;
        out[n * 3 + 2] = len;
        n++;
        len = 0;
      }
      while (len > 0) {
        // The longest stretch of pages whose mapping is of one kind; a
        // zero-page stretch is one page, since its entry names one page.
        const zero = this.isZeroMapped(s.first + (off >>> 12));
        const stop = off + len;
        let end = Math.min(stop, ((off >>> 12) + 1) << 12);
        while (!zero && end < stop && !this.isZeroMapped(s.first + (end >>> 12))) end = Math.min(stop, end + PAGE_SIZE);
        const at = n * 3;
        out[at] = zero ? this.k.zeroPage : s.first;
        out[at + 1] = zero ? off & (PAGE_SIZE - 1) : off;
        out[at + 2] = end - off;
        n++;
        len -= end - off;
        off = end;
      }
      if (left === 0) break;
    }
    return n;
  }

  /** Whether every page of the run was written (checked once, then remembered). */
  private allWritten(run: Run): boolean {
    if (run.allWritten) return true;
    const a = run.first - this.firstUserPage;
    for (let i = a; i < a + run.count; i++) if (!this.written[i]) return false;
    run.allWritten = true;
    return true;
  }

  /** Never written and still all zeros: Linux has the zero page mapped there. */
  private isZeroMapped(page: number): boolean {
    const i = page - this.firstUserPage;
    if (this.written[i] || !this.k.sharedZeroPage) return false;
    const addr = this.k.pages + page * PAGE_SIZE;
    const bytes = new Uint8Array(this.k.memory.buffer, addr, PAGE_SIZE);
    if (bytes.some((b) => b !== 0)) {
      this.written[i] = 1;
      return false;
    }
    return true;
  }

  /** Writes (u32 address, u32 length) pairs for a copy out of a pipe; returns the count. */
  copyOutList(spans: Span[]): number {
    const out = new Uint32Array(this.k.memory.buffer, this.k.args, spans.length * 2);
    spans.forEach((s, i) => {
      out[i * 2] = this.k.pages + s.first * PAGE_SIZE + s.offset;
      out[i * 2 + 1] = s.length;
    });
    return spans.length;
  }

  /** The first `n` bytes of the spans were written by the kernel. */
  markWritten(spans: Span[], n: number): void {
    for (const s of spans) {
      if (n <= 0) break;
      const m = Math.min(n, s.length);
      if (!(s.run instanceof LinearMemory)) this.mark(s.first, s.offset, m);
      n -= m;
    }
  }

  /** Copies `data` over the spans in order (a copy out of a pipe into linear memory). */
  scatter(spans: Span[], data: Uint8Array): void {
    let at = 0;
    for (const s of spans) {
      if (at >= data.length) break;
      const n = Math.min(s.length, data.length - at);
      const base = s.run instanceof LinearMemory ? 0 : this.k.pages + s.first * PAGE_SIZE;
      const mem = s.run instanceof LinearMemory ? s.run.memory : this.k.memory;
      new Uint8Array(mem.buffer, base + s.offset, n).set(data.subarray(at, at + n));
      at += n;
    }
  }
}

/**
 * A buffer whose `bytes` stay usable when the pool grows: growing an
 * unshared memory detaches its old buffer (a shared one's views go on
 * working), so `bytes` is viewed again then. A view kept from before a
 * growth is detached all the same, as WebAssembly.Memory.grow documents.
 */
function userBuffer(memory: WebAssembly.Memory, addr: number, length: number): UserBuffer {
  let view = new Uint8Array(memory.buffer, addr, length);
  return {
    addr,
    length,
    get bytes() {
      if (view.byteLength === 0 && length > 0) view = new Uint8Array(memory.buffer, addr, length);
      return view;
    },
  };
}
