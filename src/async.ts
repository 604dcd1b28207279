// The awaitable forms of the calls that can wait: each retries when the
// kernel's state changes, as a sleeping task is woken and tries again.

import { F_GETFL, O_NONBLOCK } from './constants.js';
import { WouldBlock } from './errors.js';
import type { Kernel } from './kernel.js';
import type { IoVec, Offset } from './types.js';
import type { Loan } from './loan.js';

export class AsyncCalls {
  constructor(private readonly k: Kernel) {}

  private async retry<T>(call: () => T): Promise<T> {
    for (;;) {
      try {
        return call();
      } catch (e) {
        if (!(e instanceof WouldBlock)) throw e;
      }
      await this.k.changed();
    }
  }

  read(fd: number, count: number): Promise<Uint8Array> {
    return this.retry(() => this.k.read(fd, count));
  }

  readInto(fd: number, dst: Uint8Array): Promise<number> {
    return this.retry(() => this.k.readInto(fd, dst));
  }

  /** A blocking write returns when all is written (or an error after a partial write). */
  async write(fd: number, data: Uint8Array): Promise<number> {
    if (this.k.fcntl(fd, F_GETFL) & O_NONBLOCK) return this.k.write(fd, data);
    let done = 0;
    while (done < data.length) {
      let n: number;
      try {
        n = done === 0 ? this.k.write(fd, data) : this.k.writeMore(fd, data.subarray(done));
      } catch (e) {
        if (e instanceof WouldBlock) {
          await this.k.changed();
          continue;
        }
        if (done > 0) return done;
        throw e;
      }
      done += n;
      if (done < data.length) await this.k.changed();
    }
    return done;
  }

  splice(fdIn: number, offIn: Offset | null, fdOut: number, offOut: Offset | null, len: number, flags: number): Promise<number> {
    return this.retry(() => this.k.splice(fdIn, offIn, fdOut, offOut, len, flags));
  }

  tee(fdIn: number, fdOut: number, len: number, flags: number): Promise<number> {
    return this.retry(() => this.k.tee(fdIn, fdOut, len, flags));
  }

  vmsplice(fd: number, iov: IoVec[], flags: number): Promise<number> {
    return this.retry(() => this.k.vmsplice(fd, iov, flags));
  }

  /** vmspliceLoan that waits for data. */
  vmspliceLoan(fd: number, len: number, flags: number): Promise<Loan> {
    return this.retry(() => this.k.vmspliceLoan(fd, len, flags));
  }

  sendfile(outFd: number, inFd: number, off: Offset | null, count: number): Promise<number> {
    return this.retry(() => this.k.sendfile(outFd, inFd, off, count));
  }
}
