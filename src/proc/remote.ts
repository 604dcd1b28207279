// A process as a guest's Worker sees it: every call of the syscall table,
// each checked as a local process checks it, encoded over the channel to
// the thread that owns the machine; this thread sleeps until the answer
// comes (the kernel's side waits as Linux would). Bytes travel through the
// process's staging buffer in the machine's shared memory.

import { errnoName, SyscallError, WouldBlock } from '../errors.js';
import { checkArgs, DEFS, SYSCALL_NAMES, type SyscallName, type Syscalls } from '../syscalls/table.js';
import { BLOCKED, type Channel, ERRNO, HOST, IDLE, REQUEST } from './channel.js';
import { decodeResult, encodeArgs, finish, type ResultContext, type Staging } from './codec.js';
import { NOT_HERE, type LocalCalls } from './local.js';

type Loose = (...a: readonly unknown[]) => unknown;

/** The calls LocalCalls may run here (each answers NOT_HERE when it cannot). */
const LOCAL = { readInto: 1, vmsplice: 1, splice: 1, tee: 1, fcntl: 1, ioctl: 1, poll: 1, describe: 1 } as const satisfies Partial<Record<SyscallName, 1>>;

/** A remote process's calls as methods (from the table: see syscalls/table.ts). */
export interface RemoteProcess extends Syscalls {}

// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the methods the interface names are put on the prototype from the table.
export class RemoteProcess {
  private readonly staging: Staging;
  private readonly results: ResultContext;
  private readonly dec = new TextDecoder();

  /**
   * @param local the calls this thread runs itself (pipe ends: see local.ts);
   *   the rest go over the channel.
   */
  constructor(
    private readonly ch: Channel,
    readonly memory: WebAssembly.Memory,
    stagingAddr: number,
    stagingSize: number,
    private readonly local?: LocalCalls,
  ) {
    this.staging = { addr: stagingAddr, bytes: new Uint8Array(memory.buffer, stagingAddr, stagingSize) };
    this.results = { memory, staging: this.staging, releaseLoan: (handle) => this.releaseLoan(handle) };
  }

  /** Runs call `name` here if this thread can, else on the machine's side; returns its result, or throws its error. */
  invoke(name: SyscallName, args: readonly unknown[]): unknown {
    checkArgs(name, args);
    const here = this.local && name in LOCAL ? (this.local[name as keyof typeof LOCAL] as Loose).apply(this.local, [...args]) : NOT_HERE;
    if (here !== NOT_HERE) return here;
    return this.remote(name, args);
  }

  /** Runs call `name` on the machine's side (the arguments checked). */
  private remote(name: SyscallName, args: readonly unknown[]): unknown {
    const def = DEFS[name];
    const pending = encodeArgs(
      this.ch,
      def.args.map((a) => a.wire),
      args,
      this.staging,
      this.memory,
    );
    this.ch.call = SYSCALL_NAMES.indexOf(name);
    this.ch.set(REQUEST);
    this.ch.waitWhile(REQUEST);
    try {
      const outcome = this.ch.outcome;
      if (outcome === BLOCKED) throw new WouldBlock(name);
      if (outcome === ERRNO) throw new SyscallError(errnoName(this.ch.errno), this.message() || name);
      if (outcome === HOST) throw new Error(`${name}: ${this.message()}`);
      const result = decodeResult(this.ch, def.returns.wire, this.results);
      finish(this.ch, pending, this.staging, typeof result === 'number' ? result : 0);
      return result;
    } finally {
      Atomics.store(this.ch.words, 0, IDLE);
    }
  }

  private message(): string {
    // TextDecoder does not read shared memory: copy out first.
    return this.dec.decode(this.ch.bytes.slice(0, this.ch.used));
  }

  /** read(2): here, or into the staging buffer on the machine's side, then out of it. */
  read(fd: number, count: number): Uint8Array {
    checkArgs('read', [fd, count]);
    const here = this.local?.read(fd, count) ?? NOT_HERE;
    if (here !== NOT_HERE) return here;
    const view = this.staging.bytes.subarray(0, Math.min(count, this.staging.bytes.length));
    return view.slice(0, this.readInto(fd, view));
  }

  /** A write larger than the staging buffer goes as a write and its continuations. */
  write(fd: number, data: Uint8Array): number {
    return this.writeChunks(fd, data, 'write');
  }

  writeMore(fd: number, data: Uint8Array): number {
    return this.writeChunks(fd, data, 'writeMore');
  }

  private writeChunks(fd: number, data: Uint8Array, first: 'write' | 'writeMore'): number {
    checkArgs(first, [fd, data]);
    const here = this.local?.write(fd, data, first === 'write') ?? NOT_HERE;
    if (here !== NOT_HERE) return here;
    const size = this.staging.bytes.length;
    let done = 0;
    do {
      const part = data.subarray(done, done + size);
      const n = this.remote(done === 0 ? first : 'writeMore', [fd, part]) as number;
      done += n;
      if (n < part.length) break;
    } while (done < data.length);
    return done;
  }
}

const own = new Set(['read', 'write', 'writeMore']);
for (const name of SYSCALL_NAMES) {
  if (own.has(name)) continue;
  Object.defineProperty(RemoteProcess.prototype, name, {
    value(this: RemoteProcess, ...a: unknown[]) {
      return this.invoke(name, a);
    },
    writable: true,
    configurable: true,
  });
}
