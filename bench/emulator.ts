// splicekit's scenarios: the zero-copy paths, the copy paths, per-call
// costs, the core's exports called directly (what the host adds), and the
// sustained-load memory check.
//
// All of them run on ONE Kernel: Node 20 gives the third and later Wasm
// instances in a thread a slower call path (shared/TOOLCHAIN.md), and each
// Kernel instantiates two (a layout probe and the core). Every scenario
// closes what it opened and checks the pool is back where it started.

import { F_SETPIPE_SZ, Kernel, O_CREAT, O_RDWR, O_WRONLY, type IoVec, type UserBuffer } from '../src/index.js';
import { rowOf, type Row, type Scenario } from './harness.js';

const PAGE = 4096;
const MIB = 1 << 20;
const GIB = 1 << 30;
/** The in-memory files of the file scenarios. */
const FILE_BYTES = 16 * MIB;

let kernel: Kernel | undefined;

/** The one kernel of this thread: 64 MiB of kernel pages, 16 MiB of user pages. */
export function benchKernel(): Kernel {
  kernel ??= new Kernel({ pages: 16384, userPages: 4096 });
  return kernel;
}

function expect(got: number, want: number, what: string): void {
  if (got !== want) throw new Error(`${what}: got ${got}, expected ${want}`);
}

/** What a scenario opened, closed again by `close`, which then checks the pool. */
class Scope {
  private readonly base: number;
  private readonly fds: number[] = [];
  private readonly bufs: UserBuffer[] = [];
  private readonly files: string[] = [];
  readonly rings: number[] = [];

  constructor(
    readonly k: Kernel,
    readonly name: string,
  ) {
    this.base = k.stats().pagesInUse;
  }

  pipe(size = 0): [number, number] {
    const p = this.k.pipe();
    this.fds.push(...p);
    if (size) this.k.fcntl(p[1], F_SETPIPE_SZ, size);
    return p;
  }

  open(path: string, flags: number): number {
    const fd = this.k.open(path, flags);
    this.fds.push(fd);
    if (!path.startsWith('/') && !this.files.includes(path)) this.files.push(path);
    return fd;
  }

  /** User memory that has been written (so vmsplice maps it, not the zero page). */
  alloc(length: number): UserBuffer {
    const b = this.k.alloc(length);
    b.bytes.fill(0x5a);
    this.bufs.push(b);
    return b;
  }

  /** A bare core ring with one reader and one writer (no fd: for the core-* rows). */
  ring(slots: number): number {
    const r = this.k.core.ringNew(slots);
    if (r < 0) throw new Error(`ringNew: ${r}`);
    this.k.core.addReaders(r, 1);
    this.k.core.addWriters(r, 1);
    this.rings.push(r);
    return r;
  }

  close = (): void => {
    for (const fd of this.fds) this.k.close(fd);
    for (const r of this.rings) this.k.core.ringFree(r);
    for (const b of this.bufs) this.k.free(b);
    for (const f of this.files) this.k.unlink(f);
    const now = this.k.stats().pagesInUse;
    if (now !== this.base) throw new Error(`${this.name}: ${now - this.base} pages still in use after the scenario`);
  };
}

/** Times `batches` batches of `calls`, draining between them untimed. */
function timedBatches(batches: number, batch: () => void, drain: () => void): { overriddenDuration: number } {
  let t = 0;
  for (let i = 0; i < batches; i++) {
    const t0 = performance.now();
    batch();
    t += performance.now() - t0;
    drain();
  }
  return { overriddenDuration: t };
}

// ---- zero-copy paths ----------------------------------------------------------

