// Growth of the page pool: when the kernel free stack runs dry, the memory
// grows and its new pages join the pool, up to the limit the host set
// (Linux allocates pages on demand, mm/page_alloc.c, and fails an
// allocation only at the memory limit: mm/memcontrol.c try_charge_memcg()).
// The metadata was sized for the limit at init, so growth only appends
// pages; every instance on a shared memory sees the grown memory.

import {
  sb, SB_NPAGES, SB_NUSER, SB_MAX_PAGES, SB_GROWN, SB_FREE_TOP, FREE_STACK, PAGES, PAGE_SHIFT, GROW_PAGES,
} from "./layout";
import { lockPool, unlockPool } from "./stack";

/** Kernel pages added by growth so far. */
export function grownPages(): u32 {
  return atomic.load<u32>(sb(SB_GROWN));
}

/** The most kernel pages the pool may have. */
export function maxPages(): u32 {
  return load<u32>(sb(SB_MAX_PAGES));
}

/**
 * Adds up to GROW_PAGES kernel pages to the free stack; returns whether the
 * stack holds a page now (another thread may have grown or freed first).
 */
export function poolGrow(): bool {
  lockPool();
  let ok = load<u32>(sb(SB_FREE_TOP)) != 0;
  if (!ok) ok = growLocked();
  unlockPool();
  return ok;
}

function growLocked(): bool {
  const npages = load<u32>(sb(SB_NPAGES));
  const grown = load<u32>(sb(SB_GROWN));
  const room = load<u32>(sb(SB_MAX_PAGES)) - npages - grown;
  if (room == 0) return false;
  const n = min(room, GROW_PAGES);
  const first = npages + load<u32>(sb(SB_NUSER)) + grown;
  const end = PAGES + (<usize>(first + n) << PAGE_SHIFT);
  const have = <usize>memory.size();
  const need = (end + 0xffff) >>> 16;
  if (need > have && memory.grow(<i32>(need - have)) < 0) return false;
  // The new pages' counts and runs are 0 from init; the lowest goes out first.
  for (let i: u32 = 0; i < n; i++) store<u32>(FREE_STACK + (<usize>i << 2), first + n - 1 - i);
  store<u32>(sb(SB_FREE_TOP), n);
  atomic.store<u32>(sb(SB_GROWN), grown + n);
  return true;
}
