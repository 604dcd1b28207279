// Where the kernel's state lives in the shared memory, and its byte layouts.
//
// Several core instances (one per thread) run on one memory, so nothing here
// may live in Wasm globals except addresses derived from the superblock.
//
// Superblock at BASE (read by every instance, written once by init):
//   0: magic  4: npages  8: nuser  12: nrings  16: free_top  20: pool lock
//  24: ring_free_top  28: user cursor  32: flags (bit 0: 5.16 mode, stale slot flags)
//  36: tag_free_top  40: completion head  44: completion tail  48: completion seq
//  52: threaded (set once another thread may use the kernel: atomics from then on)
//  56: slab units (32-byte units in the slot arena)  60: next thread id
//  64: slab fresh cursor (first top-order block never handed out)
//  68..111: slab free-list heads, one u32 per order (unit index + 1, 0: empty)
// 112: change count (every shared ring's change bumps it)  116: its sleepers
// 120: most kernel pages (the pool's limit)  124: kernel pages added by growth
// Regions after it, in order: ring headers, the slot arena and its map (one
// byte per unit), page refcounts, compound run lengths (u32 per page: a
// head's page count), kernel free stack (these three sized for the limit,
// so growth never moves them), ring free stack, tag counts, tag free stack,
// completion ring, space reference counts, the host's scratch (args, then
// stage), then the pages (4096-aligned): kernel pages [0, npages) first,
// user pages [npages, npages + nuser) after them, and kernel pages added by
// growth after those, where the memory grows.

export const BASE: usize = 65536;
export const MAGIC: u32 = 0x534b5031; // "SKP1"
export const PAGE_SHIFT: u32 = 12;
export const PAGE_SIZE: u32 = 4096;

export const SB_MAGIC: usize = 0;
export const SB_NPAGES: usize = 4;
export const SB_NUSER: usize = 8;
export const SB_NRINGS: usize = 12;
export const SB_FREE_TOP: usize = 16;
export const SB_POOL_LOCK: usize = 20;
export const SB_RING_FREE_TOP: usize = 24;
export const SB_USER_CURSOR: usize = 28;
export const SB_FLAGS: usize = 32;
export const SB_TAG_FREE_TOP: usize = 36;
export const SB_COMP_HEAD: usize = 40;
export const SB_COMP_TAIL: usize = 44;
export const SB_COMP_SEQ: usize = 48;
export const SB_THREADED: usize = 52;
export const SB_SLAB_UNITS: usize = 56;
export const SB_NEXT_TID: usize = 60;
export const SB_SLAB_FRESH: usize = 64;
export const SB_SLAB_FREE: usize = 68;
/** Bumped by every change of a shared ring: one word a thread waiting for any change sleeps on. */
export const SB_CHANGE: usize = 112;
/** Threads sleeping on SB_CHANGE: only then is a notify worth its cost. */
export const SB_CHANGE_WAITERS: usize = 116;
/** The most kernel pages the pool may grow to (npages when it may not grow). */
export const SB_MAX_PAGES: usize = 120;
/** Kernel pages added by growth, numbered from npages + nuser. */
export const SB_GROWN: usize = 124;
export const SB_SIZE: usize = 4096;

/**
 * The host's scratch, before the pages so the pool can grow at the end:
 * page lists and iovecs the core reads (256 KiB of u32 entries), then the
 * bytes a call copies through (a write of JS bytes, a read): 2 MiB, the
 * longest run a pipe can hold (256 slots of 4 KiB, and a compound skb
 * fragment's spill) plus two pages of slack for offsets.
 */
export const ARGS_SIZE: usize = 256 * 1024;
export const STAGE_SIZE: usize = 2 * 1024 * 1024 + 2 * 4096;

/**
 * Kernel pages one growth adds (8 MiB): Linux allocates pages on demand
 * (mm/page_alloc.c), but a Wasm memory grows in 64 KiB units and each
 * growth of a shared memory reaches every thread, so pages come in batches.
 */
export const GROW_PAGES: u32 = 2048;

/**
 * The most slots a ring can have: a socket's receive queue has this many; a
 * pipe at most 256 (pipe-max-size 1048576 for an unprivileged user).
 */
export const RING_CAP: u32 = 1024;

/**
 * Slot arrays come from a buddy allocator over the slot arena, sized to
 * the ring (alloc_pipe_info() and pipe_resize_ring() kcalloc theirs):
 * order k is 2^k slots of 32 bytes, up to RING_CAP.
 */
export const SLAB_ORDERS: u32 = 11;
export const SLAB_UNIT: usize = 32;

// Ring header, 64 bytes:
//   0: head  4: tail  8: ring_size (power of two)  12: max_usage
//  16: readers  20: writers  24: lock  28: seq (futex word, bumped on change)
//  32: in_use  36: files (references to the ring: the last close frees it)
//  40: waiters (threads sleeping on seq: only then is a notify worth its cost)
//  44: shared (another thread may use the ring: only then lock and publish)
//  48: slots (address of the ring's slot array in the slot arena)
// The lock word holds the id of the thread (core instance) that holds it,
// so the locks of a thread that was killed can be let go.
export const RH_HEAD: usize = 0;
export const RH_TAIL: usize = 4;
export const RH_RING_SIZE: usize = 8;
export const RH_MAX_USAGE: usize = 12;
export const RH_READERS: usize = 16;
export const RH_WRITERS: usize = 20;
export const RH_LOCK: usize = 24;
export const RH_SEQ: usize = 28;
export const RH_IN_USE: usize = 32;
export const RH_FILES: usize = 36;
export const RH_WAITERS: usize = 40;
export const RH_SHARED: usize = 44;
export const RH_SLOTS: usize = 48;
export const RH_SIZE: usize = 64;

