// Pipe ends (and other fds) as Web Streams and Node streams: what Response,
// pipeTo, pipeThrough and stream.pipeline see, backpressure from the pipe's
// capacity, EOF, EPIPE, cancel and abort closing the fd, BYOB reads, and
// the pages coming back.

import { once } from 'node:events';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { kernel } from './support/kernels.js';
import { F_SETFL, F_SETPIPE_SZ, InvalidArgument, O_CREAT, O_NONBLOCK, O_RDONLY, O_RDWR, readableOf, SyscallError, writableOf } from '../src/index.js';
import { nodeReadableOf, nodeWritableOf } from '../src/node.js';

const enc = (s: string) => new TextEncoder().encode(s);

/** `n` bytes that differ from their neighbours (a misplaced byte shows). */
function pattern(n: number, seed = 0): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + (i >> 8) + seed) & 0xff;
  return b;
}

/** Lets every pending promise and wake-up run. */
const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
};

/** A stream of `chunks`, one per pull. */
function source(chunks: unknown[]): ReadableStream<unknown> {
  let i = 0;
  return new ReadableStream({
    pull(c) {
      if (i < chunks.length) c.enqueue(chunks[i++]);
      else c.close();
    },
  });
}

const bytes = async (s: ReadableStream<Uint8Array>) => new Uint8Array(await new Response(s).arrayBuffer());

