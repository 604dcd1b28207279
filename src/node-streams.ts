// Pipe ends as Node streams: the Web Streams adapters behind Node's own
// bridges, which keep their meaning (destroy cancels or aborts, so the fd
// closes; an error is the SyscallError itself).

import { Readable, Writable } from 'node:stream';
import type { ReadableStream as NodeReadableStream, WritableStream as NodeWritableStream } from 'node:stream/web';
import type { Process } from './process.js';
import { readableOf, writableOf, type ReadableOfOptions } from './streams.js';

/** `readableOf` as a stream.Readable of Buffers. */
export function nodeReadableOf(kernel: Process, fd: number, opts?: ReadableOfOptions): Readable {
  return Readable.fromWeb(readableOf(kernel, fd, opts) as NodeReadableStream<Uint8Array>);
}

/** `writableOf` as a stream.Writable (strings are written as UTF-8). */
export function nodeWritableOf(kernel: Process, fd: number): Writable {
  return Writable.fromWeb(writableOf(kernel, fd) as NodeWritableStream);
}
