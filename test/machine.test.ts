// One machine, many processes: what Linux keeps machine-wide (the pool, the
// clock, per-user pipe accounting, open files, rings) is shared; what it
// keeps per process (the fd table, its limit, close-on-exec, user memory)
// is each process's own. Every scenario ends with the pool whole.

import { describe, expect, it } from 'vitest';
import { kernel } from './support/kernels.js';
import { InvalidArgument } from '../src/errors.js';
import { F_DUPFD, F_GETFD, F_GETPIPE_SZ, F_SETFD, F_SETPIPE_SZ, FD_CLOEXEC, O_CLOEXEC, O_NONBLOCK, O_RDONLY, SPLICE_F_NONBLOCK } from '../src/constants.js';

const code = (f: () => unknown): string | undefined => {
  try {
    f();
    return undefined;
  } catch (e) {
    return (e as { code?: string }).code;
  }
};

describe('what the machine owns', () => {
  it("per-user pipe pages count every process's pipes: the soft limit is reached across three", () => {
    const k = kernel();
    const kids = [k.process(), k.process(), k.process()];
    // 16384 pages of 16-slot pipes is 1024 pipes; no process may hold more than 510.
    let made = 0;
    for (const p of kids) {
      for (let i = 0; i < 341; i++, made++) expect(p.fcntl(p.pipe()[0], F_GETPIPE_SZ)).toBe(65536);
    }
    for (; made < 1024; made++) expect(k.fcntl(k.pipe()[0], F_GETPIPE_SZ)).toBe(65536);
    // Pipe 1025, in any process, is past the soft limit: 2 slots, and it may not grow.
    const [r] = kids[1].pipe();
    expect(kids[1].fcntl(r, F_GETPIPE_SZ)).toBe(8192);
    expect(code(() => kids[1].fcntl(r, F_SETPIPE_SZ, 65536))).toBe('EPERM');
    // A process that ends gives its pipes' pages back to the user's count.
    kids[0].exit(0);
    const [r2] = kids[2].pipe();
    expect(kids[2].fcntl(r2, F_GETPIPE_SZ)).toBe(65536);
  });

  it('the clock is one: a tick anywhere acknowledges every TCP-like socket', () => {
    const k = kernel();
    const child = k.process();
    const [a, b] = child.socketpair({ ackDelay: 10 });
    child.write(a, new Uint8Array(100).fill(1));
    child.read(b, 100);
    const held = k.stats().pagesInUse;
    expect(held).toBeGreaterThan(0);
    k.tick(5);
    expect(child.machine.clock).toBe(5);
    expect(k.stats().pagesInUse).toBe(held);
    child.machine.tick(5);
    expect(k.clock).toBe(10);
    expect(k.stats().pagesInUse).toBeLessThan(held);
  });

  it('open files are counted machine-wide: ENFILE at maxFiles, whichever process asks', () => {
    const k = kernel({ maxFiles: 12 });
    const child = k.process();
    // 3 + 3 stdio files, then pipes of two files each.
    k.pipe();
    child.pipe();
    k.pipe();
    expect(k.stats().files).toBe(12);
    expect(code(() => child.pipe())).toBe('ENFILE');
    expect(code(() => k.open('/dev/null', O_RDONLY))).toBe('ENFILE');
    expect(code(() => child.socketpair())).toBe('ENFILE');
    // dup makes no new open file.
    expect(k.dup(0)).toBe(k.fcntl(0, F_DUPFD, 0) - 1);
    child.exit(0);
    expect(k.stats().files).toBe(7);
    expect(k.pipe()).toHaveLength(2);
  });

  it('rings are made as they are needed: a thousand pipes across two processes, where 256 was the end', () => {
    const k = kernel();
    const child = k.process();
    for (let i = 0; i < 500; i++) {
      k.pipe();
      child.pipe();
    }
    expect(k.stats().files).toBe(2006);
    // A new pipe's slots take 512 bytes; a grown pipe's more, given back when it shrinks.
    expect(k.stats().ringMemoryInUse).toBe(1000 * 16 * 32);
    const [r] = k.pipe();
    expect(k.fcntl(r, F_SETPIPE_SZ, 1 << 20)).toBe(1 << 20);
    expect(k.stats().ringMemoryInUse).toBe(1000 * 16 * 32 + 256 * 32);
    k.fcntl(r, F_SETPIPE_SZ, 4096);
    expect(k.stats().ringMemoryInUse).toBe(1000 * 16 * 32 + 32);
  });

  it('when slot memory runs out, a new pipe is ENFILE and a bigger one ENOMEM, as kcalloc failing is', () => {
    // 32 KiB of slots: 64 new pipes of 16 slots.
    const k = kernel({ ringMemory: 32 * 1024 });
    const child = k.process();
    const pipes = Array.from({ length: 64 }, (_, i) => (i % 2 ? k : child).pipe());
    expect(code(() => k.pipe())).toBe('ENFILE');
    // Two 16-slot blocks come free, not buddies of each other: no 32 slots in one piece.
    for (const i of [1, 3]) pipes[i]!.forEach((fd) => k.close(fd));
    const [r] = k.pipe();
    // pipe_resize_ring() asks for the new slots before it lets the old go.
    expect(code(() => k.fcntl(r, F_SETPIPE_SZ, 2 * 65536))).toBe('ENOMEM');
    expect(k.fcntl(r, F_SETPIPE_SZ, 16384)).toBe(16384);
    // The 16 slots it let go are there again.
    expect(k.fcntl(r, F_SETPIPE_SZ, 65536)).toBe(65536);
  });
});