describe('readableOf', () => {
  it('a Response reads a pipe to EOF; the stream then closes the fd', async () => {
    const k = kernel();
    const [r, w] = k.pipe();
    const data = pattern(200_000);
    const writing = k.async.write(w, data).then(() => k.close(w));
    expect(await bytes(readableOf(k, r))).toEqual(data);
    await writing;
    expect(k.describe(r)).toBeUndefined();
  });

  it('a default reader gets chunks of what the pipe has, up to chunkSize, each its own exact buffer', async () => {
    const k = kernel();
    const [r, w] = k.pipe();
    k.write(w, pattern(10_000));
    k.close(w);
    const reader = readableOf(k, r, { chunkSize: 4096 }).getReader();
    const sizes: number[] = [];
    for (let c = await reader.read(); !c.done; c = await reader.read()) {
      expect(c.value.buffer.byteLength).toBe(c.value.length);
      sizes.push(c.value.length);
    }
    expect(sizes).toEqual([4096, 4096, 1808]);
  });

  it("a chunk is the consumer's copy: it holds no page, and the pages reused later leave it intact", async () => {
    const k = kernel();
    const [r, w] = k.pipe();
    const idle = k.stats().pagesInUse;
    k.write(w, new Uint8Array(8192).fill(0x61));
    expect(k.stats().pagesInUse).toBe(idle + 2);
    const reader = readableOf(k, r).getReader();
    const { value } = await reader.read();
    expect(k.stats().pagesInUse).toBe(idle);
    k.write(w, new Uint8Array(8192).fill(0x62));
    expect(value).toEqual(new Uint8Array(8192).fill(0x61));
    await reader.cancel();
  });

  it('BYOB reads of odd sizes and offsets get every byte in order, and no more than the pipe has', async () => {
    const k = kernel();
    const [r, w] = k.pipe();
    k.fcntl(w, F_SETPIPE_SZ, 1 << 20);
    const data = pattern(300_007);
    k.write(w, data.subarray(0, 10));
    const reader = readableOf(k, r).getReader({ mode: 'byob' });
    // The pipe holds 10 bytes and its writer is open: the read returns them, as read(2) does.
    const first = await reader.read(new Uint8Array(100));
    expect(first.value).toEqual(data.subarray(0, 10));
    k.write(w, data.subarray(10));
    k.close(w);
    const sizes = [1, 7, 4093, 4097, 65537, 3, 131071];
    const got = [first.value!];
    for (let i = 0; ; i++) {
      const size = sizes[i % sizes.length]!;
      const { done, value } = await reader.read(new Uint8Array(new ArrayBuffer(size + 5), 3, size));
      if (done) {
        expect(value!.length).toBe(0);
        break;
      }
      expect(value!.byteOffset).toBe(3);
      expect(value!.length).toBeLessThanOrEqual(size);
      got.push(value!);
    }
    expect(await bytes(new Blob(got).stream())).toEqual(data);
  });

  it('pulls nothing ahead: the pipe is the buffer, and a writer blocked on it resumes as the consumer reads', async () => {
    const k = kernel();
    const [r, w] = k.pipe();
    const data = pattern(3 * 65536 + 100);
    let finished = false;
    const writing = k.async.write(w, data).then((n) => {
      finished = true;
      k.close(w);
      return n;
    });
    const reader = readableOf(k, r).getReader();
    await settle();
    expect([k.fionread(r), finished]).toEqual([65536, false]);
    const got: Uint8Array<ArrayBuffer>[] = [];
    const first = await reader.read();
    got.push(first.value!);
    await settle();
    // The writer filled the room the read made, and waits again.
    expect([k.fionread(r), finished]).toEqual([65536, false]);
    for (let c = await reader.read(); !c.done; c = await reader.read()) got.push(c.value);
    expect(await writing).toBe(data.length);
    expect(finished).toBe(true);
    expect(await bytes(new Blob(got).stream())).toEqual(data);
  });

  it('cancel closes the fd: the writer gets EPIPE', async () => {
    const k = kernel();
    const [r, w] = k.pipe();
    k.write(w, enc('unread'));
    const reader = readableOf(k, r).getReader();
    await reader.cancel();
    expect(k.describe(r)).toBeUndefined();
    await expect(k.async.write(w, enc('more'))).rejects.toMatchObject({ code: 'EPIPE', syscall: 'write' });
  });

  it("cancel during a waiting read ends it; the fd's number, reused at once, is not read", async () => {
    const k = kernel();
    const [r, w] = k.pipe();
    const reader = readableOf(k, r).getReader();
    const pending = reader.read();
    await settle();
    void reader.cancel();
    // The next pipe gets the number the stream gave up; the old read must not take its bytes.
    const [r2, w2] = k.pipe();
    expect(r2).toBe(r);
    k.write(w2, enc('not yours'));
    expect(await pending).toEqual({ done: true, value: undefined });
    await settle();
    expect(k.fionread(r2)).toBe(9);
    for (const fd of [w, r2, w2]) k.close(fd);
  });

  it('other readable fds: a file, /dev/zero, a socket', async () => {
    const k = kernel();
    const f = k.open('notes', O_CREAT | O_RDWR);
    k.write(f, enc('hello, file\n'));
    k.lseek(f, 0, 0);
    expect(await new Response(readableOf(k, f)).text()).toBe('hello, file\n');
    expect(k.describe(f)).toBeUndefined();

    const zero = k.open('/dev/zero', O_RDONLY);
    const reader = readableOf(k, zero, { chunkSize: 1000 }).getReader();
    for (let i = 0; i < 3; i++) expect((await reader.read()).value).toEqual(new Uint8Array(1000));
    await reader.cancel();
    expect(k.describe(zero)).toBeUndefined();

    const [a, b] = k.socketpair();
    const data = pattern(100_000);
    const writing = k.async.write(b, data).then(() => k.close(b));
    const byob = readableOf(k, a).getReader({ mode: 'byob' });
    const got: Uint8Array<ArrayBuffer>[] = [];
    for (let c = await byob.read(new Uint8Array(5000)); !c.done; c = await byob.read(new Uint8Array(5000))) got.push(c.value);
    await writing;
    expect(await bytes(new Blob(got).stream())).toEqual(data);
  });

  it('an fd that cannot be read errors the stream with the SyscallError', async () => {
    const k = kernel();
    const [, w] = k.pipe();
    for (const fd of [w, 99]) {
      const err = await readableOf(k, fd)
        .getReader()
        .read()
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SyscallError);
      expect(err).toMatchObject({ code: 'EBADF', syscall: 'read' });
    }
    // The stream owned the fd, and it ended: the fd is closed.
    expect(k.describe(w)).toBeUndefined();
  });

  it('a read waiting when the machine is destroyed fails; every page comes back', async () => {
    const k = kernel();
    const [r, w] = k.pipe();
    k.write(w, pattern(5000));
    const reader = readableOf(k, r, { chunkSize: 4096 }).getReader();
    await reader.read();
    await reader.read();
    const pending = reader.read();
    k.destroy();
    expect(k.stats().pagesInUse).toBe(0);
    await expect(pending).rejects.toBeInstanceOf(SyscallError);
  });

  it('with every ring in use the pages cannot be lent: the stream reads by copy instead, every byte in order', async () => {
    const k = kernel({ ringMemory: 32 * 1024 });
    const [r, w] = k.pipe();
    const data = pattern(40000);
    k.write(w, data);
    k.close(w);
    const held: number[] = [];
    try {
      for (;;) held.push(...k.pipe());
    } catch (e) {
      expect(['ENFILE', 'ENOMEM']).toContain((e as SyscallError).code);
    }
    expect(() => k.vmspliceLoan(r, 10, 0)).toThrow(/ENOMEM/);
    expect(new Uint8Array(await new Response(readableOf(k, r)).arrayBuffer())).toEqual(data);
    for (const fd of held) k.close(fd);
  });

  it('arguments no C caller could pass are InvalidArgument, before anything happens', () => {
    const k = kernel();
    const [r] = k.pipe();
    for (const call of [
      () => readableOf({} as never, r),
      () => readableOf(k, '3' as never),
      () => readableOf(k, 1.5),
      () => readableOf(k, r, null as never),
      () => readableOf(k, r, { chunkSize: 0 }),
      () => readableOf(k, r, { chunkSize: -1 }),
      () => readableOf(k, r, { chunkSize: '4096' as never }),
      () => writableOf(null as never, r),
      () => writableOf(k, 2 ** 31),
    ]) {
      expect(call).toThrow(InvalidArgument);
    }
    expect(k.describe(r)).toBeDefined();
  });
});

