// The slot arena: a buddy allocator for rings' slot arrays, so a ring takes
// memory for the slots it has (16 for a new pipe, 2 past the per-user soft
// limit, up to RING_CAP for a socket queue), as alloc_pipe_info() and
// pipe_resize_ring() kcalloc theirs, instead of a fixed array per ring.
//
// Blocks are 2^k units of 32 bytes (one slot), k < SLAB_ORDERS. A free
// block's first two words link it into its order's list (unit index + 1,
// 0 for none); SLAB_MAP holds a byte per unit, order + 1 where a free block
// starts, so a freed block finds its buddy free in one load. Top-order
// blocks never handed out lie past the fresh cursor, untouched: memory the
// runtime has not committed stays that way.

import {
  sb, SB_SLAB_UNITS, SB_SLAB_FRESH, SB_SLAB_FREE, SLAB, SLAB_MAP, SLAB_ORDERS, SLAB_UNIT,
} from "./layout";
import { lockPool, unlockPool } from "./stack";

const TOP: u32 = SLAB_ORDERS - 1;

@inline function unitAddr(u: u32): usize { return SLAB + <usize>u * SLAB_UNIT; }
@inline function headAddr(order: u32): usize { return sb(SB_SLAB_FREE) + (<usize>order << 2); }
@inline function mark(u: u32, v: u8): void { store<u8>(SLAB_MAP + <usize>u, v); }

export function slabInit(units: u32): void {
  store<u32>(sb(SB_SLAB_UNITS), units);
  store<u32>(sb(SB_SLAB_FRESH), 0);
  for (let k: u32 = 0; k < SLAB_ORDERS; k++) store<u32>(headAddr(k), 0);
  memory.fill(SLAB_MAP, 0, <usize>units);
}

function push(u: u32, order: u32): void {
  const first = load<u32>(headAddr(order));
  store<u32>(unitAddr(u), first);
  store<u32>(unitAddr(u), 0, 4);
  if (first != 0) store<u32>(unitAddr(first - 1), u + 1, 4);
  store<u32>(headAddr(order), u + 1);
  mark(u, <u8>(order + 1));
}

function unlink(u: u32, order: u32): void {
  const next = load<u32>(unitAddr(u));
  const prev = load<u32>(unitAddr(u), 4);
  if (prev != 0) store<u32>(unitAddr(prev - 1), next);
  else store<u32>(headAddr(order), next);
  if (next != 0) store<u32>(unitAddr(next - 1), prev, 4);
  mark(u, 0);
}

/** The smallest order whose block holds `slots` slots. */
export function orderOf(slots: u32): u32 {
  return slots <= 1 ? 0 : 32 - clz<u32>(slots - 1);
}

/** A block of 2^order units, its address, or 0 when the arena has none. */
export function slabAlloc(order: u32): usize {
  lockPool();
  let k = order;
  while (k < SLAB_ORDERS && load<u32>(headAddr(k)) == 0) k++;
  let u: u32;
  if (k < SLAB_ORDERS) {
    u = load<u32>(headAddr(k)) - 1;
    unlink(u, k);
  } else {
    const fresh = load<u32>(sb(SB_SLAB_FRESH));
    if (fresh + (1 << TOP) > load<u32>(sb(SB_SLAB_UNITS))) {
      unlockPool();
      return 0;
    }
    store<u32>(sb(SB_SLAB_FRESH), fresh + (1 << TOP));
    u = fresh;
    k = TOP;
  }
  // Split down to the order asked for; the upper halves go on the free lists.
  while (k > order) {
    k--;
    push(u + (1 << k), k);
  }
  unlockPool();
  return unitAddr(u);
}

/** Returns a block of 2^order units, merging it with its free buddies. */
export function slabFree(addr: usize, order: u32): void {
  lockPool();
  let u = <u32>((addr - SLAB) / SLAB_UNIT);
  let k = order;
  while (k < TOP) {
    const b = u ^ (1 << k);
    if (load<u8>(SLAB_MAP + <usize>b) != <u8>(k + 1)) break;
    unlink(b, k);
    u = min(u, b);
    k++;
  }
  push(u, k);
  unlockPool();
}

/** Units in free blocks and never handed out (for tests: the arena is whole again). */
export function slabFreeUnits(): u32 {
  let n = load<u32>(sb(SB_SLAB_UNITS)) - load<u32>(sb(SB_SLAB_FRESH));
  for (let k: u32 = 0; k < SLAB_ORDERS; k++) {
    for (let u = load<u32>(headAddr(k)); u != 0; u = load<u32>(unitAddr(u - 1))) n += 1 << k;
  }
  return n;
}
