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
}
