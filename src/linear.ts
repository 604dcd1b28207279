// A process's own linear memory (a WASI guest's), a space of its machine:
// vmsplice maps its pages into a pipe by reference, as Linux maps the pages
// of the process that calls it, so a guest that rewrites its buffer before
// the reader reads changes what the reader reads (the 2006 hazard).
//
// Linux maps the shared zero page for anonymous memory never written; a
// Wasm memory starts zeroed and its writes are not seen, so a page counts
// as written once it has been seen holding a non-zero byte (for good, as a
// page Linux faulted in stays).

import { PAGE_SIZE } from './constants.js';
import { foreignPage } from './spaces.js';
import type { UserBuffer } from './types.js';

/** What the zero-page rule needs of the machine. */
export interface ZeroPage {
  /** The machine's zero page. */
  readonly zeroPage: number;
  /** Whether the machine maps it for never-written memory (see MachineOptions.sharedZeroPage). */
  readonly sharedZeroPage: boolean;
}

export class LinearMemory {
  /** The whole memory as a user buffer: iovecs into it are the process's own pages. */
  readonly buffer: UserBuffer;
  private written = new Uint8Array(0);

  constructor(
    private readonly k: ZeroPage,
    readonly memory: WebAssembly.Memory,
    readonly space: number,
  ) {
    const self = this;
    this.buffer = {
      addr: 0,
      space,
      // A memory that grew has a new buffer: read it each time.
      get length() {
        return self.memory.buffer.byteLength;
      },
      get bytes() {
        return new Uint8Array(self.memory.buffer);
      },
    };
  }

  /** Whether [offset, offset + length) lies inside the memory now. */
  contains(offset: number, length: number): boolean {
    return offset + length <= this.memory.buffer.byteLength;
  }

  /**
   * Writes the core's vmsplice-in entries (u32 first page, offset, length)
   * for [offset, offset + length) at entry `n` of `out`; returns the entry
   * count after them. A stretch of written pages is one entry; a page still
   * never written (all zeros) is the zero page, where the machine has one.
   */
  entries(out: Uint32Array, n: number, offset: number, length: number): number {
    let off = offset;
    const stop = offset + length;
    while (off < stop) {
      const gpage = Math.floor(off / PAGE_SIZE);
      const zero = this.isZeroMapped(gpage);
      let end = Math.min(stop, (gpage + 1) * PAGE_SIZE);
      while (!zero && end < stop && !this.isZeroMapped(Math.floor(end / PAGE_SIZE))) end = Math.min(stop, end + PAGE_SIZE);
      const at = n * 3;
      out[at] = zero ? this.k.zeroPage : foreignPage(this.space, gpage);
      out[at + 1] = off % PAGE_SIZE;
      out[at + 2] = end - off;
      n++;
      off = end;
    }
    return n;
  }

  /** Never seen written and all zeros: Linux has the zero page mapped there. */
  private isZeroMapped(gpage: number): boolean {
    if (!this.k.sharedZeroPage) return false;
    if (gpage < this.written.length && this.written[gpage]) return false;
    const words = new Uint32Array(this.memory.buffer, gpage * PAGE_SIZE, PAGE_SIZE / 4);
    for (let i = 0; i < words.length; i++) {
      if (words[i] !== 0) {
        this.markWritten(gpage);
        return false;
      }
    }
    return true;
  }

  private markWritten(gpage: number): void {
    if (gpage >= this.written.length) {
      const grown = new Uint8Array(Math.max(gpage + 1, this.written.length * 2));
      grown.set(this.written);
      this.written = grown;
    }
    this.written[gpage] = 1;
  }
}
