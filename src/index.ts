// splicekit's public API.

export { Kernel, type KernelOptions } from './kernel.js';
export { Machine, type MachineOptions, type MachineStats } from './machine.js';
export { Process, type ProcessOptions } from './process.js';
export { SYSCALLS, type AsyncSyscalls, type SyscallName, type Syscalls } from './syscalls/table.js';
export * from './constants.js';
export { ERRNO, errnoName, InvalidArgument, SyscallError, WouldBlock, type ErrnoName } from './errors.js';
export type { IoVec, KernelStats, Offset, PollFd, SocketPairOptions, UserBuffer } from './types.js';
export { precompileCore, useCoreModule } from './core.js';
export { parseTrace, TraceSyntaxError } from './trace/parse.js';
export { runTrace } from './trace/run.js';
export { TraceStepper } from './trace/step.js';
export { witSyscalls } from './wit/host.js';
export type { FdView, KernelSnapshot, PageView, ProcessView, RingView, SlotView } from './snapshot.js';
export type { Loan } from './loan.js';
export type { HostDirectory, HostHandle } from './files/hostdir.js';
export { readableOf, writableOf, type ReadableOfOptions } from './streams.js';
export { NOTIFY_RECORD } from './files/notify.js';
export type { PipeEndHandle } from './worker/handle.js';
export { PipeClient, type WorkerBuffer } from './worker/pipe-client.js';
export * from './wasi/index.js';
export { spawnWeb } from './proc/spawn-web.js';
export type { Child, SpawnOptions } from './proc/spawn-with.js';
export {
  runPipeline,
  type AsyncSink,
  type AsyncSource,
  type Command,
  type PipelineEnd,
  type PipelineOptions,
  type PipelineResult,
} from './proc/pipeline.js';