describe('writableOf', () => {
  it('pipeTo writes every chunk whole (views, ArrayBuffers, odd sizes); close closes the fd: the reader sees EOF', async () => {
    const k = kernel();
    const [r, w] = k.pipe();
    const data = pattern(250_001);
    const cuts = [0, 1, 4096, 70_000, 70_003, 200_000, data.length];
    const chunks: unknown[] = [];
    cuts.slice(1).forEach((end, i) => {
      const part = data.slice(cuts[i], end);
      chunks.push(i % 3 === 0 ? part : i % 3 === 1 ? part.buffer : new DataView(part.buffer));
    });
    const [, got] = await Promise.all([source(chunks).pipeTo(writableOf(k, w)), bytes(readableOf(k, r))]);
    expect(got).toEqual(data);
    expect([k.describe(w), k.describe(r)]).toEqual([undefined, undefined]);
  });

  it('gzip through a pipe: CompressionStream into it, DecompressionStream out of it', async () => {
    const k = kernel();
    const [r, w] = k.pipe();
    const text = 'splice moves pages; tee clones them.\n'.repeat(5000);
    const [r2, w2] = k.pipe();
    const [, , zipped] = await Promise.all([
      source([enc(text)])
        .pipeThrough(new CompressionStream('gzip'))
        .pipeTo(writableOf(k, w)),
      // The compressed bytes, as read from the pipe, go round once more: re-compressed into a second pipe.
      readableOf(k, r).pipeThrough(new DecompressionStream('gzip')).pipeThrough(new CompressionStream('gzip')).pipeTo(writableOf(k, w2)),
      bytes(readableOf(k, r2)),
    ]);
    expect(new TextDecoder().decode(gunzipSync(zipped))).toBe(text);
  });

  it("a write blocks on a full pipe (backpressure) and resumes when the stream's consumer reads", async () => {
    const k = kernel();
    const [r, w] = k.pipe();
    const writer = writableOf(k, w).getWriter();
    const data = pattern(3 * 65536);
    let written = false;
    const writing = writer.write(data).then(() => {
      written = true;
    });
    await settle();
    expect([k.fionread(r), written, writer.desiredSize]).toEqual([65536, false, 0]);
    const reader = readableOf(k, r).getReader();
    const got: Uint8Array<ArrayBuffer>[] = [];
    for (let n = 0; n < data.length; n += got[got.length - 1]!.length) got.push((await reader.read()).value!);
    await writing;
    expect(written).toBe(true);
    await writer.close();
    expect(await reader.read()).toEqual({ done: true, value: undefined });
    expect(await bytes(new Blob(got).stream())).toEqual(data);
  });

  it('a reader that went away errors the stream with EPIPE, the SyscallError itself; the fd closes', async () => {
    const k = kernel();
    const [r, w] = k.pipe();
    k.close(r);
    const writer = writableOf(k, w).getWriter();
    const err = await writer.write(enc('lost')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SyscallError);
    expect(err).toMatchObject({ code: 'EPIPE', syscall: 'write' });
    await expect(writer.closed).rejects.toBe(err);
    expect(k.describe(w)).toBeUndefined();
  });

  it('cancel of the reading stream errors a write blocked on the full pipe with EPIPE', async () => {
    const k = kernel();
    const [r, w] = k.pipe();
    const writer = writableOf(k, w).getWriter();
    const writing = writer.write(pattern(100_000)).catch((e: unknown) => e);
    await settle();
    await readableOf(k, r).cancel();
    expect(await writing).toMatchObject({ code: 'EPIPE', syscall: 'write' });
  });

  it('abort does not wait for a write blocked on a full pipe: the fd closes, the reader gets what was written, then EOF', async () => {
    const k = kernel();
    const [r, w] = k.pipe();
    const writer = writableOf(k, w).getWriter();
    const reason = new Error('stop');
    const writing = writer.write(pattern(100_000)).catch((e: unknown) => e);
    await settle();
    await writer.abort(reason);
    expect(await writing).toBe(reason);
    expect(k.describe(w)).toBeUndefined();
    expect((await bytes(readableOf(k, r))).length).toBe(65536);
  });

  it('an O_NONBLOCK pipe or socket: EAGAIN waits, as an event loop waits for poll', async () => {
    const k = kernel();
    const [r, w] = k.pipe(O_NONBLOCK);
    const [a, b] = k.socketpair();
    for (const fd of [a, b]) k.fcntl(fd, F_SETFL, O_NONBLOCK);
    const data = pattern(300_000);
    const [, fromPipe, , fromSocket] = await Promise.all([
      source([data]).pipeTo(writableOf(k, w)),
      bytes(readableOf(k, r)),
      source([data]).pipeTo(writableOf(k, b)),
      bytes(readableOf(k, a)),
    ]);
    expect(fromPipe).toEqual(data);
    expect(fromSocket).toEqual(data);
  });

  it('a chunk that is not bytes is InvalidArgument; an fd that cannot be written, the SyscallError; either closes the fd', async () => {
    const k = kernel();
    const [r, w] = k.pipe();
    const writer = writableOf(k, w).getWriter();
    await expect(writer.write('text' as never)).rejects.toBeInstanceOf(InvalidArgument);
    expect(k.describe(w)).toBeUndefined();
    const err = await writableOf(k, r)
      .getWriter()
      .write(enc('x'))
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'EBADF', syscall: 'write' });
  });
});

