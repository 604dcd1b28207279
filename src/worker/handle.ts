// A pipe end handed to another thread (a Worker): what it needs to use the
// ring through its own core instance on the kernel's shared memory.

export interface PipeEndHandle {
  memory: WebAssembly.Memory;
  ring: number;
  end: 'read' | 'write';
  nonblock: boolean;
  /** The write end has O_DIRECT: writes make PACKET buffers. */
  packet: boolean;
  /** Address of pool page 0 (user buffers are pages). */
  pages: number;
  /** The process memories the ring's pages may be in (what the machine had when it exported the end). */
  spaces: [number, WebAssembly.Memory][];
  /** The core thread id this end attaches as: `revokePipeEnd(tid)` declares that thread gone. */
  tid: number;
  /** Shared with the exporting machine: see EXPORT_* for its layout. */
  state: SharedArrayBuffer;
}

// The state an exported end shares with its machine, as Int32 words:
/** 1 while the end is open; whoever swaps it to 0 (close, or a revoke) drops the end. */
export const EXPORT_OPEN = 0;
/** How many run entries follow (entries of freed runs have count 0). */
export const EXPORT_RUNS = 1;
/** Run entries from here: first page, page count: user memory the thread took. */
export const EXPORT_RUN = 2;
/** Runs an exported end may hold at once. */
export const EXPORT_MAX_RUNS = 1024;
export const EXPORT_STATE_BYTES = (EXPORT_RUN + 2 * EXPORT_MAX_RUNS) * 4;
