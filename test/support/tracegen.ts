// Random traces (docs/trace-format.md) for the differential test.
//
// A trace is drawn as a list of 31-bit step seeds; a small model of the
// process (which names are bound, what each fd is, a rough bound on how much
// each pipe and socket holds) turns every seed into one operation. Keeping the
// choices in plain integers lets fast-check shrink a trace by dropping steps
// while the model keeps the rest well-formed.
//
// The native runner spends ~22 ms on every call that would wait forever, so
// the model avoids such calls: only a sequence drawn with a block budget
// (about one in ten) may contain one or two operations that might wait.
// "Might" is judged conservatively: lower bounds on the bytes queued decide
// whether a read can return at once, upper bounds whether a write fits.

import fc from 'fast-check';

const PAGE = 4096;
const DEFAULT_CAP = 65536;
const MAX_SOCKET_BYTES = 40_000; // socket send buffers are machine-specific: stay far below
/** What a message of at most a page charges a datagram or seqpacket pair's budget beyond its bytes (a truesize bound). */
const MESSAGE_OVERHEAD = 4352;

/** Deterministic per-step random source (mulberry32). */
class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  weighted<T>(xs: readonly (readonly [number, T])[]): T {
    const total = xs.reduce((a, [w]) => a + w, 0);
    let r = this.next() * total;
    for (const [w, x] of xs) {
      r -= w;
      if (r < 0) return x;
    }
    return xs[xs.length - 1]![1];
  }
}

interface PipeM {
  cap: number; // a lower bound on the capacity in bytes
  capHi: number; // an upper bound on it
  lb: number; // a lower bound on the bytes queued
  ub: number; // an upper bound on the bytes queued
  ubSlots: number; // an upper bound on the ring slots in use
  readers: number; // open fds on the read end
  writers: number;
  packet: boolean;
}

// lb: bytes (a stream) or messages (otherwise) known queued for this end to read
interface SockEndM {
  lb: number;
  open: number;
}
interface SockM {
  a: SockEndM;
  b: SockEndM;
  total: number;
  type: 'STREAM' | 'DGRAM' | 'SEQPACKET';
}

/** An open file description, shared by dup. */
interface Desc {
  nonblock: boolean;
}

type FdM =
  | { kind: 'pipe'; end: 'r' | 'w'; pipe: PipeM; desc: Desc }
  | { kind: 'sock'; end: 'a' | 'b'; sock: SockM; desc: Desc }
  | { kind: 'file'; readable: boolean; writable: boolean; desc: Desc }
  | { kind: 'dev'; dev: 'null' | 'zero' | 'full'; desc: Desc };

interface Emitted {
  line: string;
  risky: boolean;
}

const PIPE_NAMES = ['p', 'q', 'u'];
const SOCK_NAMES = ['s', 't'];
const FILE_NAMES = ['f', 'g', 'h'];
const DEV_NAMES = ['n', 'z'];
const DUP_NAMES = ['d', 'e'];
// `b` and `c` are given to pipes (vmsplice into a write end), `o` receives
// (vmsplice from a read end). Keeping them apart means a pipe never copies
// into memory that its own buffers map: Linux copies such overlaps byte by
// byte, forward, through the CPU's copy_to_user, whose chunking is machine-
// dependent at small distances.
const BUF_NAMES = ['b', 'c', 'o'];
const SOURCE_BUFS = ['b', 'c'];
const SINK_BUFS = ['o'];
const PATHS = ['a', 'b', 'c'];
const UNBOUND = ['x.r', 'x.w', 'y', 'w.a'];

const PAT_SIZES = [1, 100, 4095, 4096, 4097, 10000, 70000];
const COUNTS = [0, 1, 3, 10, 100, 4095, 4096, 4097, 10000, 65536, 70000];
const SMALL_COUNTS = [0, 1, 3, 10, 100, 1000, 4096];
const OFFSETS = [0, 1, 3, 100, 4095, 4096, 5000, 70000];
const PIPE_SIZES = [0, 1, 4096, 8192, 65536, 1048576, 2097152];
/** Quoted DATA bodies (as written in the trace) and their length in bytes. */
const TEXTS: readonly (readonly [string, number])[] = [
  ['hello', 5],
  ['a', 1],
  ['xyz', 3],
  ['line\\n', 5],
  ['tab\\there', 8],
  ['q\\"uote\\\\', 7],
  ['nul\\0byte', 8],
  ['\\xff\\x00\\x7f', 3],
  ['é!', 3],
  ['', 0],
];

function roundPipeSize(n: number): number {
  if (n < PAGE) return PAGE;
  let p = PAGE;
  while (p < n) p *= 2;
  return p;
}

