// The WASI host: wasi_snapshot_preview1 and the `splicekit` module over a Kernel.

export { hasJspi, NotACommand, WasiHost, type WasiOptions } from './host.js';
export { ProcExit, SIGPIPE_STATUS, WasiContext, type GuestProcess, type HostIo } from './context.js';
export { StdioPumps, type ByteSink, type ByteSource } from './stdio.js';
export { E as WASI_ERRNO, wasiErrno } from './errno.js';
export { Fault, GuestMemory } from './memory.js';