const zeroCopy: Scenario[] = [
  {
    name: 'vmsplice-splice-null',
    unit: 'GiB/s',
    group: 'emulator',
    per: 64 * MIB,
    note: 'vmsplice 1 MiB half of a 2 MiB buffer into a 1 MiB pipe, splice to /dev/null',
    setup() {
      const k = benchKernel();
      const s = new Scope(k, this.name);
      const [r, w] = s.pipe(MIB);
      const nul = s.open('/dev/null', O_WRONLY);
      const buf = s.alloc(2 * MIB);
      const halves: IoVec[][] = [[{ buf, offset: 0, length: MIB }], [{ buf, offset: MIB, length: MIB }]];
      return {
        fn() {
          for (let i = 0; i < 64; i++) {
            expect(k.vmsplice(w, halves[i & 1], 0), MIB, 'vmsplice');
            expect(k.splice(r, null, nul, null, MIB, 0), MIB, 'splice');
          }
        },
        done: s.close,
      };
    },
  },
  {
    name: 'splice-pipe-pipe',
    unit: 'GiB/s',
    group: 'emulator',
    per: 64 * MIB,
    note: '1 MiB of pages bounced between two 1 MiB pipes',
    setup() {
      const k = benchKernel();
      const s = new Scope(k, this.name);
      const [ra, wa] = s.pipe(MIB);
      const [rb, wb] = s.pipe(MIB);
      expect(k.write(wa, s.alloc(MIB).bytes), MIB, 'write');
      return {
        fn() {
          for (let i = 0; i < 32; i++) {
            expect(k.splice(ra, null, wb, null, MIB, 0), MIB, 'splice a->b');
            expect(k.splice(rb, null, wa, null, MIB, 0), MIB, 'splice b->a');
          }
        },
        done: s.close,
      };
    },
  },
  {
    name: 'tee-two-drains',
    unit: 'GiB/s',
    group: 'emulator',
    per: 32 * MIB,
    note: 'vmsplice 1 MiB into A, tee A->B, splice A and B to /dev/null',
    setup() {
      const k = benchKernel();
      const s = new Scope(k, this.name);
      const [ra, wa] = s.pipe(MIB);
      const [rb, wb] = s.pipe(MIB);
      const nul = s.open('/dev/null', O_WRONLY);
      const buf = s.alloc(2 * MIB);
      const halves: IoVec[][] = [[{ buf, offset: 0, length: MIB }], [{ buf, offset: MIB, length: MIB }]];
      return {
        fn() {
          for (let i = 0; i < 32; i++) {
            expect(k.vmsplice(wa, halves[i & 1], 0), MIB, 'vmsplice');
            expect(k.tee(ra, wb, MIB, 0), MIB, 'tee');
            expect(k.splice(ra, null, nul, null, MIB, 0), MIB, 'splice a');
            expect(k.splice(rb, null, nul, null, MIB, 0), MIB, 'splice b');
          }
        },
        done: s.close,
      };
    },
  },
  {
    name: 'splice-file-file',
    unit: 'GiB/s',
    group: 'emulator',
    per: FILE_BYTES,
    note: '16 MiB file -> 1 MiB pipe -> file (page cache by reference, copied into the target)',
    setup() {
      const k = benchKernel();
      const s = new Scope(k, this.name);
      const [r, w] = s.pipe(MIB);
      const src = fileOf(s, 'bench-src');
      const dst = s.open('bench-dst', O_RDWR | O_CREAT);
      const inOff = { value: 0 };
      const outOff = { value: 0 };
      return {
        fn() {
          inOff.value = 0;
          outOff.value = 0;
          while (inOff.value < FILE_BYTES) {
            let n = k.splice(src, inOff, w, null, MIB, 0);
            if (n <= 0) throw new Error(`splice file->pipe: ${n}`);
            while (n > 0) n -= k.splice(r, null, dst, outOff, n, 0);
          }
          expect(outOff.value, FILE_BYTES, 'bytes written');
        },
        done: s.close,
      };
    },
  },
  {
    name: 'sendfile',
    unit: 'GiB/s',
    group: 'emulator',
    per: FILE_BYTES,
    note: 'sendfile of a 16 MiB file to /dev/null',
    setup() {
      const k = benchKernel();
      const s = new Scope(k, this.name);
      const src = fileOf(s, 'bench-src');
      const nul = s.open('/dev/null', O_WRONLY);
      const off = { value: 0 };
      return {
        fn() {
          off.value = 0;
          while (off.value < FILE_BYTES) {
            if (k.sendfile(nul, src, off, FILE_BYTES - off.value) <= 0) throw new Error('sendfile moved nothing');
          }
        },
        done: s.close,
      };
    },
  },
];