class Model {
  readonly names = new Map<string, FdM | null>(); // null: bound once, now closed
  readonly bufs = new Map<string, number>();
  readonly createdPaths = new Set<string>();
  readonly lines: string[] = [];
  budget: number;

  constructor(
    public rng: Rng,
    budget: number,
  ) {
    this.budget = budget;
  }

  // ---- choosing operands ------------------------------------------------------

  open(pred: (f: FdM) => boolean): [string, FdM][] {
    return [...this.names].filter((e): e is [string, FdM] => e[1] !== null && pred(e[1]));
  }

  /** A name satisfying pred (or, rarely, a closed/unbound one); null if none. */
  fd(pred: (f: FdM) => boolean, badChance = 0.04): [string, FdM | null] | null {
    const r = this.rng;
    if (r.chance(badChance)) return [this.badName(), null];
    const cands = this.open(pred);
    if (cands.length === 0) return null;
    return r.pick(cands);
  }

  badName(): string {
    const closed = [...this.names].filter(([, v]) => v === null).map(([k]) => k);
    if (closed.length > 0 && this.rng.chance(0.6)) return this.rng.pick(closed);
    return this.rng.pick(UNBOUND);
  }

  static isPipe(end?: 'r' | 'w') {
    return (f: FdM) => f.kind === 'pipe' && (end === undefined || f.end === end);
  }

  // ---- pipe bookkeeping -------------------------------------------------------

  capSlots(p: PipeM): number {
    return Math.max(1, Math.floor(p.cap / PAGE));
  }

  /** Can `len` more bytes surely go into p at once? */
  fits(p: PipeM, len: number): boolean {
    const slots = Math.ceil(len / PAGE) + 1;
    return p.ub + len <= p.cap && p.ubSlots + slots <= this.capSlots(p);
  }

  /** Up to `bytes` bytes in up to `slots` buffers may have been added; `sure`: all of them were. */
  maybeAdd(p: PipeM, bytes: number, slots: number, sure = false): void {
    if (sure && p.readers > 0 && this.fits(p, bytes)) p.lb += bytes;
    p.ub = Math.min(p.capHi, p.ub + bytes);
    p.ubSlots = Math.min(p.capHi / PAGE, p.ubSlots + slots, p.ub);
  }

  /** Up to len bytes were taken from p; reads take min(len, queued) unless packet mode. */
  taken(p: PipeM, len: number, exact: boolean): void {
    p.lb = Math.max(0, p.lb - len);
    if (exact && !p.packet) {
      p.ub = Math.max(0, p.ub - len);
      p.ubSlots = Math.min(p.ubSlots, p.ub);
    }
  }

  /** Would a call waiting for data on p's read end wait? */
  mayWaitForData(p: PipeM): boolean {
    return p.lb === 0 && p.writers > 0;
  }
  /** Would a call waiting for room in p wait? */
  mayWaitForRoom(p: PipeM, len: number): boolean {
    return p.readers > 0 && !this.fits(p, Math.min(len, PAGE));
  }

  // ---- data -------------------------------------------------------------------

  data(maxLen: number): { tok: string; len: number } {
    const r = this.rng;
    const kind = r.weighted([
      [4, 'text'],
      [5, 'pat'],
      [1, 'zero'],
    ] as const);
    if (kind === 'text') {
      const [t, len] = r.pick(TEXTS);
      if (len <= maxLen) return { tok: `"${t}"`, len };
    }
    const sizes = PAT_SIZES.filter((n) => n <= maxLen);
    if (sizes.length === 0) return { tok: '""', len: 0 };
    const n = r.pick(sizes);
    if (kind === 'zero') return { tok: `zero:${n}`, len: n };
    return { tok: r.chance(0.5) ? `pat:${n}` : `pat:${n}:${r.int(300)}`, len: n };
  }

  spliceFlags(nonblockChance = 0.85): { tok: string; nonblock: boolean } {
    const r = this.rng;
    const parts: string[] = [];
    const nonblock = r.chance(nonblockChance);
    if (nonblock) parts.push('NONBLOCK');
    if (r.chance(0.15)) parts.push('MOVE');
    if (r.chance(0.15)) parts.push('MORE');
    if (r.chance(0.05)) parts.push('GIFT');
    return { tok: parts.length ? r.pick([parts, [...parts].reverse()]).join('|') : '0', nonblock };
  }

  off(): string {
    const r = this.rng;
    return r.chance(0.5) ? '-' : String(r.chance(0.3) ? 0 : r.pick(OFFSETS));
  }

  /** Pipes other than p's, open on the write end. */
  otherPipes(p: PipeM): [string, FdM][] {
    return this.open((f) => f.kind === 'pipe' && f.end === 'w' && f.pipe !== p);
  }

