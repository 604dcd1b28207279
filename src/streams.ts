// Pipe ends (any fd) as Web Streams. The stream owns its fd: it closes it
// when it ends, however it ends (EOF or close, cancel or abort, an error),
// and once it has let go it never touches that fd number again (the next
// open may get it). Calls wait as blocking ones do, so a pipe's capacity is
// the backpressure; EAGAIN on an O_NONBLOCK fd waits too, as an event loop
// waits for poll. An error is the SyscallError itself.
//
// Copies: a chunk is copied once out of the pipe's pages, lent for the copy
// and released at once. A chunk cannot be the page itself: a byte stream
// transfers every chunk's ArrayBuffer (and a WebAssembly.Memory's cannot
// be), and a consumer keeps a chunk as long as it likes and may write to it,
// while tee may share the page with another pipe.

import { InvalidArgument } from './errors.js';
import { lendOrRead } from './lend.js';
import { blocking, Process, writeAll, type WaitOptions } from './process.js';
import { fd as fdArg } from './syscalls/args.js';

export interface ReadableOfOptions {
  /**
   * The most bytes a default reader's chunk holds (a BYOB read takes what
   * fits the caller's view). Default 65536, a new pipe's capacity.
   */
  chunkSize?: number;
}

const CHUNK = 65536;

/**
 * The readable fd `fd` of `kernel` (a Kernel or any Process) as a byte
 * stream: a default reader gets chunks of what the fd has, up to
 * `chunkSize`; a BYOB reader gets it in its own buffer. EOF closes the
 * stream, cancel closes the fd (a pipe's writer then gets EPIPE).
 */
export function readableOf(kernel: Process, fd: number, opts: ReadableOfOptions = {}): ReadableStream<Uint8Array<ArrayBuffer>> {
  checkEnd('readableOf', kernel, fd);
  if (typeof opts !== 'object' || opts === null) throw new InvalidArgument('readableOf', `argument 3 must be an options object, got ${typeof opts}`);
  const chunkSize = opts.chunkSize ?? CHUNK;
  if (!(Number.isSafeInteger(chunkSize) && chunkSize > 0)) {
    throw new InvalidArgument(
      'readableOf',
      `chunkSize must be an integer from 1 to 2^53-1, got ${typeof chunkSize === 'number' ? chunkSize : typeof chunkSize}`,
    );
  }
  const end = new OwnedFd(kernel, fd);
  const k = kernel;
  // A pipe's read end lends its pages for the one copy; other files go through read(2).
  const f = k.file(fd);
  const lends = f?.readable && f.pipeRing() !== undefined;
  /** Up to `max` bytes copied out of lent pages, into `into` or a new chunk. */
  const lend = (max: number, into?: Uint8Array): Uint8Array => {
    const loan = lendOrRead(k, fd, max, 0);
    try {
      const out = into ?? new Uint8Array(loan.count);
      let at = 0;
      for (const v of loan.views) {
        out.set(v, at);
        at += v.length;
      }
      return out.subarray(0, loan.count);
    } finally {
      loan.release();
    }
  };
  /** A BYOB read: the count copied into `view` (0 at EOF). */
  const fill = (view: Uint8Array): number => (lends ? lend(view.length, view).length : k.readInto(fd, view));
  /** A default read: a new chunk (empty at EOF); read(2)'s result is a fresh copy too. */
  const next = (): Uint8Array<ArrayBuffer> => (lends ? lend(chunkSize) : k.read(fd, chunkSize)) as Uint8Array<ArrayBuffer>;
  return new ReadableStream({
    type: 'bytes',
    async pull(c) {
      try {
        const req = c.byobRequest;
        if (req) {
          const view = req.view as Uint8Array;
          const n = await end.call(() => fill(view));
          if (n === 0) {
            end.close();
            c.close();
          }
          req.respond(n);
        } else {
          const chunk = await end.call(next);
          if (chunk.length === 0) {
            end.close();
            c.close();
          } else {
            c.enqueue(chunk);
          }
        }
      } catch (e) {
        end.close(e);
        throw e;
      }
    },
    cancel(reason) {
      end.close(reason);
    },
  });
}

/**
 * The writable fd `fd` of `kernel` as a stream of byte chunks (any
 * ArrayBuffer or view of one): each is written whole, as a blocking
 * write(2) writes. close() and abort() close the fd (a pipe's reader then
 * sees EOF); a reader that went away errors the stream with EPIPE.
 */
export function writableOf(kernel: Process, fd: number): WritableStream<ArrayBufferView | ArrayBufferLike> {
  checkEnd('writableOf', kernel, fd);
  const end = new OwnedFd(kernel, fd);
  return new WritableStream<ArrayBufferView | ArrayBufferLike>({
    start(c) {
      // An abort does not wait for a write blocked on a full pipe: the fd goes now, and the write with it.
      c.signal.addEventListener('abort', () => end.close(c.signal.reason));
    },
    async write(chunk) {
      try {
        const data = bytesOf(chunk);
        // On an O_NONBLOCK fd a write stops short: the rest follows once there is room.
        for (let done = 0; done < data.length; ) done += await end.write(data.subarray(done));
      } catch (e) {
        end.close(e);
        throw e;
      }
    },
    close() {
      end.close();
    },
    abort(reason) {
      end.close(reason);
    },
  });
}

/** An fd a stream owns: its calls wait until they can go on, and it is closed once. */
class OwnedFd {
  private readonly stop = new AbortController();
  private readonly wait: WaitOptions = { signal: this.stop.signal, again: true };

  constructor(
    private readonly k: Process,
    private readonly fd: number,
  ) {}

  /** `attempt`, a call on the fd, as a blocking call. */
  call<T>(attempt: () => T): Promise<T> {
    return blocking(this.k, [this.fd], attempt, this.wait);
  }

  write(data: Uint8Array): Promise<number> {
    return writeAll(this.k, this.fd, data, this.wait);
  }

  /** Closes the fd if it is still open; a call waiting on it ends with `reason`. */
  close(reason?: unknown): void {
    if (this.stop.signal.aborted) return;
    this.stop.abort(reason);
    if (this.k.file(this.fd)) this.k.close(this.fd);
  }
}

function checkEnd(name: string, kernel: unknown, fd: unknown): void {
  if (!(kernel instanceof Process)) throw new InvalidArgument(name, `argument 1 must be a Kernel or Process, got ${kernel === null ? 'null' : typeof kernel}`);
  fdArg.check(fd, name, 1);
}

/** A chunk's bytes, not copied. */
function bytesOf(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (chunk instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && chunk instanceof SharedArrayBuffer)) return new Uint8Array(chunk);
  throw new InvalidArgument('writableOf', `a chunk must be an ArrayBuffer or a view of one, got ${chunk === null ? 'null' : typeof chunk}`);
}