describe('what each process owns: its fd table', () => {
  it('starts with 0, 1 and 2 open on /dev/null; new fds are the lowest free ones', () => {
    const k = kernel();
    expect([0, 1, 2].map((fd) => k.describe(fd)?.kind)).toEqual(['null', 'null', 'null']);
    expect(k.pipe()).toEqual([3, 4]);
    k.close(0);
    k.close(3);
    expect(k.pipe()).toEqual([0, 3]);
    const child = k.process({ 7: 4 });
    expect(child.describe(7)?.kind).toBe('pipe-write');
    expect(child.pipe()).toEqual([3, 4]);
  });

  it('EMFILE at RLIMIT_NOFILE (1024 by default, `nofile` to change), counting free fds right', () => {
    const k = kernel();
    for (let i = 0; i < 510; i++) k.pipe();
    expect(code(() => k.pipe())).toBe('EMFILE');
    expect(code(() => k.socketpair())).toBe('EMFILE');
    expect(k.dup(3)).toBe(1023);
    expect(code(() => k.dup(3))).toBe('EMFILE');
    // open takes its fd before it looks the name up.
    expect(code(() => k.open('missing', O_RDONLY))).toBe('EMFILE');
    k.close(0);
    expect(code(() => k.pipe())).toBe('EMFILE');
    expect(k.dup(3)).toBe(0);
    const small = kernel({ nofile: 8 });
    expect(small.pipe()).toEqual([3, 4]);
    expect(small.pipe()).toEqual([5, 6]);
    expect(code(() => small.pipe())).toBe('EMFILE');
    expect(small.dup(3)).toBe(7);
    expect(code(() => small.dup2(3, 8))).toBe('EBADF');
    expect(() => kernel({ nofile: 2 })).toThrow(InvalidArgument);
  });

  it("close-on-exec is the fd's: O_CLOEXEC, F_GETFD/F_SETFD, dup3; an exec (inherit) leaves those fds behind", () => {
    const k = kernel();
    const [r, w] = k.pipe(O_CLOEXEC);
    const [r2, w2] = k.pipe();
    expect([k.fcntl(r, F_GETFD), k.fcntl(r2, F_GETFD)]).toEqual([FD_CLOEXEC, 0]);
    k.fcntl(w2, F_SETFD, FD_CLOEXEC);
    expect(k.dup3(r2, 20, O_CLOEXEC)).toBe(20);
    expect(k.fcntl(20, F_GETFD)).toBe(FD_CLOEXEC);
    const child = k.process({ 9: w }, { inherit: true });
    // Inherited at the same numbers: stdio and r2; not r, w, w2 or 20. `fds` applies after.
    expect([r, w, r2, w2, 20, 9].map((fd) => child.describe(fd)?.kind)).toEqual([undefined, undefined, 'pipe-read', undefined, undefined, 'pipe-write']);
    expect(child.fcntl(9, F_GETFD)).toBe(0);
    // The child's copies are its own fds: closing them here leaves the parent's.
    child.close(r2);
    expect(k.describe(r2)?.kind).toBe('pipe-read');
  });

  it('a process that exits closes its fds: the peer sees EOF, then EPIPE the other way; its memory goes', async () => {
    const k = kernel();
    const [r, w] = k.pipe(O_NONBLOCK);
    const [r2, w2] = k.pipe(O_NONBLOCK);
    const child = k.process({ 1: w, 0: r2 });
    k.close(w);
    k.close(r2);
    const buf = child.alloc(4096);
    buf.bytes.set([1, 2, 3]);
    child.vmsplice(1, [{ buf, offset: 0, length: 3 }], SPLICE_F_NONBLOCK);
    k.write(w2, Uint8Array.of(9, 9));
    expect(child.vmspliceLoan(0, 1, SPLICE_F_NONBLOCK).count).toBe(1);
    child.exit(7);
    expect(await child.exited).toBe(7);
    expect(child.exitStatus).toBe(7);
    // The pipe still references the page the child vmspliced: it outlives the child's buffer.
    expect([...k.read(r, 10)]).toEqual([1, 2, 3]);
    expect(k.read(r, 10).length).toBe(0);
    expect(code(() => k.write(w2, Uint8Array.of(1)))).toBe('EPIPE');
    expect(k.stats().processes).toBe(1);
  });

  it('destroy ends every live process and releases every loan: the pool is whole', () => {
    const k = kernel({ shared: true });
    const child = k.process();
    const grandchild = child.process();
    for (const p of [k, child, grandchild]) {
      const [r, w] = p.pipe();
      p.write(w, new Uint8Array(9000).fill(7));
      const loan = p.vmspliceLoan(r, 5000, 0);
      expect(loan.count).toBe(5000);
      p.alloc(1 << 16);
    }
    k.exportPipeEnd(k.pipe()[1]);
    expect(k.stats().processes).toBe(3);
    expect(k.stats().pagesInUse).toBeGreaterThan(6);
  });

  it('a process that has ended makes no more calls (ESRCH), so it cannot take pages nobody would return', () => {
    const k = kernel();
    const child = k.process();
    child.exit(0);
    for (const call of [() => child.alloc(4096), () => child.pipe(), () => child.read(0, 1), () => child.exit(1)]) {
      expect(call).toThrow(expect.objectContaining({ code: 'ESRCH', errno: 3 }));
    }
    expect(child.exitStatus).toBe(0);
    k.destroy();
    expect(k.stats().pagesInUse).toBe(0);
  });

  it('destroy settles a call that awaits: its process ended, it fails with ESRCH', async () => {
    const k = kernel();
    const [r] = k.pipe();
    const waiting = k.async.read(r, 10);
    k.destroy();
    await expect(waiting).rejects.toMatchObject({ code: 'ESRCH', syscall: 'read' });
    expect(k.stats().pagesInUse).toBe(0);
  });

  it('tick takes a number of milliseconds, 0 or more; anything else is an InvalidArgument', () => {
    const k = kernel();
    for (const bad of [-1, NaN, Infinity, '5', Symbol('s')]) expect(() => k.tick(bad as never)).toThrow(InvalidArgument);
    k.tick(0);
    k.destroy();
  });

  it('an awaiting call whose fd is closed ends with EBADF, even when the number names a new file by then', async () => {
    const k = kernel();
    const [r, w] = k.pipe();
    const waiting = k.async.read(r, 10);
    k.close(r);
    const [again] = k.pipe();
    expect(again).toBe(r);
    await expect(waiting).rejects.toMatchObject({ code: 'EBADF', syscall: 'read' });
    k.close(w);
    k.destroy();
    expect(k.stats().pagesInUse).toBe(0);
  });
});