  // ---- operations -------------------------------------------------------------

  bind(name: string, f: FdM): void {
    this.names.set(name, f);
  }

  /** A name for a new object: mostly one not in use yet. */
  fresh(pool: readonly string[], bound: (n: string) => boolean): string {
    const free = pool.filter((n) => !bound(n));
    return free.length > 0 && this.rng.chance(0.8) ? this.rng.pick(free) : this.rng.pick(pool);
  }

  /** A pipe write end, preferably of another pipe than `other`'s. */
  otherPipeW(other: [string, FdM | null] | null): [string, FdM | null] | null {
    const o = other?.[1];
    if (o?.kind === 'pipe' && this.rng.chance(0.9)) {
      const c = this.open((f) => f.kind === 'pipe' && f.end === 'w' && f.pipe !== o.pipe);
      if (c.length > 0) return this.rng.pick(c);
    }
    return this.fd(Model.isPipe('w'));
  }

  opPipe(): Emitted {
    const r = this.rng;
    const name = this.fresh(PIPE_NAMES, (n) => !!this.names.get(`${n}.r`) || !!this.names.get(`${n}.w`));
    const flags = r.weighted([
      [40, 'NONBLOCK'],
      [20, 'NONBLOCK|DIRECT'],
      [5, 'DIRECT|NONBLOCK'],
      [20, '0'],
      [15, 'DIRECT'],
    ] as const);
    const pipe: PipeM = { cap: DEFAULT_CAP, capHi: DEFAULT_CAP, lb: 0, ub: 0, ubSlots: 0, readers: 1, writers: 1, packet: flags.includes('DIRECT') };
    const desc = (): Desc => ({ nonblock: flags.includes('NONBLOCK') });
    this.bind(`${name}.r`, { kind: 'pipe', end: 'r', pipe, desc: desc() });
    this.bind(`${name}.w`, { kind: 'pipe', end: 'w', pipe, desc: desc() });
    const cloexec = r.chance(0.15) ? (flags === '0' ? 'CLOEXEC' : `${flags}|CLOEXEC`) : flags;
    return { line: cloexec === '0' && r.chance(0.5) ? `pipe ${name}` : `pipe ${name} ${cloexec}`, risky: false };
  }

  opSocketpair(): Emitted {
    const name = this.fresh(SOCK_NAMES, (n) => !!this.names.get(`${n}.a`) || !!this.names.get(`${n}.b`));
    const type = this.rng.weighted([
      [3, 'STREAM'],
      [1, 'DGRAM'],
      [1, 'SEQPACKET'],
    ] as const);
    const sock: SockM = { a: { lb: 0, open: 1 }, b: { lb: 0, open: 1 }, total: 0, type };
    this.bind(`${name}.a`, { kind: 'sock', end: 'a', sock, desc: { nonblock: false } });
    this.bind(`${name}.b`, { kind: 'sock', end: 'b', sock, desc: { nonblock: false } });
    const plain = type === 'STREAM' && this.rng.chance(0.7);
    return { line: plain ? `socketpair ${name}` : `socketpair ${name} ${type}`, risky: false };
  }

  /** The other end of f's pair. */
  static peerOf(f: Extract<FdM, { kind: 'sock' }>): SockEndM {
    return f.sock[f.end === 'a' ? 'b' : 'a'];
  }

  /**
   * Charges a send of `len` bytes to the pair's budget: what was charged,
   * or 0 when it would not fit (a message costs its truesize bound).
   */
  charge(sock: SockM, len: number): number {
    const cost = sock.type === 'STREAM' ? len : len + MESSAGE_OVERHEAD;
    if (sock.total + cost > MAX_SOCKET_BYTES) return 0;
    sock.total += cost;
    return cost;
  }

  /** Would a read of f wait? A datagram end's read waits even once its peer is gone. */
  mayWaitOnSocket(f: Extract<FdM, { kind: 'sock' }>): boolean {
    return !f.desc.nonblock && f.sock[f.end].lb === 0 && (Model.peerOf(f).open > 0 || f.sock.type === 'DGRAM');
  }

  /** A read or splice of `len` took from f's queue: bytes of a stream, one message otherwise. */
  consumed(f: Extract<FdM, { kind: 'sock' }>, len: number): void {
    const me = f.sock[f.end];
    if (len > 0) me.lb = Math.max(0, me.lb - (f.sock.type === 'STREAM' ? len : 1));
  }

