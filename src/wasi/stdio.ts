// The host's side of a guest's stdin, stdout and stderr: three pipes whose
// guest ends are the guest process's 0, 1 and 2 and whose other ends the
// host's process holds and pumps, synchronously, between
// the guest's calls. Output is drained after every call that may have
// written (so stdout and stderr interleave as the guest wrote them) and
// whenever the guest would wait; stdin is read from its source only when
// the guest waits on an empty stdin pipe, so input streams and a program
// that never reads stdin never blocks on it.

import { FIONREAD, SPLICE_F_NONBLOCK } from '../constants.js';
import { SyscallError, WouldBlock } from '../errors.js';
import { lendOrRead } from '../lend.js';
import type { Process } from '../process.js';
import type { HostIo } from './context.js';

/** Guest input: some bytes (waiting for at least one), or null at end of input. */
export interface ByteSource {
  read(max: number): Uint8Array | null;
}

/** Guest output: writes all of `data`; false once the reader is gone (EPIPE). */
export interface ByteSink {
  write(data: Uint8Array): boolean;
}

const CHUNK = 65536;

export class StdioPumps implements HostIo {
  private pending: Uint8Array = new Uint8Array(0);
  private inOpen = true;
  private readonly outs: { fd: number; sink: ByteSink; open: boolean }[] = [];
  private stdinFd = -1;
  private stdinRing: number | undefined;
  private guest: Process | undefined;

  /** `k` is the host's process: it holds the other ends and is the guest's parent. */
  constructor(
    private readonly k: Process,
    private readonly stdin: ByteSource,
    private readonly stdout: ByteSink,
    private readonly stderr: ByteSink,
  ) {}

  /**
   * The guest's process, a child of the host's: its fds 0, 1 and 2 are
   * pipes to the host, which keeps the other ends.
   */
  attach(): Process {
    const [inR, inW] = this.k.pipe();
    const [outR, outW] = this.k.pipe();
    const [errR, errW] = this.k.pipe();
    this.guest = this.k.process({ 0: inR, 1: outW, 2: errW });
    for (const fd of [inR, outW, errW]) this.k.close(fd);
    this.stdinFd = inW;
    this.stdinRing = this.k.describe(inW)?.ring;
    this.outs.push({ fd: outR, sink: this.stdout, open: true }, { fd: errR, sink: this.stderr, open: true });
    return this.guest;
  }

  wait(fds: readonly number[]): boolean {
    let moved = this.drain();
    const onStdin = fds.some((fd) => {
      const v = this.guest?.describe(fd);
      return v?.kind === 'pipe-read' && v.ring === this.stdinRing;
    });
    if (onStdin) moved = this.fill() || moved;
    return moved;
  }

  flush(): void {
    this.drain();
  }

  /** After the guest exits: everything still in the output pipes goes out. */
  finish(): void {
    while (this.drain());
  }

  /** Moves whatever stdout and stderr hold to their sinks; true if anything moved. */
  private drain(): boolean {
    let moved = false;
    for (const out of this.outs) {
      while (out.open && this.k.ioctl(out.fd, FIONREAD) > 0) {
        if (!this.sendAll(out.fd, out.sink)) {
          // The reader went away: the guest's next write gets EPIPE (no SIGPIPE in WASI).
          this.k.close(out.fd);
          out.open = false;
        }
        moved = true;
      }
    }
    return moved;
  }

  /** Sends what pipe `fd` holds to `sink` (lent pages, no copy); false once the sink's reader is gone. */
  private sendAll(fd: number, sink: ByteSink): boolean {
    const lent = lendOrRead(this.k, fd, 1 << 20, SPLICE_F_NONBLOCK);
    try {
      return lent.views.every((view) => sink.write(view));
    } finally {
      lent.release();
    }
  }

  /** Puts input into the stdin pipe; reads the source (and may wait for it) only if the pipe is empty. */
  private fill(): boolean {
    if (!this.inOpen) return false;
    if (this.pending.length === 0) {
      if (this.k.ioctl(this.stdinFd, FIONREAD) > 0) return false;
      const chunk = this.stdin.read(CHUNK);
      if (chunk === null) {
        this.k.close(this.stdinFd); // end of input: the guest reads EOF
        this.inOpen = false;
        return true;
      }
      this.pending = chunk;
    }
    try {
      const n = this.k.write(this.stdinFd, this.pending);
      this.pending = this.pending.subarray(n);
      return n > 0;
    } catch (e) {
      if (e instanceof WouldBlock) return false;
      if (e instanceof SyscallError && e.code === 'EPIPE') {
        // The guest closed its stdin: drop the rest.
        this.k.close(this.stdinFd);
        this.inOpen = false;
        return false;
      }
      throw e;
    }
  }
}
