// The TypeScript API beyond what traces reach: page references, the pool,
// awaitable calls, errors, and exhaustion.

import { describe, expect, it } from 'vitest';
import { kernel } from './support/kernels.js';
import { F_GETPIPE_SZ, F_SETPIPE_SZ, type Kernel, O_CREAT, O_NONBLOCK, O_RDWR, SPLICE_F_NONBLOCK, SyscallError, WouldBlock } from '../src/index.js';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/** Reference count of the page under the first slot of a pipe end's ring. */
function headPageRefs(k: Kernel, fd: number): number {
  const ring = k.describe(fd)!.ring!;
  return k.core.pageRefs(k.snapshot().rings.find((r) => r.ring === ring)!.slots[0]!.page);
}

describe('page references', () => {
  it('write copies into a new page; read returns it to the pool', () => {
    const k = kernel();
    const [r, w] = k.pipe();
    const idle = k.stats().pagesInUse;
    k.write(w, enc('abc'));
    expect(k.stats().pagesInUse).toBe(idle + 1);
    expect(dec(k.read(r, 10))).toBe('abc');
    expect(k.stats().pagesInUse).toBe(idle);
  });

  it('tee gives the page a second reference and copies nothing', () => {
    const k = kernel();
    const [r, w] = k.pipe();
    const [, w2] = k.pipe();
    k.write(w, enc('shared'));
    const used = k.stats().pagesInUse;
    expect(k.tee(r, w2, 100, 0)).toBe(6);
    expect(k.stats().pagesInUse).toBe(used);
    expect(headPageRefs(k, r)).toBe(2);
  });

  it('splice from a file references its page-cache page', () => {
    const k = kernel();
    const f = k.open('data', O_RDWR | O_CREAT);
    k.write(f, enc('page cache'));
    k.lseek(f, 0, 0);
    const [r, w] = k.pipe();
    const used = k.stats().pagesInUse;
    expect(k.splice(f, null, w, null, 100, 0)).toBe(10);
    expect(k.stats().pagesInUse).toBe(used);
    expect(headPageRefs(k, r)).toBe(2);
  });

  it('vmsplice maps user pages: changing them before the read changes what is read', () => {
    const k = kernel();
    const [r, w] = k.pipe();
    const buf = k.alloc(4096);
    buf.bytes.set(enc('before'));
    expect(k.vmsplice(w, [{ buf, offset: 0, length: 6 }], 0)).toBe(6);
    buf.bytes.set(enc('AFTER!'));
    expect(dec(k.read(r, 6))).toBe('AFTER!');
  });

  it('a freed user buffer stays in use while a pipe references it', () => {
    const k = kernel();
    const [r, w] = k.pipe();
    const idle = k.stats().pagesInUse;
    const buf = k.alloc(8192);
    buf.bytes.fill(7);
    k.vmsplice(w, [{ buf, offset: 0, length: 8192 }], 0);
    k.free(buf);
    expect(k.stats().pagesInUse).toBe(idle + 2);
    expect(k.read(r, 8192).every((b) => b === 7)).toBe(true);
    expect(k.stats().pagesInUse).toBe(idle);
  });

  it('vmsplice of never-written memory maps the zero page, as Linux does', () => {
    const k = kernel();
    const [r, w] = k.pipe();
    const buf = k.alloc(4096);
    k.vmsplice(w, [{ buf, offset: 0, length: 4 }], 0);
    buf.bytes.set(enc('late'));
    k.touch(buf, 0, 4);
    expect([...k.read(r, 4)]).toEqual([0, 0, 0, 0]);
  });
});