  opOpen(): Emitted {
    const r = this.rng;
    if (r.chance(0.2)) {
      const dev = r.pick(['null', 'zero', 'full'] as const);
      const name = r.pick(DEV_NAMES);
      const mode = r.weighted([
        [8, 'RDWR'],
        [1, 'RDONLY'],
        [1, 'WRONLY'],
      ] as const);
      this.bind(name, { kind: 'dev', dev, desc: { nonblock: false } });
      return { line: `open ${name} "/dev/${dev}" ${mode}`, risky: false };
    }
    const name = this.fresh(FILE_NAMES, (n) => !!this.names.get(n));
    const path = r.pick(PATHS);
    const flags = r.weighted([
      [10, 'RDWR|CREAT'],
      [2, 'RDWR|CREAT|TRUNC'],
      [2, 'RDWR|CREAT|APPEND'],
      [1, 'CREAT|RDWR'],
      [2, 'RDONLY'],
      [1, 'WRONLY|CREAT'],
      [1, 'WRONLY|CREAT|APPEND'],
      [1, 'RDWR'],
      [1, 'RDWR|CREAT|NONBLOCK'],
    ] as const);
    const creates = flags.includes('CREAT');
    if (creates || this.createdPaths.has(path)) {
      if (creates) this.createdPaths.add(path);
      const readable = !flags.startsWith('WRONLY');
      const writable = !flags.startsWith('RDONLY');
      this.bind(name, { kind: 'file', readable, writable, desc: { nonblock: flags.includes('NONBLOCK') } });
    }
    return { line: `open ${name} "${path}" ${flags}`, risky: false };
  }

  opDup(): Emitted | null {
    const r = this.rng;
    const src = this.fd(() => true, 0.08);
    if (!src) return null;
    const name = r.pick(DUP_NAMES);
    const [srcName, f] = src;
    const copy = (to: string) => {
      if (!f) return;
      if (f.kind === 'pipe') {
        if (f.end === 'r') f.pipe.readers++;
        else f.pipe.writers++;
      }
      if (f.kind === 'sock') f.sock[f.end].open++;
      this.bind(to, { ...f });
    };
    const how = r.weighted([
      [6, 'dup'],
      [2, 'dupfd'],
      [2, 'dup2'],
      [1, 'dup3'],
    ] as const);
    if (how === 'dup') {
      copy(name);
      return { line: `dup ${name} ${srcName}`, risky: false };
    }
    if (how === 'dupfd') {
      copy(name);
      const min = r.pick([0, 3, 10, 100, 1023, 1024]);
      return { line: `dupfd ${name} ${srcName} ${min}${r.chance(0.4) ? ' CLOEXEC' : ''}`, risky: false };
    }
    // dup2/dup3 onto a bound name (whose file it replaces: the model only
    // forgets that name, which may cost a wait it did not foresee), the
    // source itself, or a number.
    const onto = r.weighted([
      [5, 'name'],
      [1, 'self'],
      [2, 'number'],
    ] as const);
    let to: string;
    if (onto === 'name') {
      const t = this.fd(() => true, 0.05);
      to = t ? t[0] : srcName;
      if (t) this.names.set(t[0], null);
    } else {
      to = onto === 'self' ? srcName : String(r.pick([5, 9, 64, 1023, 1024]));
    }
    copy(name);
    const flags =
      how === 'dup3'
        ? ` ${r.weighted([
            [4, 'CLOEXEC'],
            [3, '0'],
            [1, 'NONBLOCK'],
          ] as const)}`
        : '';
    return { line: `${how} ${name} ${srcName} ${to}${flags}`, risky: false };
  }

  opClose(): Emitted | null {
    const src = this.fd(() => true, 0.1);
    if (!src) return null;
    const [name, f] = src;
    if (f) {
      if (f.kind === 'pipe') {
        if (f.end === 'r') f.pipe.readers--;
        else f.pipe.writers--;
      }
      if (f.kind === 'sock') f.sock[f.end].open--;
      this.names.set(name, null);
    }
    return { line: `close ${name}`, risky: false };
  }

  opWrite(): Emitted | null {
    const r = this.rng;
    const t = this.fd((f) => f.kind !== 'pipe' || f.end === 'w' || r.chance(0.1));
    if (!t) return null;
    const [name, f] = t;
    let risky = false;
    let d: { tok: string; len: number };
    if (f?.kind === 'sock') {
      const stream = f.sock.type === 'STREAM';
      const room = MAX_SOCKET_BYTES - f.sock.total - (stream ? 0 : MESSAGE_OVERHEAD);
      if (room < 0) return null;
      d = this.data(Math.min(room, PAGE));
      this.charge(f.sock, d.len);
      const peer = Model.peerOf(f);
      if (peer.open > 0) peer.lb += stream ? d.len : 1;
      // A datagram end sending to a dead peer drops what it had received (unix_dgram_disconnected).
      else if (f.sock.type === 'DGRAM') f.sock[f.end].lb = 0;
    } else if (f?.kind === 'pipe' && f.end === 'w') {
      const p = f.pipe;
      d = this.data(Infinity);
      if (!f.desc.nonblock && p.readers > 0 && !this.fits(p, d.len)) {
        d = this.data(PAGE); // rather a write that fits
        if (!this.fits(p, d.len)) risky = true;
      }
      this.maybeAdd(p, d.len, Math.ceil(d.len / PAGE) + 1, true);
    } else {
      d = this.data(Infinity);
    }
    return { line: `write ${name} ${d.tok}`, risky };
  }