/** A 16 MiB file of the scope, written through the API. */
function fileOf(s: Scope, name: string): number {
  const fd = s.open(name, O_RDWR | O_CREAT);
  const buf = s.alloc(2 * MIB);
  for (let i = 0; i < FILE_BYTES / (2 * MIB); i++) expect(s.k.write(fd, buf.bytes), 2 * MIB, 'file write');
  return fd;
}

// ---- copy paths -------------------------------------------------------------------

function writeRead(name: string, staged: boolean): Scenario {
  const CHUNK = 64 * 1024;
  return {
    name,
    unit: 'GiB/s',
    group: 'emulator',
    per: 1024 * CHUNK,
    note: staged
      ? 'write 64 KiB from a JS Uint8Array (staging copy), read it into a new array (default 64 KiB pipe)'
      : 'write 64 KiB from user memory, read it into user memory: one copy each way (default 64 KiB pipe)',
    setup() {
      const k = benchKernel();
      const s = new Scope(k, this.name);
      const [r, w] = s.pipe();
      const data = staged ? new Uint8Array(CHUNK).fill(0x5a) : s.alloc(CHUNK).bytes;
      const into = staged ? undefined : s.alloc(CHUNK).bytes;
      return {
        fn() {
          for (let i = 0; i < 1024; i++) {
            expect(k.write(w, data), CHUNK, 'write');
            if (into) expect(k.readInto(r, into), CHUNK, 'read');
            else expect(k.read(r, CHUNK).length, CHUNK, 'read');
          }
        },
        done: s.close,
      };
    },
  };
}

/** vmsplice 1 MiB into a pipe, then take it out by copy (vmsplice) or by loan. */
function readSide(name: string, loan: boolean): Scenario {
  return {
    name,
    unit: 'GiB/s',
    group: 'emulator',
    per: 32 * MIB,
    note: loan
      ? 'vmsplice 1 MiB in, vmspliceLoan 1 MiB out (views, no copy) + release'
      : 'vmsplice 1 MiB in (mapped), vmsplice 1 MiB out of the read end (copied)',
    setup() {
      const k = benchKernel();
      const s = new Scope(k, this.name);
      const [r, w] = s.pipe(MIB);
      const src = s.alloc(2 * MIB);
      const dst = s.alloc(MIB);
      const halves: IoVec[][] = [[{ buf: src, offset: 0, length: MIB }], [{ buf: src, offset: MIB, length: MIB }]];
      const out: IoVec[] = [{ buf: dst, offset: 0, length: MIB }];
      return {
        fn() {
          for (let i = 0; i < 32; i++) {
            expect(k.vmsplice(w, halves[i & 1], 0), MIB, 'vmsplice in');
            if (loan) {
              const l = k.vmspliceLoan(r, MIB, 0);
              let seen = 0;
              for (const v of l.views) seen += v.length;
              expect(seen, MIB, 'loan views');
              l.release();
            } else {
              expect(k.vmsplice(r, out, 0), MIB, 'vmsplice out');
            }
          }
        },
        done: s.close,
      };
    },
  };
}

const copies: Scenario[] = [
  writeRead('write-read', false),
  writeRead('write-read-staged', true),
  readSide('vmsplice-read', false),
  readSide('loan-read', true),
];

// ---- per-call costs ------------------------------------------------------------------

function splicePages(name: string, pages: number, calls: number): Scenario {
  return {
    name,
    unit: 'ns/call',
    group: 'emulator',
    per: calls,
    note: `${pages} page${pages > 1 ? 's' : ''} bounced between two 1 MiB pipes, one splice per call`,
    setup() {
      const k = benchKernel();
      const s = new Scope(k, this.name);
      const [ra, wa] = s.pipe(MIB);
      const [rb, wb] = s.pipe(MIB);
      const len = pages * PAGE;
      expect(k.write(wa, s.alloc(len).bytes), len, 'write');
      return {
        fn() {
          for (let i = 0; i < calls / 2; i++) {
            expect(k.splice(ra, null, wb, null, len, 0), len, 'splice a->b');
            expect(k.splice(rb, null, wa, null, len, 0), len, 'splice b->a');
          }
        },
        done: s.close,
      };
    },
  };
}

