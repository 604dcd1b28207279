// Hostile callers: random calls of every public method of a process, with
// arguments that are well-formed for the world they run in (its fds, its
// buffers) or malformed (wrong types, NaN, infinities, huge and negative
// values, frozen or changing objects, freed or foreign buffers, closed fds).
// After each call the world is checked: only documented errors come out,
// counts and offsets agree with what moved, the accounting holds; at the
// end destroy() makes the pool whole and every awaiting call settles.
//
// Used by test/hostile.test.ts and `npm run fuzz` (scripts/fuzz.js), which
// scale it with SPLICEKIT_FUZZ_CALLS and replay it with SPLICEKIT_FUZZ_SEED.

import fc from 'fast-check';
import {
  ERRNO,
  F_DUPFD,
  F_DUPFD_CLOEXEC,
  F_GETFD,
  F_GETFL,
  F_GETPIPE_SZ,
  F_SETFD,
  F_SETFL,
  F_SETPIPE_SZ,
  InvalidArgument,
  Kernel,
  O_APPEND,
  O_CLOEXEC,
  O_CREAT,
  O_DIRECT,
  O_NONBLOCK,
  O_RDONLY,
  O_RDWR,
  O_TRUNC,
  O_WRONLY,
  POLLIN,
  POLLOUT,
  SEEK_CUR,
  SEEK_END,
  SEEK_SET,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOCK_SEQPACKET,
  SPLICE_F_GIFT,
  SPLICE_F_MORE,
  SPLICE_F_MOVE,
  SPLICE_F_NONBLOCK,
  SyscallError,
  SYSCALLS,
  WouldBlock,
  type Loan,
  type Process,
  type SyscallName,
  type UserBuffer,
} from '../../src/index.js';
import { fd as fdType, type ArgType } from '../../src/syscalls/args.js';

/** A value for one argument, made when the call runs (it may name the world's fds and buffers). */
export type Arg = ((w: World) => unknown) & { label: string };

const arg = (label: string, make: (w: World) => unknown): Arg => Object.assign(make, { label, toString: () => label });
const constant = (label: string, v: unknown): Arg => arg(label, () => v);

/** One step: a syscall on a process of the world, or one of the machine's own operations. */
export type Step =
  | { kind: 'call'; on: number; name: SyscallName; args: Arg[]; awaited: boolean }
  | { kind: 'process'; inherit: boolean }
  | { kind: 'export'; fd: Arg }
  | { kind: 'revoke'; which: number }
  | { kind: 'release'; which: number }
  | { kind: 'tick'; ms: Arg };

/** What a world is made of: a kernel with pipes, a file, sockets, devices, buffers; the names its steps use. */
export class World {
  readonly k: Kernel;
  /** Another machine: its buffers are foreign here. */
  readonly other = new Kernel({ pages: 16, userPages: 4, rings: 8 });
  readonly procs: Process[];
  /** fd numbers worth trying: what was opened (still open or not), plus a few never opened. */
  readonly fds: number[] = [-1, 1023, 1024, 2 ** 31 - 1];
  readonly bufs: UserBuffer[] = [];
  readonly loans: Loan[] = [];
  readonly handles: { tid: number }[] = [];
  readonly pending: Promise<unknown>[] = [];

  constructor(readonly small: boolean) {
    this.k = new Kernel(small ? { pages: 24, userPages: 8, rings: 24, ringMemory: 256 * 1024 } : { pages: 512, userPages: 128, rings: 64 });
    this.procs = [this.k];
    const k = this.k;
    const open = (...fds: number[]) => this.fds.push(...fds);
    open(0, 1, 2, ...k.pipe(), ...k.pipe(O_NONBLOCK), ...k.pipe(O_DIRECT | O_NONBLOCK));
    const f = k.open('f', O_RDWR | O_CREAT);
    k.write(f, new TextEncoder().encode('a file of a few bytes, then some more\n'.repeat(small ? 4 : 200)));
    open(f, k.open('/dev/null', O_WRONLY), k.open('/dev/zero', O_RDONLY), ...k.socketpair(), ...k.socketpair({ type: SOCK_DGRAM }));
    this.bufs.push(k.alloc(8192), k.alloc(4096));
    const freed = k.alloc(4096);
    k.free(freed);
    this.bufs.push(freed, this.other.alloc(4096));
    this.bufs[0]!.bytes.fill(0x41);
  }