  opRead(): Emitted | null {
    const r = this.rng;
    const t = this.fd((f) => f.kind !== 'pipe' || f.end === 'r' || r.chance(0.1));
    if (!t) return null;
    const [name, f] = t;
    let risky = false;
    let count = r.pick(COUNTS);
    if (f?.kind === 'pipe' && f.end === 'r') {
      if (!f.desc.nonblock && this.mayWaitForData(f.pipe) && count > 0) risky = true;
      this.taken(f.pipe, count, true);
    } else if (f?.kind === 'sock') {
      count = r.pick(SMALL_COUNTS);
      if (count > 0 && this.mayWaitOnSocket(f)) risky = true;
      this.consumed(f, count);
    }
    return { line: `read ${name} ${count}`, risky };
  }

  opBuf(): Emitted {
    const r = this.rng;
    const name = r.pick(BUF_NAMES);
    const len = r.pick([16, 100, 4096, 8192, 10000, 65536]);
    this.bufs.set(name, len);
    return { line: `buf ${name} ${len}`, risky: false };
  }

  /** A range [off, off+len) inside buffer b; len > 0 unless zeroOk. */
  range(b: string, maxLen = Infinity): { off: number; len: number } {
    const r = this.rng;
    const size = this.bufs.get(b)!;
    const off = r.chance(0.4) ? 0 : r.pick([0, 1, 5, 100, 4095, 4096, 5000, 8191].filter((o) => o < size));
    const room = Math.min(size - off, maxLen);
    const len = r.chance(0.3) ? room : Math.min(room, r.pick([0, 1, 5, 10, 64, 65, 100, 4096, 5000]));
    return { off, len };
  }

  opFill(): Emitted | null {
    if (this.bufs.size === 0) return null;
    const r = this.rng;
    const b = r.pick([...this.bufs.keys()]);
    const size = this.bufs.get(b)!;
    const off = r.chance(0.5) ? 0 : r.pick([0, 1, 5, 100, 4095, 4096, 5000].filter((o) => o < size));
    const d = this.data(size - off);
    return { line: `fill ${b} ${off} ${d.tok}`, risky: false };
  }

  opShow(): Emitted | null {
    if (this.bufs.size === 0) return null;
    const b = this.rng.pick([...this.bufs.keys()]);
    const { off, len } = this.range(b, this.rng.chance(0.8) ? 64 : Infinity);
    return { line: `show ${b} ${off} ${len}`, risky: false };
  }

  iovs(pool: readonly string[]): { toks: string[]; total: number } | null {
    const r = this.rng;
    const bufs = [...this.bufs.keys()].filter((b) => pool.includes(b));
    if (bufs.length === 0) return null;
    const n = r.weighted([
      [6, 1],
      [3, 2],
      [1, 3],
    ] as const);
    const toks: string[] = [];
    let total = 0;
    for (let i = 0; i < n; i++) {
      const b = r.pick(bufs);
      const { off, len } = this.range(b);
      toks.push(`${b}:${off}:${len}`);
      total += len;
    }
    return { toks, total };
  }

  opVmsplice(): Emitted | null {
    if (this.bufs.size === 0) return null;
    const r = this.rng;
    const t = this.fd((f) => f.kind === 'pipe' || r.chance(0.05));
    if (!t) return null;
    const [name, f] = t;
    const iov = this.iovs(f?.kind === 'pipe' && f.end === 'r' ? SINK_BUFS : SOURCE_BUFS);
    if (!iov) return null;
    const { toks, total } = iov;
    let risky = false;
    let flags: string;
    if (f?.kind === 'pipe' && f.end === 'r') {
      flags = r.chance(0.85) ? 'NONBLOCK' : '0';
      if (flags === '0' && this.mayWaitForData(f.pipe) && total > 0) risky = true;
      this.taken(f.pipe, total, true);
    } else {
      flags = r.weighted([
        [4, 'NONBLOCK'],
        [2, 'GIFT'],
        [2, 'GIFT|NONBLOCK'],
        [2, '0'],
        [1, 'NONBLOCK|MORE'],
      ] as const);
      if (f?.kind === 'pipe') {
        if (!flags.includes('NONBLOCK') && this.mayWaitForRoom(f.pipe, 1)) risky = true;
        this.maybeAdd(f.pipe, total, Math.ceil(total / PAGE) + 2 * toks.length);
      }
    }
    return { line: `vmsplice ${name} ${flags} ${toks.join(' ')}`, risky };
  }

