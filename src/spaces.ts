// Process memories a thread can reach. A process with a linear memory of its
// own (a WASI guest) is a space of the machine: a pipe's slot may reference
// one of its pages (a foreign page, see LAYOUT.FOREIGN), as Linux's pipes
// reference the pages of the process that vmspliced them. The core counts
// those references; the bytes are read here, by the thread that needs them.

import { PAGE_SIZE } from './constants.js';
import { LAYOUT, type ForeignCopy } from './core.js';

/** The foreign page `gpage` of space `space`, as a slot names it. */
export function foreignPage(space: number, gpage: number): number {
  return (LAYOUT.FOREIGN | (space << LAYOUT.SPACE_SHIFT) | gpage) >>> 0;
}

export function isForeign(page: number): boolean {
  return (page & LAYOUT.FOREIGN) !== 0;
}

export function spaceOf(page: number): number {
  return (page >>> LAYOUT.SPACE_SHIFT) & LAYOUT.SPACE_MASK;
}

export function gpageOf(page: number): number {
  return page & LAYOUT.GPAGE_MASK;
}

export class Spaces {
  private readonly memories = new Map<number, WebAssembly.Memory>();

  /** @param memory the machine's memory; @param pages the address of its pool page 0 */
  constructor(
    private readonly memory: WebAssembly.Memory,
    private readonly pages: number,
  ) {}

  set(space: number, memory: WebAssembly.Memory): void {
    this.memories.set(space, memory);
  }

  delete(space: number): void {
    this.memories.delete(space);
  }

  get(space: number): WebAssembly.Memory | undefined {
    return this.memories.get(space);
  }

  /** Every space this thread knows, for handing to another thread. */
  entries(): [number, WebAssembly.Memory][] {
    return [...this.memories];
  }

  /** The core's foreignCopy: from a foreign page into the machine's memory. */
  readonly copy: ForeignCopy = (dst, page, off, len) => {
    const src = this.memories.get(spaceOf(page));
    if (!src) throw new Error(`no memory known for space ${spaceOf(page)}`);
    // The buffer now: a memory that grew has a new one.
    new Uint8Array(this.memory.buffer, dst, len).set(new Uint8Array(src.buffer, gpageOf(page) * PAGE_SIZE + off, len));
  };

  /** A view of `len` bytes at `off` in `page`: a pool page of the machine, or a foreign one. */
  view(page: number, off: number, len: number): Uint8Array {
    if (!isForeign(page)) return new Uint8Array(this.memory.buffer, this.pages + page * PAGE_SIZE + off, len);
    const src = this.memories.get(spaceOf(page));
    if (!src) throw new Error(`no memory known for space ${spaceOf(page)}`);
    return new Uint8Array(src.buffer, gpageOf(page) * PAGE_SIZE + off, len);
  }
}