const perCall: Scenario[] = [
  splicePages('splice-page', 1, 2000),
  {
    name: 'tee-page',
    unit: 'ns/call',
    group: 'emulator',
    per: 8 * 256,
    note: 'tee of one page into a 1 MiB pipe (its drain not timed)',
    setup() {
      const k = benchKernel();
      const s = new Scope(k, this.name);
      const [ra, wa] = s.pipe();
      const [rb, wb] = s.pipe(MIB);
      const nul = s.open('/dev/null', O_WRONLY);
      expect(k.write(wa, s.alloc(PAGE).bytes), PAGE, 'write');
      return {
        fn: () =>
          timedBatches(
            8,
            () => {
              for (let j = 0; j < 256; j++) expect(k.tee(ra, wb, PAGE, 0), PAGE, 'tee');
            },
            () => expect(k.splice(rb, null, nul, null, MIB, 0), MIB, 'drain'),
          ),
        done: s.close,
      };
    },
  },
  {
    name: 'vmsplice-page',
    unit: 'ns/call',
    group: 'emulator',
    per: 8 * 256,
    note: 'vmsplice of one user page into a 1 MiB pipe (its drain not timed)',
    setup() {
      const k = benchKernel();
      const s = new Scope(k, this.name);
      const [rb, wb] = s.pipe(MIB);
      const nul = s.open('/dev/null', O_WRONLY);
      const iov: IoVec[] = [{ buf: s.alloc(PAGE), offset: 0, length: PAGE }];
      return {
        fn: () =>
          timedBatches(
            8,
            () => {
              for (let j = 0; j < 256; j++) expect(k.vmsplice(wb, iov, 0), PAGE, 'vmsplice');
            },
            () => expect(k.splice(rb, null, nul, null, MIB, 0), MIB, 'drain'),
          ),
        done: s.close,
      };
    },
  },
  splicePages('splice-pages-1', 1, 2000),
  splicePages('splice-pages-16', 16, 1000),
  splicePages('splice-pages-64', 64, 400),
  splicePages('splice-pages-256', 256, 200),
];

// ---- the core called directly: what the host's TypeScript adds -------------------------

const core: Scenario[] = [
  {
    name: 'wasm-call',
    unit: 'ns/call',
    group: 'core',
    per: 100000,
    note: 'core.occupancy(ring): one JS -> Wasm call doing almost nothing',
    setup() {
      const k = benchKernel();
      const s = new Scope(k, this.name);
      const r = s.ring(16);
      return {
        fn() {
          let n = 0;
          for (let i = 0; i < 100000; i++) n += k.core.occupancy(r);
          expect(n, 0, 'occupancy');
        },
        done: s.close,
      };
    },
  },
  {
    name: 'core-splice-page',
    unit: 'ns/call',
    group: 'core',
    per: 2000,
    note: 'core.splicePipeToPipe of one page, no host checks (compare splice-page)',
    setup() {
      const k = benchKernel();
      const s = new Scope(k, this.name);
      const a = s.ring(256);
      const b = s.ring(256);
      expect(k.core.pipeWrite(a, s.alloc(PAGE).addr, PAGE, false, true, 0x10), PAGE, 'pipeWrite');
      return {
        fn() {
          for (let i = 0; i < 1000; i++) {
            expect(k.core.splicePipeToPipe(a, b, PAGE, false), PAGE, 'a->b');
            expect(k.core.splicePipeToPipe(b, a, PAGE, false), PAGE, 'b->a');
          }
        },
        done: s.close,
      };
    },
  },
  {
    name: 'core-tee-page',
    unit: 'ns/call',
    group: 'core',
    per: 8 * 256,
    note: 'core.tee of one page (compare tee-page)',
    setup() {
      const k = benchKernel();
      const s = new Scope(k, this.name);
      const a = s.ring(16);
      const b = s.ring(256);
      expect(k.core.pipeWrite(a, s.alloc(PAGE).addr, PAGE, false, true, 0x10), PAGE, 'pipeWrite');
      return {
        fn: () =>
          timedBatches(
            8,
            () => {
              for (let j = 0; j < 256; j++) expect(k.core.tee(a, b, PAGE, false), PAGE, 'tee');
            },
            () => k.core.drainToPages(b, MIB, 0, 0),
          ),
        done: s.close,
      };
    },
  },
  {
    name: 'core-vmsplice-page',
    unit: 'ns/call',
    group: 'core',
    per: 8 * 256,
    note: 'core.vmspliceToPipe of one page, iovec pre-written (compare vmsplice-page)',
    setup() {
      const k = benchKernel();
      const s = new Scope(k, this.name);
      const b = s.ring(256);
      const buf = s.alloc(PAGE);
      new Uint32Array(k.memory.buffer, k.args, 3).set([(buf.addr - k.pages) / PAGE, 0, PAGE]);
      return {
        fn: () =>
          timedBatches(
            8,
            () => {
              for (let j = 0; j < 256; j++) expect(k.core.vmspliceToPipe(b, k.args, 1, false, false, 0), PAGE, 'vmspliceToPipe');
            },
            () => k.core.drainToPages(b, MIB, 0, 0),
          ),
        done: s.close,
      };
    },
  },
];