  /** What a call returned that the world can use next: new fds, new buffers, loans. */
  learn(name: SyscallName, result: unknown): void {
    if (name === 'pipe' || name === 'socketpair') this.fds.push(...(result as number[]));
    else if (['open', 'dup', 'dup2', 'dup3', 'notifyfd'].includes(name)) this.fds.push(result as number);
    else if (name === 'alloc') this.bufs.push(result as UserBuffer);
    else if (name === 'vmspliceLoan') this.loans.push(result as Loan);
  }
}

// ---- arguments ---------------------------------------------------------------

/** Values no C caller could pass, for any argument. */
const malformed: fc.Arbitrary<Arg> = fc
  .constantFrom<[string, unknown]>(
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['-Infinity', -Infinity],
    ['2**53', 2 ** 53],
    ['-(2**53)', -(2 ** 53)],
    ['1.5', 1.5],
    ['"3"', '3'],
    ['3n', 3n],
    ['null', null],
    ['undefined', undefined],
    ['[]', []],
    ['{}', {}],
    ['true', true],
    ['Symbol()', Symbol('s')],
    ['() => 1', () => 1],
    ['[3]', [3]],
    ['new Uint8Array(4)', new Uint8Array(4)],
  )
  .map(([label, v]) => constant(label, v));

const int = (lo: number, hi: number) => fc.integer({ min: lo, max: hi }).map((v) => constant(String(v), v));
const named = (pairs: [string, unknown][]) => fc.constantFrom(...pairs).map(([label, v]) => constant(label, v));

const fdArg: fc.Arbitrary<Arg> = fc.oneof(
  { weight: 8, arbitrary: fc.nat().map((i) => arg(`fds[${i}]`, (w) => w.fds[i % w.fds.length])) },
  { weight: 1, arbitrary: int(-3, 40) },
);

const bufArg: fc.Arbitrary<Arg> = fc.oneof(
  { weight: 6, arbitrary: fc.nat().map((i) => arg(`bufs[${i}]`, (w) => w.bufs[i % w.bufs.length])) },
  {
    weight: 1,
    arbitrary: named([
      ['{ addr: 123, length: 10 }', { addr: 123, length: 10 }],
      ['{ addr: -1, length: 2**40 }', { addr: -1, length: 2 ** 40 }],
      ['{ addr: 4096, length: NaN }', { addr: 4096, length: NaN }],
    ]),
  },
);

/** An offset object as hostile as they come: plain, frozen, with a getter, a fraction, a string. */
const loffArg: fc.Arbitrary<Arg> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(constant('null', null)) },
  { weight: 6, arbitrary: fc.integer({ min: -5, max: 9000 }).map((v) => arg(`{ value: ${v} }`, () => ({ value: v }))) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 100 }).map((v) => arg(`frozen { value: ${v} }`, () => Object.freeze({ value: v }))) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 0, max: 100 }).map((v) =>
      arg(`{ get value() alternating }`, () => {
        let n = 0;
        return {
          get value() {
            return n++ % 2 ? 'x' : v;
          },
          set value(_x) {
            /* refuses */
          },
        };
      }),
    ),
  },
  {
    weight: 1,
    arbitrary: named([
      ['{ value: 1.5 }', { value: 1.5 }],
      ['{ value: "5" }', { value: '5' }],
      ['{ value: 2**60 }', { value: 2 ** 60 }],
    ]).map((a) => arg(a.label, () => structuredClone(a(undefined as never)))),
  },
);

const bytesArg = (dest: boolean): fc.Arbitrary<Arg> =>
  fc.oneof(
    fc.integer({ min: 0, max: 9000 }).map((n) => arg(`new Uint8Array(${n})`, () => new Uint8Array(n).fill(0x62))),
    // A view of user memory: a write from it, or a read into it, with no staging copy.
    fc.nat().map((i) => arg(`bufs[${i}].bytes`, (w) => w.bufs[i % w.bufs.length]!.bytes)),
    ...(dest ? [fc.integer({ min: 0, max: 100 }).map((n) => arg(`subarray(${n})`, () => new Uint8Array(200).subarray(n)))] : []),
  );