  opTee(): Emitted | null {
    const r = this.rng;
    const a = this.fd(Model.isPipe('r'));
    if (a?.[1]?.kind === 'pipe' && this.otherPipes(a[1].pipe).length === 0 && r.chance(0.85)) return this.opPipe();
    const b = r.chance(0.95) ? this.otherPipeW(a) : this.fd(() => true);
    if (!a || !b) return null;
    const len = r.pick(COUNTS);
    const fl = this.spliceFlags();
    let risky = false;
    const [ia, fa] = a;
    const [ib, fb] = b;
    if (fa?.kind === 'pipe' && fb?.kind === 'pipe' && fb.end === 'w' && fa.pipe !== fb.pipe) {
      if (!fl.nonblock && len > 0 && (this.mayWaitForData(fa.pipe) || this.mayWaitForRoom(fb.pipe, 1))) risky = true;
      this.maybeAdd(fb.pipe, Math.min(len, fa.pipe.ub), fa.pipe.ubSlots);
    }
    return { line: `tee ${ia} ${ib} ${len} ${fl.tok}`, risky };
  }

  opSplice(): Emitted | null {
    const r = this.rng;
    const kind = r.weighted([
      [5, 'pp'],
      [4, 'fp'],
      [4, 'pf'],
      [1, 'pnull'],
      [1, 'zerop'],
      [2, 'sp'],
      [2, 'ps'],
      [1, 'any'],
    ] as const);
    let len = r.pick(COUNTS);
    const fl = this.spliceFlags();
    let offIn = '-';
    let offOut = '-';
    let risky = false;
    let ins: [string, FdM | null] | null;
    let outs: [string, FdM | null] | null;
    switch (kind) {
      case 'pp':
        ins = this.fd(Model.isPipe('r'));
        if (ins?.[1]?.kind === 'pipe' && this.otherPipes(ins[1].pipe).length === 0 && r.chance(0.85)) return this.opPipe();
        outs = this.otherPipeW(ins);
        if (r.chance(0.05)) offIn = this.off();
        break;
      case 'fp':
        ins = this.fd((f) => f.kind === 'file');
        outs = this.fd(Model.isPipe('w'));
        offIn = this.off();
        break;
      case 'pf':
        ins = this.fd(Model.isPipe('r'));
        outs = this.fd((f) => f.kind === 'file');
        offOut = this.off();
        break;
      case 'pnull':
        ins = this.fd(Model.isPipe('r'));
        outs = this.fd((f) => f.kind === 'dev' && f.dev === 'null');
        break;
      case 'zerop':
        ins = this.fd((f) => f.kind === 'dev' && f.dev !== 'null');
        outs = this.fd(Model.isPipe('w'));
        break;
      case 'sp':
        ins = this.fd((f) => f.kind === 'sock');
        outs = this.fd(Model.isPipe('w'));
        len = r.pick(SMALL_COUNTS);
        break;
      case 'ps':
        ins = this.fd(Model.isPipe('r'));
        outs = this.fd((f) => f.kind === 'sock');
        len = r.pick(SMALL_COUNTS);
        break;
      default:
        ins = this.fd(() => true, 0.1);
        outs = this.fd(() => true, 0.1);
        if (r.chance(0.5)) offIn = this.off();
        if (r.chance(0.5)) offOut = this.off();
        if (ins?.[1]?.kind === 'sock' || outs?.[1]?.kind === 'sock') len = r.pick(SMALL_COUNTS);
        break;
    }
    if (!ins || !outs) return null;
    const [inName, fin] = ins;
    const [outName, fout] = outs;
    // A socket on the output side consumes socket budget.
    if (fout?.kind === 'sock' && this.charge(fout.sock, len) === 0) len = 0;
    // SPLICE_F_NONBLOCK does not reach a message socket's read (copy_splice_read).
    if (len > 0 && fin?.kind === 'sock' && fin.sock.type !== 'STREAM' && this.mayWaitOnSocket(fin)) risky = true;
    if (len > 0 && !fl.nonblock) {
      if (fin?.kind === 'pipe' && fin.end === 'r' && this.mayWaitForData(fin.pipe)) risky = true;
      if (fout?.kind === 'pipe' && fout.end === 'w' && this.mayWaitForRoom(fout.pipe, 1)) risky = true;
      if (fin?.kind === 'sock' && this.mayWaitOnSocket(fin)) risky = true;
      if (fin?.kind === 'dev' && fin.dev !== 'null' && fout?.kind === 'pipe' && fout.end === 'w' && fout.pipe.readers > 0)
        risky = risky || !this.fits(fout.pipe, len);
    }
    if (fin?.kind === 'pipe' && fin.end === 'r') {
      const exact = (fout?.kind === 'file' && fout.writable) || (fout?.kind === 'dev' && fout.dev === 'null');
      this.taken(fin.pipe, len, exact && offOut === '-');
    }
    if (fin?.kind === 'sock') this.consumed(fin, len);
    if (fout?.kind === 'pipe' && fout.end === 'w') {
      if (fin?.kind === 'pipe' && fin.end === 'r') this.maybeAdd(fout.pipe, Math.min(len, fin.pipe.ub), fin.pipe.ubSlots + 1);
      else this.maybeAdd(fout.pipe, len, Math.ceil(len / PAGE) + 1);
    }
    return { line: `splice ${inName} ${offIn} ${outName} ${offOut} ${len} ${fl.tok}`, risky };
  }

