// Lending a pipe's pages to the reader: the buffers move into a private
// ring of the core (so the pipe no longer holds them) and the reader gets
// views of their pages; releasing the loan drops the references.

import { PAGE_SIZE } from './constants.js';
import type { Kernel } from './kernel.js';

export interface Loan {
  /** Bytes lent: the views' lengths add up to this. */
  readonly count: number;
  /** One view per buffer, of its page at its offset and length. */
  readonly views: Uint8Array[];
  /** Ends the loan; the pages return to the pool when nobody else holds them. */
  release(): void;
}

const NO_LOAN: Loan = { count: 0, views: [], release() {} };

/** Moves up to `len` bytes of buffers out of ring `r` into a loan. */
export function lend(k: Kernel, r: number, len: number): Loan {
  if (len === 0 || k.core.occupancy(r) === 0) return NO_LOAN;
  const ring = k.core.ringNew(k.core.ringCap());
  if (ring < 0) throw new RangeError('no ring left for a loan');
  const count = k.core.move(r, ring, len, k.core.ringCap(), 0xffffffff);
  k.wake();
  const buffer = k.memory.buffer;
  const words = new Uint32Array(buffer);
  const views: Uint8Array[] = [];
  // The loan ring is fresh: its slots sit from index 0 up, `stride` words apart.
  const stride = k.core.slotSize() / 4;
  const first = (k.core.ringSlots() + ring * k.core.ringCap() * k.core.slotSize()) / 4;
  const slots = k.core.ringHead(ring);
  for (let i = 0, at = first; i < slots; i++, at += stride) {
    views.push(new Uint8Array(buffer, k.pages + words[at] * PAGE_SIZE + words[at + 1], words[at + 2]));
  }
  let open = true;
  return {
    count,
    views,
    release() {
      if (!open) return;
      open = false;
      k.core.ringFree(ring);
      k.settle();
    },
  };
}