const iovecsArg: fc.Arbitrary<Arg> = fc
  .array(
    fc.oneof(
      {
        weight: 8,
        arbitrary: fc
          .tuple(bufArg, fc.integer({ min: 0, max: 9000 }), fc.integer({ min: 0, max: 9000 }))
          .map(([b, o, l]) => arg(`{ buf: ${b.label}, offset: ${o}, length: ${l} }`, (w) => ({ buf: b(w), offset: o, length: l }))),
      },
      { weight: 1, arbitrary: malformed },
      {
        weight: 1,
        arbitrary: fc.nat().map((i) =>
          arg('{ get buf() changing }', (w) => {
            let n = 0;
            return {
              get buf() {
                return n++ === 0 ? w.bufs[i % w.bufs.length] : null;
              },
              offset: 0,
              length: 100,
            };
          }),
        ),
      },
    ),
    { maxLength: 4 },
  )
  .map((list) => arg(`[${list.map((a) => a.label).join(', ')}]`, (w) => list.map((a) => a(w))));

const pollfdsArg: fc.Arbitrary<Arg> = fc
  .array(
    fc
      .tuple(
        fdArg,
        named([
          ['POLLIN', POLLIN],
          ['POLLOUT', POLLOUT],
          ['POLLIN|POLLOUT', POLLIN | POLLOUT],
          ['0xffff', 0xffff],
          ['NaN', NaN],
        ]),
      )
      .map(([f, e]) => arg(`{ fd: ${f.label}, events: ${e.label} }`, (w) => ({ fd: f(w), events: e(w) }))),
    { maxLength: 4 },
  )
  .map((list) => arg(`[${list.map((a) => a.label).join(', ')}]`, (w) => list.map((a) => a(w))));

const flagsArg = named([
  ['0', 0],
  ['O_NONBLOCK', O_NONBLOCK],
  ['O_DIRECT', O_DIRECT],
  ['O_CLOEXEC', O_CLOEXEC],
  ['O_RDWR|O_CREAT', O_RDWR | O_CREAT],
  ['O_WRONLY|O_CREAT|O_TRUNC', O_WRONLY | O_CREAT | O_TRUNC],
  ['O_WRONLY|O_APPEND', O_WRONLY | O_APPEND],
  ['SPLICE_F_NONBLOCK', SPLICE_F_NONBLOCK],
  ['SPLICE_F_MOVE|SPLICE_F_MORE', SPLICE_F_MOVE | SPLICE_F_MORE],
  ['SPLICE_F_GIFT', SPLICE_F_GIFT],
  ['-1', -1],
  ['0xffffffff', 0xffffffff],
  ['0x80000000', 0x80000000],
]);

const cmdArg = fc.oneof(
  named([
    ['F_GETFL', F_GETFL],
    ['F_SETFL', F_SETFL],
    ['F_GETPIPE_SZ', F_GETPIPE_SZ],
    ['F_SETPIPE_SZ', F_SETPIPE_SZ],
    ['F_GETFD', F_GETFD],
    ['F_SETFD', F_SETFD],
    ['F_DUPFD', F_DUPFD],
    ['F_DUPFD_CLOEXEC', F_DUPFD_CLOEXEC],
    ['SEEK_SET', SEEK_SET],
    ['SEEK_CUR', SEEK_CUR],
    ['SEEK_END', SEEK_END],
  ]),
  int(-2, 2000),
);

