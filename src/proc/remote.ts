// The kernel as a guest's Worker sees it: each call goes over the channel
// to the thread that owns the kernel, and this thread sleeps until the
// answer comes (the kernel side waits as Linux would). Bytes travel through
// the process's staging buffer in the kernel's shared memory.

import { SyscallError, WouldBlock, type ErrnoName } from '../errors.js';
import type { Loan } from '../loan.js';
import type { IoVec, Offset, PollFd, UserBuffer } from '../types.js';
import type { FdView } from '../snapshot.js';
import { Channel, IDLE, REPLY, REQUEST, type Reply } from './channel.js';

export class RemoteKernel {
  private readonly staging: Uint8Array;

  constructor(private readonly ch: Channel, readonly memory: WebAssembly.Memory, stagingAddr: number, readonly stagingSize: number) {
    this.staging = new Uint8Array(memory.buffer, stagingAddr, stagingSize);
  }

  private call<T>(m: string, ...a: unknown[]): T {
    this.ch.put({ m, a });
    this.ch.set(REQUEST);
    while (Atomics.load(this.ch.words, 0) !== REPLY) Atomics.wait(this.ch.words, 0, REQUEST, 1000);
    const reply = this.ch.take<Reply>();
    Atomics.store(this.ch.words, 0, IDLE);
    if (reply.b) throw new WouldBlock(reply.s ?? m);
    if (reply.e) throw new SyscallError(reply.e as ErrnoName, reply.s ?? m);
    return reply.r as T;
  }

  // ---- calls that carry bytes ----------------------------------------------

  read(fd: number, count: number): Uint8Array {
    const n = this.call<number>('read', fd, Math.min(count, this.stagingSize));
    return this.staging.slice(0, n);
  }

  write(fd: number, data: Uint8Array): number {
    return this.writeChunks(fd, data, 'write');
  }

  writeMore(fd: number, data: Uint8Array): number {
    return this.writeChunks(fd, data, 'writeMore');
  }

  /** A write larger than the staging buffer goes as a write and its continuations. */
  private writeChunks(fd: number, data: Uint8Array, first: string): number {
    let done = 0;
    do {
      const part = data.subarray(done, done + this.stagingSize);
      this.staging.set(part);
      const n = this.call<number>(done === 0 ? first : 'writeMore', fd, part.length);
      done += n;
      if (n < part.length) break;
    } while (done < data.length);
    return done;
  }

  alloc(length: number): UserBuffer {
    const addr = this.call<number>('alloc', length);
    return { addr, length, bytes: new Uint8Array(this.memory.buffer, addr, length) };
  }

  free(buf: UserBuffer): void {
    this.call('free', buf.addr);
  }

  touch(buf: UserBuffer, offset: number, length: number): void {
    this.call('touch', buf.addr, offset, length);
  }

  private iov(iov: IoVec[]) {
    return iov.map((v) => ({ buf: { addr: v.buf.addr }, offset: v.offset, length: v.length }));
  }

  vmsplice(fd: number, iov: IoVec[], flags: number): number {
    return this.call('vmsplice', fd, this.iov(iov), flags);
  }

  vmspliceNotify(fd: number, iov: IoVec[], flags: number, notifyFd: number): { count: number; id: number } {
    return this.call('vmspliceNotify', fd, this.iov(iov), flags, notifyFd);
  }

  vmspliceLoan(fd: number, len: number, flags: number): Loan {
    const r = this.call<{ id: number; count: number; views: [number, number][] }>('vmspliceLoan', fd, len, flags);
    let open = true;
    return {
      count: r.count,
      views: r.views.map(([at, n]) => new Uint8Array(this.memory.buffer, at, n)),
      release: () => {
        if (open) this.call('loanRelease', r.id);
        open = false;
      },
    };
  }

  splice(fdIn: number, offIn: Offset | null, fdOut: number, offOut: Offset | null, len: number, flags: number): number {
    const r = this.call<{ n: number; oi: Offset | null; oo: Offset | null }>('splice', fdIn, offIn, fdOut, offOut, len, flags);
    if (offIn && r.oi) offIn.value = r.oi.value;
    if (offOut && r.oo) offOut.value = r.oo.value;
    return r.n;
  }

  sendfile(outFd: number, inFd: number, off: Offset | null, count: number): number {
    const r = this.call<{ n: number; o: Offset | null }>('sendfile', outFd, inFd, off, count);
    if (off && r.o) off.value = r.o.value;
    return r.n;
  }

  tee(fdIn: number, fdOut: number, len: number, flags: number): number {
    return this.call('tee', fdIn, fdOut, len, flags);
  }

  // ---- calls of plain values -----------------------------------------------

  pipe(flags = 0): [number, number] { return this.call('pipe', flags); }
  open(path: string, flags: number, mode = 0o644): number { return this.call('open', path, flags, mode); }
  socketpair(): [number, number] { return this.call('socketpair'); }
  dup(fd: number): number { return this.call('dup', fd); }
  dup2(oldfd: number, newfd: number): number { return this.call('dup2', oldfd, newfd); }
  close(fd: number): void { this.call('close', fd); }
  lseek(fd: number, offset: number, whence: number): number { return this.call('lseek', fd, offset, whence); }
  fcntl(fd: number, cmd: number, arg = 0): number { return this.call('fcntl', fd, cmd, arg); }
  ioctl(fd: number, request: number): number { return this.call('ioctl', fd, request); }
  fionread(fd: number): number { return this.call('fionread', fd); }
  poll(fds: PollFd[], timeout = 0): number[] { return this.call('poll', fds, timeout); }
  describe(fd: number): FdView | undefined { return this.call<FdView | null>('describe', fd) ?? undefined; }
  notifyfd(flags = 0): number { return this.call('notifyfd', flags); }
  isReleased(notifyFd: number, id: number): boolean { return this.call('isReleased', notifyFd, id); }
  unlink(path: string): void { this.call('unlink', path); }
  isPipeReadEnd(fd: number): boolean { return this.call('isPipeReadEnd', fd); }

  /** The guest is done: the kernel side closes its fds and reports `status`. */
  exit(status: number): void {
    this.call('exit', status);
  }

  /** The WASI host calls this when it is done with a kernel it made; a remote one is the owner's. */
  destroy(): void {}
}
