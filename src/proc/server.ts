// The kernel side of a guest's channel: runs each call on the guest's
// process, the ones that can wait through `async` so the Worker sleeps
// until the kernel could answer, as a blocked Linux task does.

import { SyscallError, WouldBlock } from '../errors.js';
import type { Kernel } from '../kernel.js';
import type { Loan } from '../loan.js';
import type { IoVec, Offset, UserBuffer } from '../types.js';
import { Channel, REPLY, REQUEST, type Call, type Reply } from './channel.js';

/** A user buffer as the Worker names it. */
export interface BufRef {
  addr: number;
}

interface IovRef {
  buf: BufRef;
  offset: number;
  length: number;
}

export class ProcessServer {
  private readonly buffers = new Map<number, UserBuffer>();
  private readonly loans = new Map<number, Loan>();
  private nextLoan = 1;
  readonly staging: UserBuffer;

  constructor(private readonly proc: Kernel, readonly channel: Channel, stagingSize: number) {
    this.staging = proc.alloc(stagingSize);
  }

  private stage(len: number): Uint8Array {
    return this.staging.bytes.subarray(0, len);
  }

  private buf(ref: BufRef): UserBuffer {
    if (ref.addr === this.staging.addr) return this.staging;
    const b = this.buffers.get(ref.addr);
    if (!b) throw new SyscallError('EFAULT', 'buffer');
    return b;
  }

  private iov(list: IovRef[]): IoVec[] {
    return list.map((v) => ({ buf: this.buf(v.buf), offset: v.offset, length: v.length }));
  }

  /** Serves calls until the guest's `exit`; resolves with its status. */
  async serve(): Promise<number> {
    const w = this.channel.words;
    for (;;) {
      const waiting = Atomics.waitAsync(w, 0, 0);
      if (waiting.async) await waiting.value;
      if (Atomics.load(w, 0) !== REQUEST) continue;
      const call = this.channel.take<Call>();
      let reply: Reply;
      try {
        reply = { r: await this.dispatch(call) };
      } catch (e) {
        if (e instanceof SyscallError) reply = { e: e.code, s: e.syscall };
        else if (e instanceof WouldBlock) reply = { b: true, s: e.syscall };
        else reply = { e: 'EIO', s: `${call.m}: ${String(e)}` };
      }
      this.channel.put(reply);
      this.channel.set(REPLY);
      if (call.m === 'exit') return call.a[0] as number;
    }
  }

  /** Ends the process: its fds close, its buffers and loans go. */
  finish(): void {
    for (const loan of this.loans.values()) loan.release();
    for (const b of this.buffers.values()) this.proc.free(b);
    this.proc.free(this.staging);
    this.proc.exit();
  }

  private async dispatch({ m, a }: Call): Promise<unknown> {
    const k = this.proc;
    const n = (i: number) => a[i] as number;
    const off = (i: number) => (a[i] as Offset | null);
    switch (m) {
      case 'write': return k.async.write(n(0), this.stage(n(1)));
      case 'writeMore': return k.writeMore(n(0), this.stage(n(1)));
      case 'read': return k.async.readInto(n(0), this.stage(n(1)));
      case 'splice': {
        const oi = off(1);
        const oo = off(3);
        return { n: await k.async.splice(n(0), oi, n(2), oo, n(4), n(5)), oi, oo };
      }
      case 'tee': return k.async.tee(n(0), n(1), n(2), n(3));
      case 'vmsplice': return k.async.vmsplice(n(0), this.iov(a[1] as IovRef[]), n(2));
      case 'vmspliceNotify': return k.vmspliceNotify(n(0), this.iov(a[1] as IovRef[]), n(2), n(3));
      case 'sendfile': {
        const o = off(2);
        return { n: await k.async.sendfile(n(0), n(1), o, n(3)), o };
      }
      case 'alloc': {
        const b = k.alloc(n(0));
        this.buffers.set(b.addr, b);
        return b.addr;
      }
      case 'free': {
        const b = this.buffers.get(n(0));
        this.buffers.delete(n(0));
        if (b) k.free(b);
        return 0;
      }
      case 'touch': return k.touch(this.buf({ addr: n(0) }), n(1), n(2));
      case 'vmspliceLoan': {
        const loan = await k.async.vmspliceLoan(n(0), n(1), n(2));
        const id = this.nextLoan++;
        this.loans.set(id, loan);
        return { id, count: loan.count, views: loan.views.map((v) => [v.byteOffset, v.length]) };
      }
      case 'loanRelease': {
        this.loans.get(n(0))?.release();
        this.loans.delete(n(0));
        return 0;
      }
      case 'exit': return 0;
      default: {
        // Calls that never wait and carry only numbers, strings and plain data.
        const f = (k as unknown as Record<string, (...args: unknown[]) => unknown>)[m];
        if (typeof f !== 'function' || !SIMPLE.has(m)) throw new SyscallError('ENOSYS', m);
        return f.apply(k, a);
      }
    }
  }
}

const SIMPLE = new Set([
  'pipe', 'open', 'socketpair', 'dup', 'dup2', 'close', 'lseek', 'fcntl', 'ioctl', 'fionread',
  'poll', 'describe', 'notifyfd', 'isReleased', 'unlink', 'isPipeReadEnd',
]);