  opSendfile(): Emitted | null {
    const r = this.rng;
    const outs = this.fd(
      (f) => (f.kind === 'pipe' && f.end === 'w') || f.kind === 'file' || f.kind === 'sock' || (f.kind === 'dev' && f.dev === 'null') || r.chance(0.05),
    );
    const ins = this.fd((f) => f.kind === 'file' || (f.kind === 'dev' && f.dev !== 'null') || r.chance(0.05));
    if (!ins || !outs) return null;
    const [inName, fin] = ins;
    const [outName, fout] = outs;
    let count = r.pick(COUNTS);
    let risky = false;
    if (fout?.kind === 'sock') {
      count = r.pick(SMALL_COUNTS);
      if (this.charge(fout.sock, count) === 0) count = 0;
    }
    // From a socket (into a pipe) it reads as read(2) would.
    if (fin?.kind === 'sock' && fout?.kind === 'pipe' && fout.end === 'w' && count > 0) {
      if (this.mayWaitOnSocket(fin)) risky = true;
      this.consumed(fin, count);
    }
    if (fout?.kind === 'pipe' && fout.end === 'w') {
      if (count > 0 && !fout.desc.nonblock && this.mayWaitForRoom(fout.pipe, 1)) risky = true;
      // /dev/zero fills the whole pipe and then waits for room if it is not nonblocking.
      if (count > 0 && !fout.desc.nonblock && fin?.kind === 'dev' && fout.pipe.readers > 0 && !this.fits(fout.pipe, count)) risky = true;
      this.maybeAdd(fout.pipe, count, Math.ceil(count / PAGE) + 1);
    }
    const off = this.off();
    return { line: `sendfile ${outName} ${inName} ${off} ${count}`, risky };
  }

  opLseek(): Emitted | null {
    const r = this.rng;
    const t = this.fd((f) => f.kind === 'file' || r.chance(0.15));
    if (!t) return null;
    const off = r.pick([0, 0, 1, 3, 4096, 5000, 100000]);
    const whence = r.pick(['SET', 'SET', 'CUR', 'END']);
    return { line: `lseek ${t[0]} ${off} ${whence}`, risky: false };
  }

  opFcntl(): Emitted | null {
    const r = this.rng;
    const cmd = r.weighted([
      [3, 'GETFL'],
      [3, 'SETFL'],
      [2, 'GETPIPE_SZ'],
      [4, 'SETPIPE_SZ'],
      [1, 'GETFD'],
      [1, 'SETFD'],
      [1, 'FDNUM'],
    ] as const);
    const pipeCmd = cmd.endsWith('PIPE_SZ');
    const t = this.fd((f) => (pipeCmd ? f.kind === 'pipe' || r.chance(0.1) : true));
    if (!t) return null;
    const [name, f] = t;
    if (cmd === 'FDNUM') return { line: `fdnum ${name}`, risky: false };
    if (cmd === 'SETFD') return { line: `fcntl ${name} SETFD ${r.chance(0.5) ? 'CLOEXEC' : '0'}`, risky: false };
    if (cmd === 'SETFL') {
      const nb = r.chance(0.6);
      if (f) f.desc.nonblock = nb; // on a file this clears APPEND too, which the model does not track
      // ASYNC changes nothing the model tracks, only what GETFL prints (kept by pipes and sockets).
      const flags = [...(nb ? ['NONBLOCK'] : []), ...(r.chance(0.3) ? ['ASYNC'] : [])];
      return { line: `fcntl ${name} SETFL ${flags.length > 0 ? flags.join('|') : '0'}`, risky: false };
    }
    if (cmd === 'SETPIPE_SZ') {
      const size = r.pick(PIPE_SIZES);
      if (f?.kind === 'pipe' && size <= 1048576) {
        const p = f.pipe;
        const rounded = roundPipeSize(size);
        p.cap = Math.min(p.cap, rounded);
        p.capHi = Math.max(p.capHi, rounded);
      }
      return { line: `fcntl ${name} SETPIPE_SZ ${size}`, risky: false };
    }
    return { line: `fcntl ${name} ${cmd}`, risky: false };
  }

