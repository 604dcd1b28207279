// The page pool grows on demand up to the machine's memory limit (`memory`),
// as Linux allocates pages on demand and fails only at a memory limit:
// allocations succeed past the initial pool, ENOMEM comes at the limit,
// stats report the grown pool, destroy() leaves it whole, views of the
// memory survive a growth (an unshared memory's buffer is detached by it),
// and guests in Workers on the shared memory grow it and see it grown.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { F_SETPIPE_SZ, InvalidArgument, Kernel, O_CREAT, O_NONBLOCK, O_RDONLY, O_RDWR, O_WRONLY, PAGE_SIZE, SyscallError } from '../src/index.js';
import { parseSize } from '../src/size.js';
import { growByte } from './support/grow-byte.mjs';
import { producerHash } from './support/producer.js';
import { build, HAVE_WASI_CLANG } from './wasi/toolchain.js';

const SMALL = { pages: 64, userPages: 16, rings: 64, ringMemory: 32 * 1024 };
const MiB = 1 << 20;

/** The memory a machine of these options has without growth. */
const baseMemory = (shared: boolean) => new Kernel({ ...SMALL, shared }).memory.buffer.byteLength;

/** Writes numbered pages to a new file until the pool is exhausted; returns the fd and the pages written. */
function fillFile(k: Kernel): { fd: number; pages: number; error: unknown } {
  const fd = k.open('f', O_CREAT | O_RDWR);
  const page = new Uint8Array(PAGE_SIZE);
  for (let n = 0; ; n++) {
    page.fill(n & 0xff);
    try {
      k.write(fd, page);
    } catch (error) {
      return { fd, pages: n, error };
    }
  }
}

describe.each([false, true])('pool growth (shared memory: %s)', (shared) => {
  if (shared && typeof SharedArrayBuffer === 'undefined') return;

  it('grows past its initial size on demand, files to their quota (ENOSPC), pipes to the limit (ENOMEM); stats follow; whole after destroy', () => {
    const base = baseMemory(shared);
    const k = new Kernel({ ...SMALL, shared, memory: base + 16 * MiB });
    const before = k.stats();
    expect(before.pagesTotal).toBe(SMALL.pages + SMALL.userPages - 1); // the zero page is the machine's
    const buf = k.alloc(PAGE_SIZE); // a user buffer taken before growth
    const { fd, pages, error } = fillFile(k);
    expect(error).toBeInstanceOf(SyscallError);
    expect((error as SyscallError).code).toBe('ENOSPC');
    // The directory's quota went to the file: 7/8 of 16 MiB (less the metadata of the pages it may hold) more.
    expect(pages).toBeGreaterThan(SMALL.pages + (16 * MiB * 0.99 * 7) / 8 / PAGE_SIZE);
    // The rest of the limit goes to pipes, then ENOMEM.
    const pipes: number[] = [];
    let pipeError = 'ok';
    while (pipeError === 'ok') {
      const [r, w] = k.pipe(O_NONBLOCK);
      pipes.push(r, w);
      try {
        while (k.write(w, new Uint8Array(PAGE_SIZE)) === PAGE_SIZE);
      } catch (e) {
        pipeError = (e as SyscallError).code === 'EAGAIN' ? 'ok' : (e as SyscallError).code;
      }
    }
    expect(pipeError).toBe('ENOMEM');
    expect(k.memory.buffer.byteLength).toBeLessThanOrEqual(base + 16 * MiB);
    const grown = k.stats();
    expect(grown.pagesTotal).toBeGreaterThan(before.pagesTotal + 4000);
    expect(grown.pagesInUse + grown.pagesFree).toBe(grown.pagesTotal);
    // Every page reads back what was written, through views made after the growth.
    k.lseek(fd, 0, 0);
    for (let n = 0; n < pages; n++) {
      const got = k.read(fd, PAGE_SIZE);
      if (got.length !== PAGE_SIZE || got[0] !== (n & 0xff) || got[PAGE_SIZE - 1] !== (n & 0xff)) throw new Error(`page ${n} reads back wrong`);
    }
    // The buffer from before the growth still works.
    buf.bytes.fill(7);
    expect([buf.bytes.length, buf.bytes[100]]).toEqual([PAGE_SIZE, 7]);
    for (const p of pipes) k.close(p);
    k.close(fd);
    k.unlink('f');
    k.destroy();
    expect(k.stats()).toMatchObject({ pagesTotal: grown.pagesTotal, pagesInUse: 0 });
  });

  it('without a limit the pool stays at its size', () => {
    const k = new Kernel({ ...SMALL, shared });
    const { pages, error } = fillFile(k);
    expect((error as SyscallError).code).toBe('ENOSPC');
    expect(pages).toBe(SMALL.pages - SMALL.pages / 8);
    k.destroy();
    expect(k.stats().pagesInUse).toBe(0);
  });
});