const sizeArg = fc.oneof(
  int(0, 70000),
  named([
    ['2**31', 2 ** 31],
    ['2**53-1', 2 ** 53 - 1],
    ['1<<20', 1 << 20],
    ['4096', 4096],
  ]),
);
const ulongArg = fc.oneof(
  int(-1, 70000),
  named([
    ['1<<20', 1 << 20],
    ['(1<<20)+1', (1 << 20) + 1],
    ['2**31', 2 ** 31],
    ['2**40', 2 ** 40],
    ['-(2**40)', -(2 ** 40)],
  ]),
);
const pathArg = named([
  ['"f"', 'f'],
  ['"g"', 'g'],
  ['"/dev/null"', '/dev/null'],
  ['"/dev/zero"', '/dev/zero'],
  ['""', ''],
  ['"."', '.'],
  ['".."', '..'],
  ['"a/b"', 'a/b'],
  ['"x" * 300', 'x'.repeat(300)],
  ['"nul\\0"', 'nul\0'],
  ['"/dev/full"', '/dev/full'],
]);
const socketOptsArg = named([
  ['undefined', undefined],
  ['{}', {}],
  ['{ ackDelay: 5 }', { ackDelay: 5 }],
  ['{ ackDelay: -1 }', { ackDelay: -1 }],
  ['{ ackDelay: NaN }', { ackDelay: NaN }],
  ['{ type: SOCK_DGRAM }', { type: SOCK_DGRAM }],
  ['{ type: SOCK_SEQPACKET|SOCK_NONBLOCK }', { type: SOCK_SEQPACKET | SOCK_NONBLOCK }],
  ['{ type: 4 }', { type: 4 }],
  ['{ type: 15 }', { type: 15 }],
  ['{ type: 1.5 }', { type: 1.5 }],
  ['{ type: SOCK_DGRAM, ackDelay: 5 }', { type: SOCK_DGRAM, ackDelay: 5 }],
  ['{ typ: SOCK_DGRAM }', { typ: SOCK_DGRAM }],
]);

/** Counts for read, which returns a new array: what a caller asks of /dev/zero it gets, so ask for at most 1 MiB. */
const readCountArg = fc.oneof(int(0, 70000), named([['1<<20', 1 << 20]]));

/** A well-formed value for an argument of type `t` (by what it stands for in C) of call `name`. */
function wellFormed(t: ArgType<unknown>, name: SyscallName): fc.Arbitrary<Arg> {
  if (t === fdType) return fdArg;
  if (name === 'read' && t.c === 'size_t') return readCountArg;
  switch (t.wire) {
    case 'loff':
      return loffArg;
    case 'bytes':
      return bytesArg(false);
    case 'dest':
      return bytesArg(true);
    case 'str':
      return pathArg;
    case 'buffer':
      return bufArg;
    case 'iovecs':
      return iovecsArg;
    case 'pollfds':
      return pollfdsArg;
    case 'json':
      return socketOptsArg;
    default:
      break;
  }
  switch (t.c) {
    case 'int':
      return cmdArg;
    case 'unsigned':
      return flagsArg;
    case 'size_t':
      return sizeArg;
    case 'unsigned long':
      return ulongArg;
    default:
      return int(-10, 10000);
  }
}

/** Calls that end a process: only children take them (the world keeps its first process). */
const ENDING: SyscallName[] = ['exit'];
const NAMES = Object.keys(SYSCALLS) as SyscallName[];

const callStep: fc.Arbitrary<Step> = fc.constantFrom(...NAMES).chain((name) => {
  const types = SYSCALLS[name].args as readonly ArgType<unknown>[];
  const args = fc.tuple(...types.map((t) => fc.oneof({ weight: 12, arbitrary: wellFormed(t, name) }, { weight: 1, arbitrary: malformed })));
  // Sometimes an argument short, sometimes one too many.
  const arity = fc.constantFrom(0, 0, 0, 0, 0, 0, -1, 1);
  return fc.record({ on: fc.nat(), args, arity, awaited: fc.boolean() }).map(
    ({ on, args: a, arity: d, awaited }): Step => ({
      kind: 'call',
      on,
      name,
      awaited: awaited && SYSCALLS[name].blocks !== false,
      args: d < 0 ? a.slice(0, Math.max(0, a.length - 1)) : d > 0 ? [...a, constant('7', 7)] : a,
    }),
  );
});

export const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 40, arbitrary: callStep },
  { weight: 1, arbitrary: fc.boolean().map((inherit): Step => ({ kind: 'process', inherit })) },
  { weight: 1, arbitrary: fdArg.map((fd): Step => ({ kind: 'export', fd })) },
  { weight: 1, arbitrary: fc.nat().map((which): Step => ({ kind: 'revoke', which })) },
  { weight: 2, arbitrary: fc.nat().map((which): Step => ({ kind: 'release', which })) },
  { weight: 1, arbitrary: fc.oneof(int(0, 500), malformed).map((ms): Step => ({ kind: 'tick', ms })) },
);

