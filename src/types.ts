// Value types of the public syscall API.

/** An in/out file offset, like the loff_t pointer splice(2) and sendfile(2) take. */
export interface Offset {
  value: number;
}

/** Page-aligned user memory from `Kernel.alloc`, the only memory vmsplice can map. */
export interface UserBuffer {
  /** Byte address of the first byte inside the kernel's memory. */
  readonly addr: number;
  readonly length: number;
  /** A live view: writes through it are what a reader of vmspliced pages sees. */
  readonly bytes: Uint8Array;
  /**
   * Set on a process's own linear memory (a WASI guest's), which is not the
   * machine's: `addr` is 0 and offsets are the guest's addresses.
   */
  readonly space?: number;
}

/** One iovec: `length` bytes of `buf` from `offset`. */
export interface IoVec {
  buf: UserBuffer;
  offset: number;
  length: number;
}

/** socketpair's options: its `type` argument, and splicekit's TCP-like acknowledgements. */
export interface SocketPairOptions {
  /** SOCK_STREAM (the default), SOCK_DGRAM or SOCK_SEQPACKET, with SOCK_NONBLOCK and SOCK_CLOEXEC. */
  type?: number;
  /** A stream pair whose sent pages stay referenced until this many ms of the clock pass (see `tick`). */
  ackDelay?: number;
}

export interface PollFd {
  fd: number;
  events: number;
}

export interface KernelStats {
  /** Pool pages (kernel and user, the zero page aside), counting those the pool has grown by. */
  pagesTotal: number;
  pagesFree: number;
  pagesInUse: number;
  /** Open fds of the process asked. */
  openFiles: number;
  /** Open file descriptions, machine-wide. */
  files: number;
  /** Live processes on the machine. */
  processes: number;
  /** Bytes of slot arrays the rings hold. */
  ringMemoryInUse: number;
}