// Slot (struct pipe_buffer), 32 bytes:
//   0: page  4: offset  8: len  12: flags (Linux flags | ops kind << 8)
//  16: tag (release-notification tag of a vmsplice, 0 for none)  20-31: unused
export const SL_PAGE: usize = 0;
export const SL_OFFSET: usize = 4;
export const SL_LEN: usize = 8;
export const SL_FLAGS: usize = 12;
export const SL_TAG: usize = 16;
export const SL_SIZE: usize = 32;

/**
 * Release tags: a vmsplice with a notification tags every slot it creates;
 * clones (tee, split) count too; when the tag's count drops to 0 its id
 * goes into the completion ring for the host to deliver. Tag 0 is "none".
 */
export const NTAGS: u32 = 4096;

/**
 * Address spaces other than this memory: a process's own linear memory (a
 * WASI guest's). A slot may reference one of its pages, encoded as FOREIGN
 * | space << SPACE_SHIFT | page; space 0 is this memory, so ids start at 1.
 * The core counts references per space (SPACE_REFS: SPACE_CLOSED set once
 * its process has ended), and reads such a page only through the host's
 * foreignCopy: the bytes live in another memory.
 */
export const FOREIGN: u32 = 0x80000000;
export const SPACE_SHIFT: u32 = 20;
export const MAX_SPACES: u32 = 2048;
export const SPACE_MASK: u32 = MAX_SPACES - 1;
export const GPAGE_MASK: u32 = (1 << SPACE_SHIFT) - 1;
export const SPACE_CLOSED: u32 = 0x80000000;
/** A completion for a space (its process ended and its last reference went), not a tag. */
export const SPACE_DONE: u32 = 0x40000000;
/** Completion ring entries: every tag and every space may be in flight at once. */
export const COMP_SIZE: u32 = 8192;

// include/linux/pipe_fs_i.h
export const PIPE_BUF_FLAG_LRU: u32 = 0x01;
export const PIPE_BUF_FLAG_ATOMIC: u32 = 0x02;
export const PIPE_BUF_FLAG_GIFT: u32 = 0x04;
export const PIPE_BUF_FLAG_PACKET: u32 = 0x08;
export const PIPE_BUF_FLAG_CAN_MERGE: u32 = 0x10;

// Which pipe_buf_operations a slot carries (fs/pipe.c, fs/splice.c).
export const OPS_ANON: u32 = 0 << 8; // anon_pipe_buf_ops: write()
export const OPS_CACHE: u32 = 1 << 8; // page_cache_pipe_buf_ops: file -> pipe
export const OPS_USER: u32 = 2 << 8; // user_page_pipe_buf_ops: vmsplice
export const OPS_DEFAULT: u32 = 3 << 8; // default_pipe_buf_ops: copy_splice_read
export const OPS_MASK: u32 = 3 << 8;

// Negative errno values returned by the core.
export const EPERM: i32 = -1;
export const EAGAIN: i32 = -11;
export const ENOMEM: i32 = -12;
export const EFAULT: i32 = -14;
export const EBUSY: i32 = -16;
export const EINVAL: i32 = -22;
export const ENFILE: i32 = -23;
export const EPIPE: i32 = -32;
/** Not an errno: the call would wait and has moved nothing (ERESTARTSYS's place). */
export const BLOCK: i32 = -512;

// Addresses of the regions, derived from the superblock by init/attach.
export let RING_HDRS: usize = 0;
export let SLAB: usize = 0;
export let SLAB_MAP: usize = 0;
export let REFS: usize = 0;
export let RUNS: usize = 0;
export let FREE_STACK: usize = 0;
export let RING_FREE: usize = 0;
export let TAG_COUNTS: usize = 0;
export let TAG_FREE: usize = 0;
export let COMP_RING: usize = 0;
export let SPACE_REFS: usize = 0;
export let SCRATCH: usize = 0;
export let PAGES: usize = 0;

@inline export function sb(field: usize): usize {
  return BASE + field;
}

/**
 * Whether another thread may touch pages, tags or the pool. Until one does,
 * plain loads and stores do: a locked add costs ~10 ns and a zero-copy page
 * pays two. Set before the first other thread starts, never cleared.
 */
@inline export function threaded(): bool {
  return load<u32>(BASE + SB_THREADED) != 0;
}

/**
 * Lays the regions out after the superblock, the page metadata sized for
 * `maxPages` kernel pages; returns the address of page 0. `slabUnits` is
 * the slot arena's size in 32-byte units, a multiple of RING_CAP (one
 * top-order block).
 */
export function computeLayout(maxPages: u32, nuser: u32, nrings: u32, slabUnits: u32): usize {
  const total = <usize>(maxPages + nuser);
  RING_HDRS = BASE + SB_SIZE;
  SLAB = RING_HDRS + <usize>nrings * RH_SIZE;
  SLAB_MAP = SLAB + <usize>slabUnits * SLAB_UNIT;
  REFS = (SLAB_MAP + <usize>slabUnits + 7) & ~<usize>7;
  RUNS = REFS + total * 4;
  FREE_STACK = RUNS + total * 4;
  RING_FREE = FREE_STACK + <usize>maxPages * 4;
  TAG_COUNTS = RING_FREE + <usize>nrings * 4;
  TAG_FREE = TAG_COUNTS + <usize>NTAGS * 4;
  COMP_RING = TAG_FREE + <usize>NTAGS * 4;
  SPACE_REFS = COMP_RING + <usize>COMP_SIZE * 4;
  SCRATCH = (SPACE_REFS + <usize>MAX_SPACES * 4 + 4095) & ~<usize>4095;
  PAGES = SCRATCH + ARGS_SIZE + STAGE_SIZE;
  return PAGES;
}