export const describeStep = (s: Step): string => {
  switch (s.kind) {
    case 'call':
      return `${s.awaited ? 'await ' : ''}procs[${s.on}].${s.name}(${s.args.map((a) => a.label).join(', ')})`;
    case 'process':
      return `k.process({}, { inherit: ${s.inherit} })`;
    case 'export':
      return `k.exportPipeEnd(${s.fd.label})`;
    case 'revoke':
      return `k.revokePipeEnd(handles[${s.which}].tid)`;
    case 'release':
      return `loans[${s.which}].release()`;
    case 'tick':
      return `k.tick(${s.ms.label})`;
  }
};

// ---- running and checking ----------------------------------------------------

const ERRNO_NAMES = new Set(Object.keys(ERRNO));

/** A failure of the contract, with the step that broke it. */
export class Broken extends Error {}

/** Throws Broken unless `e` is an error the README documents. */
function documented(e: unknown, what: string): void {
  if (e instanceof WouldBlock) return;
  if (e instanceof SyscallError && ERRNO_NAMES.has(e.code)) return;
  if (e instanceof InvalidArgument && e.code === 'ERR_INVALID_ARG_TYPE') return;
  throw new Broken(`${what} threw an undocumented ${e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e)}`);
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/** For each offset argument of a call, the argument that is its fd. */
const OFFSET_FD: Partial<Record<SyscallName, Record<number, number>>> = { splice: { 1: 0, 3: 2 }, sendfile: { 2: 1 } };

/** Checks a call's result against what it was asked (counts within bounds, offsets moved by the count). */
function checkResult(
  name: SyscallName,
  args: unknown[],
  before: (number | undefined)[],
  result: unknown,
  what: string,
  kindOf: (fd: unknown) => string | undefined,
): void {
  const fail = (why: string) => {
    throw new Broken(`${what}: ${why}`);
  };
  const offsets = args.map((a) => (typeof a === 'object' && a !== null && 'value' in a ? (a as { value: unknown }).value : undefined));
  if (name === 'read') {
    if (!(result instanceof Uint8Array) || result.length > (args[1] as number)) fail(`returned ${String(result)}`);
  }
  if (name === 'splice' || name === 'sendfile' || name === 'tee' || name === 'write' || name === 'readInto' || name === 'vmsplice') {
    if (!isCount(result)) fail(`returned ${String(result)}, not a count`);
    const len = name === 'splice' ? args[4] : name === 'tee' || name === 'sendfile' ? args[name === 'tee' ? 2 : 3] : undefined;
    if (typeof len === 'number' && (result as number) > len) fail(`moved ${String(result)} of ${len}`);
    // A regular file's offset object moves by exactly the count (fs/splice.c, fs/read_write.c:
    // *ppos = pos); a device's may not (read_iter_zero leaves ki_pos as it was).
    offsets.forEach((v, i) => {
      const file = OFFSET_FD[name]?.[i];
      if (before[i] === undefined || file === undefined || kindOf(args[file]) !== 'file') return;
      if (v !== before[i]! + (result as number)) fail(`offset ${before[i]} became ${String(v)} after ${String(result)} bytes`);
    });
  }
}

/** Checks what must hold between calls: the accounting, and each pipe's FIONREAD against its slots. */
function checkWorld(w: World, deep: boolean, what: string): void {
  const st = w.k.stats();
  if (st.pagesInUse < 0 || st.pagesInUse + st.pagesFree !== st.pagesTotal) throw new Broken(`${what}: stats ${JSON.stringify(st)}`);
  if (!deep) return;
  const snap = w.k.snapshot();
  if (snap.pool.inUse !== st.pagesInUse) throw new Broken(`${what}: snapshot pool ${snap.pool.inUse} vs stats ${st.pagesInUse}`);
  for (const v of snap.fds) {
    if (v.kind !== 'pipe-read') continue;
    const ring = snap.rings.find((r) => r.ring === v.ring)!;
    const inRing = ring.slots.reduce((n, s) => n + s.len, 0);
    const n = w.k.fionread(v.fd);
    if (n !== inRing) throw new Broken(`${what}: FIONREAD of fd ${v.fd} is ${n}, its slots hold ${inRing}`);
  }
}

/** Steps run so far in this process (what a run of the test reports). */
export let stepsRun = 0;

/** Runs one step on the world; throws Broken if the contract breaks. */
export function runStep(w: World, s: Step, index: number, deep: boolean): void {
  stepsRun++;
  const what = `step ${index}: ${describeStep(s)}`;
  try {
    switch (s.kind) {
      case 'call': {
        const p = w.procs[s.on % w.procs.length]!;
        if (p === w.k && ENDING.includes(s.name)) return;
        const args = s.args.map((a) => a(w));
        const before = args.map((a) =>
          typeof a === 'object' && a !== null && typeof (a as { value?: unknown }).value === 'number' ? (a as { value: number }).value : undefined,
        );
        if (s.awaited) {
          const call = (p.async as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[s.name]!;
          let promise: Promise<unknown>;
          try {
            promise = call.apply(p.async, args);
          } catch (e) {
            documented(e, what);
            return;
          }
          w.pending.push(
            promise.then(
              (r) => w.learn(s.name, r),
              (e) => documented(e, `${what} (settled later)`),
            ),
          );
          return;
        }
        let result: unknown;
        try {
          result = (p as unknown as Record<string, (...a: unknown[]) => unknown>)[s.name]!.apply(p, args);
        } catch (e) {
          documented(e, what);
          return;
        }
        checkResult(s.name, args, before, result, what, (fd) => (typeof fd === 'number' ? p.describe(fd)?.kind : undefined));
        w.learn(s.name, result);
        return;
      }
      case 'process':
        w.procs.push(w.k.process({}, { inherit: s.inherit }));
        return;
      case 'export':
        try {
          w.handles.push(w.k.exportPipeEnd(s.fd(w) as number));
        } catch (e) {
          documented(e, what);
        }
        return;
      case 'revoke':
        if (w.handles.length > 0) w.k.revokePipeEnd(w.handles[s.which % w.handles.length]!.tid);
        return;
      case 'release':
        if (w.loans.length > 0) w.loans[s.which % w.loans.length]!.release();
        return;
      case 'tick':
        try {
          w.k.tick(s.ms(w) as number);
        } catch (e) {
          documented(e, what);
        }
        return;
    }
  } finally {
    if (!(s.kind === 'call' && s.awaited)) checkWorld(w, deep, what);
  }
}

/** How long an awaiting call may stay unsettled after destroy(): longer is a hang. */
const SETTLE_MS = 2000;

/** Runs the steps on a fresh world, then destroys it: the pool must be whole and every awaiting call settled. */
export async function runWorld(steps: Step[], small: boolean): Promise<void> {
  try {
    await runSteps(steps, small);
  } catch (e) {
    // The failing world in full, as code (the shrunk one, when fast-check reports it).
    if (e instanceof Broken) e.message += `\nin a ${small ? 'small' : 'default'} world:\n  ${steps.map(describeStep).join('\n  ')}`;
    throw e;
  }
}

async function runSteps(steps: Step[], small: boolean): Promise<void> {
  const w = new World(small);
  try {
    steps.forEach((s, i) => runStep(w, s, i, i % 16 === 15 || i === steps.length - 1));
  } finally {
    w.k.destroy();
    w.other.destroy();
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<'hang'>((resolve) => {
    timer = setTimeout(() => resolve('hang'), SETTLE_MS);
  });
  const settled = await Promise.race([Promise.all(w.pending).then(() => 'ok' as const), timeout]);
  clearTimeout(timer);
  if (settled === 'hang') throw new Broken(`an awaiting call was still pending ${SETTLE_MS} ms after destroy()`);
  const left = w.k.stats().pagesInUse;
  if (left !== 0) throw new Broken(`destroy() left ${left} pages in use`);
  if (w.other.stats().pagesInUse !== 0) throw new Broken('the other machine leaked');
}

/** The property: any sequence of steps keeps the contract. */
export const property = (callsPerRun: number) =>
  fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: callsPerRun, size: 'max' }), fc.boolean(), async (steps, small) => {
    await runWorld(steps, small);
  });