  opFionread(): Emitted | null {
    const t = this.fd(() => true);
    return t ? { line: `fionread ${t[0]}`, risky: false } : null;
  }

  opPoll(): Emitted | null {
    const t = this.fd(() => true, 0.08);
    return t ? { line: `poll ${t[0]}`, risky: false } : null;
  }

  step(): void {
    const r = this.rng;
    const pipes = new Set(this.open(Model.isPipe()).map(([, f]) => (f as { pipe: PipeM }).pipe)).size;
    for (let attempt = 0; attempt < 12; attempt++) {
      const kind = r.weighted([
        [[14, 5, 2, 1][Math.min(pipes, 3)]!, 'pipe'],
        [8, 'write'],
        [7, 'read'],
        [3, 'close'],
        [2, 'dup'],
        [4, 'tee'],
        [9, 'splice'],
        [3, 'open'],
        [3, 'lseek'],
        [4, 'sendfile'],
        [this.bufs.size ? 1 : 2, 'buf'],
        [3, 'fill'],
        [2, 'show'],
        [6, 'vmsplice'],
        [4, 'fcntl'],
        [2, 'fionread'],
        [2, 'poll'],
        [1.5, 'socketpair'],
      ] as const);
      // A candidate that might wait is kept only while the budget lasts;
      // otherwise its effect on the model is undone and another is drawn.
      const snapshot = this.snapshot();
      const e = this.emit(kind);
      if (!e) continue;
      if (e.risky) {
        if (this.budget <= 0) {
          this.restore(snapshot);
          continue;
        }
        this.budget--;
      }
      this.lines.push(e.line);
      return;
    }
    this.lines.push(this.opPoll()?.line ?? '# nothing');
  }

  emit(kind: string): Emitted | null {
    switch (kind) {
      case 'pipe':
        return this.opPipe();
      case 'socketpair':
        return this.opSocketpair();
      case 'open':
        return this.opOpen();
      case 'dup':
        return this.opDup();
      case 'close':
        return this.opClose();
      case 'write':
        return this.opWrite();
      case 'read':
        return this.opRead();
      case 'buf':
        return this.opBuf();
      case 'fill':
        return this.opFill();
      case 'show':
        return this.opShow();
      case 'vmsplice':
        return this.opVmsplice();
      case 'tee':
        return this.opTee();
      case 'splice':
        return this.opSplice();
      case 'sendfile':
        return this.opSendfile();
      case 'lseek':
        return this.opLseek();
      case 'fcntl':
        return this.opFcntl();
      case 'fionread':
        return this.opFionread();
      case 'poll':
        return this.opPoll();
      default:
        return null;
    }
  }

  // The model is small: a structured clone keeps shared objects shared.
  snapshot(): unknown {
    return structuredClone({ names: this.names, bufs: this.bufs, created: this.createdPaths });
  }

  restore(s: unknown): void {
    const v = s as { names: Map<string, FdM | null>; bufs: Map<string, number>; created: Set<string> };
    this.names.clear();
    for (const [k, x] of v.names) this.names.set(k, x);
    this.bufs.clear();
    for (const [k, x] of v.bufs) this.bufs.set(k, x);
    this.createdPaths.clear();
    for (const x of v.created) this.createdPaths.add(x);
  }
}

/** The drawn shape of one trace: a block budget and one seed per operation. */
export interface TracePlan {
  blockBudget: number;
  steps: number[];
}

export const tracePlan: fc.Arbitrary<TracePlan> = fc.record({
  blockBudget: fc.integer({ min: 0, max: 19 }).map((n) => (n < 2 ? n + 1 : 0)), // ~10% may wait
  steps: fc.array(fc.integer({ min: 0, max: 0x7fffffff }), { minLength: 5, maxLength: 30 }),
});

/** Trace text for a plan; deterministic. */
export function planToTrace(plan: TracePlan): string {
  const m = new Model(new Rng(0), plan.blockBudget);
  for (const s of plan.steps) {
    m.rng = new Rng(s);
    m.step();
  }
  return `${m.lines.join('\n')}\n`;
}

export const traceText: fc.Arbitrary<string> = tracePlan.map(planToTrace);