describe('errors', () => {
  it('are SyscallErrors with code, errno and syscall', () => {
    const k = kernel();
    const [r] = k.pipe(O_NONBLOCK);
    try {
      k.read(r, 1);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(SyscallError);
      expect(e).toMatchObject({ code: 'EAGAIN', errno: 11, syscall: 'read' });
    }
  });

  it('a blocking call that would wait throws WouldBlock instead of hanging', () => {
    const k = kernel();
    const [r] = k.pipe();
    expect(() => k.read(r, 1)).toThrow(WouldBlock);
  });

  it('an iovec outside its buffer is EFAULT', () => {
    const k = kernel();
    const [, w] = k.pipe();
    const buf = k.alloc(10);
    expect(() => k.vmsplice(w, [{ buf, offset: 5, length: 6 }], 0)).toThrow(expect.objectContaining({ code: 'EFAULT' }));
  });

  it('F_SETPIPE_SZ above pipe-max-size is EPERM; below the slots in use EBUSY', () => {
    const k = kernel();
    const [r, w] = k.pipe(O_NONBLOCK);
    expect(() => k.fcntl(w, F_SETPIPE_SZ, 2 * 1048576)).toThrow(expect.objectContaining({ code: 'EPERM' }));
    for (let i = 0; i < 3; i++) k.write(w, new Uint8Array(4096));
    expect(() => k.fcntl(w, F_SETPIPE_SZ, 8192)).toThrow(expect.objectContaining({ code: 'EBUSY' }));
    expect(k.fcntl(r, F_SETPIPE_SZ, 16384)).toBe(16384);
    expect(k.fcntl(r, F_GETPIPE_SZ)).toBe(16384);
  });

  it('an exhausted pool gives ENOMEM, never a crash, and recovers', () => {
    const k = kernel({ pages: 8 });
    const [r, w] = k.pipe(O_NONBLOCK);
    // 7 free pages (one is the zero page): the eighth page is not there.
    expect(k.write(w, new Uint8Array(10 * 4096))).toBe(7 * 4096);
    const [, w2] = k.pipe(O_NONBLOCK);
    expect(() => k.write(w2, enc('x'))).toThrow(expect.objectContaining({ code: 'ENOMEM' }));
    k.read(r, 4096);
    expect(k.write(w2, enc('x'))).toBe(1);
  });
});

describe('awaitable calls', () => {
  it('a read waits for a writer', async () => {
    const k = kernel();
    const [r, w] = k.pipe();
    const pending = k.async.read(r, 100);
    k.write(w, enc('wake up'));
    expect(dec(await pending)).toBe('wake up');
  });

  it('a blocking write larger than the pipe completes as the reader drains it', async () => {
    const k = kernel();
    const [r, w] = k.pipe();
    const data = new Uint8Array(300_000).map((_, i) => i % 251);
    const writing = k.async.write(w, data);
    const got: number[] = [];
    while (got.length < data.length) got.push(...(await k.async.read(r, 65536)));
    expect(await writing).toBe(data.length);
    expect(Buffer.from(got).equals(Buffer.from(data))).toBe(true);
  });

  it('splice waits for input, then moves it', async () => {
    const k = kernel();
    const [r, w] = k.pipe();
    const [r2, w2] = k.pipe();
    const moving = k.async.splice(r, null, w2, null, 100, 0);
    k.write(w, enc('moved'));
    expect(await moving).toBe(5);
    expect(dec(k.read(r2, 10))).toBe('moved');
  });

  it('tee with SPLICE_F_NONBLOCK never waits', async () => {
    const k = kernel();
    const [r] = k.pipe();
    const [, w2] = k.pipe();
    await expect(k.async.tee(r, w2, 10, SPLICE_F_NONBLOCK)).rejects.toMatchObject({ code: 'EAGAIN' });
  });
});

describe('Dirty Pipe (CVE-2022-0847)', () => {
  /** Primes every slot with CAN_MERGE, splices one byte of a read-only file, writes. */
  function attack(k: Kernel): string {
    const f = k.open('secret', O_RDWR | O_CREAT);
    k.write(f, enc('read-only contents'));
    k.close(f);
    const ro = k.open('secret', 0);
    const [r, w] = k.pipe();
    for (let i = 0; i < 16; i++) k.write(w, new Uint8Array(4096));
    for (let i = 0; i < 16; i++) k.read(r, 4096);
    k.splice(ro, { value: 0 }, w, null, 1, 0);
    k.write(w, enc('PWNED'));
    const check = k.open('secret', 0);
    return dec(k.read(check, 100));
  }

  it('the fixed kernel never lets a pipe write reach the page cache', () => {
    expect(attack(kernel())).toBe('read-only contents');
  });

  it('5.16 mode keeps the stale CAN_MERGE flag and the file is overwritten', () => {
    expect(attack(kernel({ dirtyPipe: true }))).toBe('rPWNEDnly contents');
  });
});

describe('readInto', () => {
  it('reads straight into user memory, or into any array', () => {
    const k = kernel();
    const [r, w] = k.pipe(O_NONBLOCK);
    const buf = k.alloc(16);
    k.write(w, enc('direct'));
    expect(k.readInto(r, buf.bytes.subarray(2))).toBe(6);
    expect(dec(buf.bytes.subarray(2, 8))).toBe('direct');
    k.write(w, enc('copied'));
    const plain = new Uint8Array(4);
    expect(k.readInto(r, plain)).toBe(4);
    expect(dec(plain)).toBe('copi');
    expect(() => k.readInto(w, plain)).toThrow(expect.objectContaining({ code: 'EBADF' }));
  });
});
