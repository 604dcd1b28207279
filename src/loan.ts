// Lending a pipe's pages to the reader: the buffers move into a private
// ring of the core (so the pipe no longer holds them) and the reader gets
// views of their pages; releasing the loan drops the references. A process
// keeps its loans in a LoanTable, by handle, so they end when it does.

import { LAYOUT } from './core.js';
import { ENOMEM, type Kctx } from './files/kctx.js';
import type { Machine } from './machine.js';

export interface Loan {
  /** The process's handle for the loan (0 for an empty loan, which holds nothing). */
  readonly handle: number;
  /** Bytes lent: the views' lengths add up to this. */
  readonly count: number;
  /** One view per buffer, of its page at its offset and length. */
  readonly views: Uint8Array[];
  /** Ends the loan; the pages return to the pool when nobody else holds them. */
  release(): void;
}

const NO_LOAN: Loan = { handle: 0, count: 0, views: [], release() {} };

const SLOT_WORDS = LAYOUT.SL_SIZE / 4;

export class LoanTable {
  private readonly loans = new Map<number, Loan>();
  private next = 1;

  constructor(private readonly machine: Machine) {}

  /**
   * Moves up to `len` bytes of buffers out of ring `r` into a loan;
   * ENOMEM (as a number) when no ring is left to hold them.
   */
  lend(k: Kctx, r: number, len: number): Loan | number {
    const m = this.machine;
    const have = k.core.occupancy(r);
    if (len === 0 || have === 0) return NO_LOAN;
    const ring = k.core.ringNew(2 ** Math.ceil(Math.log2(have)));
    if (ring < 0) return ENOMEM;
    const count = k.core.move(r, ring, len, have, 0xffffffff);
    m.wake();
    const words = new Uint32Array(m.memory.buffer);
    const views: Uint8Array[] = [];
    // The loan ring is fresh: its slots sit from index 0 up. A page may be a process's own (foreign).
    const first = k.core.ringSlotBase(ring) / 4;
    const slots = k.core.ringHead(ring);
    for (let i = 0, at = first; i < slots; i++, at += SLOT_WORDS) {
      views.push(m.spaces.view(words[at + LAYOUT.SL_PAGE / 4], words[at + LAYOUT.SL_OFFSET / 4], words[at + LAYOUT.SL_LEN / 4]));
    }
    const handle = this.next++;
    let open = true;
    const loan: Loan = {
      handle,
      count,
      views,
      release: () => {
        if (!open) return;
        open = false;
        this.loans.delete(handle);
        k.core.ringFree(ring);
        m.settle();
      },
    };
    this.loans.set(handle, loan);
    return loan;
  }

  get(handle: number): Loan | undefined {
    return this.loans.get(handle);
  }

  get size(): number {
    return this.loans.size;
  }

  /** The process ends: every loan it holds is released. */
  releaseAll(): void {
    for (const loan of [...this.loans.values()]) loan.release();
  }
}