export const emulatorScenarios: Scenario[] = [...zeroCopy, ...copies, ...perCall, ...core];

// ---- sustained load: the pool's footprint after 10 GiB ----------------------------------

/**
 * Pushes 10 GiB through vmsplice -> splice -> /dev/null and reports the
 * throughput of each GiB, the growth of the memory (bytes) and the pages
 * still in use above the baseline: both must be 0.
 */
export function sustained(totalGiB = 10): Row[] {
  const k = benchKernel();
  const s = new Scope(k, 'sustained');
  const [r, w] = s.pipe(MIB);
  const nul = s.open('/dev/null', O_WRONLY);
  const buf = s.alloc(2 * MIB);
  const halves: IoVec[][] = [[{ buf, offset: 0, length: MIB }], [{ buf, offset: MIB, length: MIB }]];
  const bytesBefore = k.memory.buffer.byteLength;
  const pagesBefore = k.stats().pagesInUse;
  const rssBefore = process.memoryUsage().rss;
  const rates: number[] = [];
  let peakPages = pagesBefore;
  for (let g = 0; g < totalGiB; g++) {
    const t0 = performance.now();
    for (let i = 0; i < GIB / MIB; i++) {
      expect(k.vmsplice(w, halves[i & 1], 0), MIB, 'vmsplice');
      if ((i & 255) === 0) peakPages = Math.max(peakPages, k.stats().pagesInUse);
      expect(k.splice(r, null, nul, null, MIB, 0), MIB, 'splice');
    }
    rates.push(1 / ((performance.now() - t0) / 1e3));
  }
  const grew = k.memory.buffer.byteLength - bytesBefore;
  const leaked = k.stats().pagesInUse - pagesBefore;
  const rssGrew = process.memoryUsage().rss - rssBefore;
  s.close();
  sustainedNote =
    `pool memory ${(bytesBefore / MIB).toFixed(1)} MiB before and ${(k.memory.buffer.byteLength / MIB).toFixed(1)} MiB after ${totalGiB} GiB; ` +
    `pages in use ${pagesBefore} before, at most ${peakPages} during, ${pagesBefore + leaked} after; ` +
    `process RSS ${rssGrew >= 0 ? '+' : ''}${(rssGrew / MIB).toFixed(1)} MiB`;
  return [
    rowOf(`sustained-${totalGiB}gib`, 'GiB/s', 'memory', rates, `vmsplice-splice-null for ${totalGiB} GiB, one sample per GiB`),
    rowOf(`sustained-${totalGiB}gib-memory-growth`, 'bytes', 'memory', [grew], 'kernel.memory.buffer.byteLength after - before'),
    rowOf(`sustained-${totalGiB}gib-pages-leaked`, 'pages', 'memory', [leaked], 'stats().pagesInUse after - before'),
  ];
}

export let sustainedNote = '';