describe('the memory option', () => {
  it('is checked: bytes within one memory, and at least what the machine needs', () => {
    const refused = (opts: object) => {
      try {
        new Kernel(opts);
      } catch (e) {
        expect(e).toBeInstanceOf(InvalidArgument);
        return (e as Error).message;
      }
      throw new Error('accepted');
    };
    expect(refused({ memory: -1 })).toBe('new Kernel: memory must be an integer from 0 to 2147483648, got -1');
    expect(refused({ memory: 2 ** 31 + 1 })).toMatch(/memory must be an integer/);
    expect(refused({ memory: '1G' })).toMatch(/memory must be an integer/);
    expect(refused({ ...SMALL, memory: 1 * MiB })).toMatch(/^new Machine: memory must be at least \d+ bytes/);
  });

  it('splicekit exec --memory reads sizes as bytes or K, M, G (1024-based)', () => {
    const sizes = ['4096', '64M', '64m', '1G', '1GB', '512k'].map(parseSize);
    expect(sizes).toEqual([4096, 64 * MiB, 64 * MiB, 1024 * MiB, 1024 * MiB, 512 * 1024]);
    expect(['', 'M', '1.5G', '-1', '1T', '1 G', '0x10', '99999999999999999G'].map(parseSize)).toEqual(Array(8).fill(undefined));
  });
});

describe.runIf(typeof SharedArrayBuffer !== 'undefined')('pool growth from a Worker', () => {
  it('a Worker writing a pipe larger than the pool grows the shared memory; this thread reads the grown pages', async () => {
    // User pages enough for the Worker's staging buffer; kernel pages a quarter of the pipe.
    const opts = { ...SMALL, userPages: 1024, shared: true };
    const k = new Kernel({ ...opts, memory: new Kernel(opts).memory.buffer.byteLength + 16 * MiB });
    const [r, w] = k.pipe();
    k.fcntl(w, F_SETPIPE_SZ, 1 << 20);
    const before = k.stats().pagesTotal;
    const bytes = 1 << 20; // 256 pages, the pool 64
    const worker = new Worker(new URL('./support/grow-worker.mjs', import.meta.url), { workerData: { handle: k.exportPipeEnd(w), bytes } });
    k.close(w);
    const done = await new Promise((resolve, reject) => worker.once('message', resolve).once('error', reject));
    expect(done).toEqual({ wrote: bytes });
    // Nothing on this thread took a page: the Worker's core instance grew the pool.
    expect(k.stats().pagesTotal).toBeGreaterThan(before + 256);
    let at = 0;
    for (let got = k.read(r, 1 << 16); got.length > 0; got = k.read(r, 1 << 16)) {
      for (let i = 0; i < got.length; i++) if (got[i] !== growByte(at + i)) throw new Error(`byte ${at + i} is wrong`);
      at += got.length;
    }
    expect(at).toBe(bytes);
    await worker.terminate();
    k.close(r);
    k.destroy();
    expect(k.stats().pagesInUse).toBe(0);
  });
});

describe.runIf(HAVE_WASI_CLANG && typeof SharedArrayBuffer !== 'undefined')('pool growth with guests in Workers', () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'splicekit-growth-'));
    for (const name of ['producer', 'tee', 'sum']) await build(name, dir);
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('producer -n | tee FILE | sum writes more than the initial pool into a file: the memory grows under the Workers', async () => {
    const { runPipeline, spawn } = await import('../dist/src/node.js');
    const { Kernel: DistKernel } = await import('../dist/src/index.js');
    const opts = { pages: 256, userPages: 1024, shared: true };
    const base = new DistKernel(opts).memory.buffer.byteLength;
    const k = new DistKernel({ ...opts, memory: base + 40 * MiB });
    const bytes = 24 * MiB;
    const program = (name: string) => readFileSync(join(dir, `${name}.wasm`));
    const out: Uint8Array[] = [];
    const nul = k.open('/dev/null', O_WRONLY);
    const commands = [
      { program: program('producer'), args: ['producer', '-n', String(bytes)] },
      { program: program('tee'), args: ['tee', 'copy'] },
      { program: program('sum'), args: ['sum'] },
    ];
    const stdout = { write: async (b: Uint8Array) => out.push(b.slice()) > 0 };
    const r = await runPipeline(k, commands, { stdin: k.open('/dev/null', O_RDONLY), stdout, stderr: nul, spawn });
    expect(r.statuses).toEqual([0, 0, 0]);
    expect(new TextDecoder().decode(Buffer.concat(out))).toBe(`${bytes} ${producerHash(bytes)}\n`);
    expect(k.memory.buffer.byteLength).toBeGreaterThan(base + bytes);
    expect(k.stats().pagesTotal).toBeGreaterThan(bytes / PAGE_SIZE);
    // The file holds every byte, read here through views of the grown memory.
    const f = k.open('copy', O_RDONLY);
    let h = 0x811c9dc5;
    let total = 0;
    for (let got = k.read(f, 1 << 20); got.length > 0; got = k.read(f, 1 << 20)) {
      total += got.length;
      for (const b of got) h = Math.imul(h ^ b, 0x01000193) >>> 0;
    }
    expect(`${total} ${h.toString(16).padStart(8, '0')}`).toBe(`${bytes} ${producerHash(bytes)}`);
    k.close(f);
    k.destroy();
    expect(k.stats().pagesInUse).toBe(0);
  }, 60_000);
});