describe('nodeReadableOf and nodeWritableOf', () => {
  it('stream.pipeline into a pipe, for await out of it: every byte; both fds close at the end', async () => {
    const k = kernel();
    const [r, w] = k.pipe();
    const data = pattern(150_000);
    const chunks = [data.subarray(0, 70_000), 'text', data.subarray(70_000)];
    const out: Buffer[] = [];
    await Promise.all([
      pipeline(Readable.from(chunks), nodeWritableOf(k, w)),
      (async () => {
        for await (const c of nodeReadableOf(k, r)) out.push(c as Buffer);
      })(),
    ]);
    expect(out.every((c) => Buffer.isBuffer(c))).toBe(true);
    expect(Buffer.concat(out)).toEqual(Buffer.concat([data.subarray(0, 70_000), enc('text'), data.subarray(70_000)]));
    expect([k.describe(w), k.describe(r)]).toEqual([undefined, undefined]);
  });

  it('errors are the SyscallError: EPIPE for a writer whose reader went, EBADF for an fd not open', async () => {
    const k = kernel();
    const [r, w] = k.pipe();
    k.close(r);
    const writable = nodeWritableOf(k, w);
    writable.write('lost');
    const [epipe] = await once(writable, 'error');
    expect(epipe).toBeInstanceOf(SyscallError);
    expect(epipe).toMatchObject({ code: 'EPIPE', syscall: 'write' });
    expect(k.describe(w)).toBeUndefined();
    const readable = nodeReadableOf(k, 99);
    readable.resume();
    const [ebadf] = await once(readable, 'error');
    expect(ebadf).toMatchObject({ code: 'EBADF', syscall: 'read' });
  });

  it('destroy closes the fd: of the readable, the writer gets EPIPE; of the writable, the reader EOF', async () => {
    const k = kernel();
    const [r, w] = k.pipe();
    const readable = nodeReadableOf(k, r);
    readable.destroy();
    await once(readable, 'close');
    expect(k.describe(r)).toBeUndefined();
    await expect(k.async.write(w, enc('x'))).rejects.toMatchObject({ code: 'EPIPE' });
    const [r2, w2] = k.pipe();
    const writable = nodeWritableOf(k, w2);
    const closed = new Promise((resolve) => writable.on('error', () => {}).on('close', resolve));
    writable.destroy(new Error('gone'));
    await closed;
    expect(k.describe(w2)).toBeUndefined();
    expect(k.read(r2, 10).length).toBe(0);
    for (const fd of [w, r2]) k.close(fd);
  });
});
