// The host's side of a guest's stdin, stdout and stderr: three kernel
// pipes whose other ends the host holds and pumps, synchronously, between
// the guest's calls. Output is drained after every call that may have
// written (so stdout and stderr interleave as the guest wrote them) and
// whenever the guest would wait; stdin is read from its source only when
// the guest waits on an empty stdin pipe, so input streams and a program
// that never reads stdin never blocks on it.

import { FIONREAD, SPLICE_F_NONBLOCK } from '../constants.js';
import { SyscallError, WouldBlock } from '../errors.js';
import type { Kernel } from '../kernel.js';
import type { HostIo } from './context.js';

/** Guest input: some bytes (waiting for at least one), or null at end of input. */
export interface ByteSource {
  read(max: number): Uint8Array | null;
}

/** Guest output: writes all of `data`; false once the reader is gone (EPIPE). */
export interface ByteSink {
  write(data: Uint8Array): boolean;
}

/**
 * Where the host keeps its ends: the top of the fd table, so the guest's
 * own fds start at 4 as in a fresh process with one preopen (fds 0 to 3).
 */
export const HOST_FDS = { stdin: 1023, stdout: 1022, stderr: 1021 } as const;

const CHUNK = 65536;

export class StdioPumps implements HostIo {
  private pending: Uint8Array = new Uint8Array(0);
  private inOpen = true;
  private readonly outs: { fd: number; sink: ByteSink; open: boolean }[];
  private stdinRing: number | undefined;

  constructor(private readonly k: Kernel, private readonly stdin: ByteSource, stdout: ByteSink, stderr: ByteSink) {
    this.outs = [
      { fd: HOST_FDS.stdout, sink: stdout, open: true },
      { fd: HOST_FDS.stderr, sink: stderr, open: true },
    ];
  }

  /** Makes fds 0, 1 and 2 pipes to the host (call after the preopen took fd 3). */
  attach(): void {
    this.connect(0, HOST_FDS.stdin, true);
    this.connect(1, HOST_FDS.stdout, false);
    this.connect(2, HOST_FDS.stderr, false);
    this.stdinRing = this.k.describe(0)?.ring;
  }

  private connect(guestFd: number, hostFd: number, guestReads: boolean): void {
    const [r, w] = this.k.pipe();
    const [g, h] = guestReads ? [r, w] : [w, r];
    this.k.dup2(g, guestFd);
    this.k.close(g);
    this.k.dup2(h, hostFd);
    this.k.close(h);
  }

  wait(fds: readonly number[]): boolean {
    let moved = this.drain();
    const onStdin = fds.some((fd) => {
      const v = this.k.describe(fd);
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
        // The pipe lends its pages: they go to the sink without a copy.
        const loan = this.k.vmspliceLoan(out.fd, 1 << 20, SPLICE_F_NONBLOCK);
        try {
          for (const view of loan.views) {
            if (!out.sink.write(view)) {
              // The reader went away: the guest's next write gets EPIPE (no SIGPIPE in WASI).
              this.k.close(out.fd);
              out.open = false;
              break;
            }
          }
        } finally {
          loan.release();
        }
        moved = true;
      }
    }
    return moved;
  }

  /** Puts input into the stdin pipe; reads the source (and may wait for it) only if the pipe is empty. */
  private fill(): boolean {
    if (!this.inOpen) return false;
    if (this.pending.length === 0) {
      if (this.k.ioctl(HOST_FDS.stdin, FIONREAD) > 0) return false;
      const chunk = this.stdin.read(CHUNK);
      if (chunk === null) {
        this.k.close(HOST_FDS.stdin); // end of input: the guest reads EOF
        this.inOpen = false;
        return true;
      }
      this.pending = chunk;
    }
    try {
      const n = this.k.write(HOST_FDS.stdin, this.pending);
      this.pending = this.pending.subarray(n);
      return n > 0;
    } catch (e) {
      if (e instanceof WouldBlock) return false;
      if (e instanceof SyscallError && e.code === 'EPIPE') {
        // The guest closed its stdin: drop the rest.
        this.k.close(HOST_FDS.stdin);
        this.inOpen = false;
        return false;
      }
      throw e;
    }
  }
}
