// The kernel's side of a guest's channel: runs each call of the syscall
// table on the guest's process, the ones that can wait through their
// awaitable forms, so the guest's Worker sleeps until the kernel could
// answer, as a blocked Linux task does. It stops when the process ends,
// however it ends.

import { ERRNO as ERRNOS, SyscallError, WouldBlock } from '../errors.js';
import type { Process } from '../process.js';
import { DEFS, SYSCALL_NAMES } from '../syscalls/table.js';
import type { UserBuffer } from '../types.js';
import { BLOCKED, type Channel, ERRNO, HOST, OK, REPLY, REQUEST } from './channel.js';
import { DecodeFault, decodeArgs, encodeResult, writeBack } from './codec.js';

type Loose = (...a: unknown[]) => unknown;

const enc = new TextEncoder();

export class ProcessServer {
  readonly staging: UserBuffer;
  private stopped = false;

  constructor(
    private readonly proc: Process,
    readonly channel: Channel,
    stagingSize: number,
  ) {
    this.staging = proc.alloc(stagingSize);
    proc.exited.then(() => this.stop());
  }

  /** Serves calls until the process ends or `stop`; never spins: it sleeps on the channel's word. */
  async serve(): Promise<void> {
    const ch = this.channel;
    while (!this.stopped) {
      const state = ch.state;
      if (state !== REQUEST) {
        await ch.changeFrom(state);
        continue;
      }
      await this.answer();
      // Even the last call is answered: the guest's thread must wake to end.
      ch.set(REPLY);
    }
  }

  /** Stops serving (the process ended, or its Worker is gone). */
  stop(): void {
    this.stopped = true;
    this.channel.poke();
  }

  private async answer(): Promise<void> {
    const ch = this.channel;
    const name = SYSCALL_NAMES[ch.call];
    const p = this.proc;
    ch.used = 0;
    try {
      if (name === undefined) throw new SyscallError('ENOSYS', `call ${ch.call}`);
      const def = DEFS[name];
      const wires = def.args.map((a) => a.wire);
      const args = decodeArgs(ch, wires, p, this.staging);
      const asyncForm = (p.async as Record<string, Loose | undefined>)[name];
      const f = asyncForm ?? (p[name] as Loose).bind(p);
      const result = await f(...args);
      writeBack(ch, wires, args);
      encodeResult(ch, def.returns.wire, result, this.staging);
      ch.outcome = OK;
    } catch (e) {
      if (e instanceof SyscallError) {
        ch.outcome = ERRNO;
        ch.errno = e.errno;
        this.say(e.syscall);
      } else if (e instanceof DecodeFault) {
        ch.outcome = ERRNO;
        ch.errno = ERRNOS.EFAULT;
        this.say(name ?? 'call');
      } else if (e instanceof WouldBlock) {
        ch.outcome = BLOCKED;
      } else {
        ch.outcome = HOST;
        this.say(e instanceof Error ? e.message : String(e));
      }
    }
  }

  private say(text: string): void {
    const b = enc.encode(text).subarray(0, this.channel.bytes.length);
    this.channel.bytes.set(b);
    this.channel.used = b.length;
  }
}
