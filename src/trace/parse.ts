// Turns trace text into typed operations (docs/trace-format.md, "Operations").
// Every malformed case is caught here so that a bad trace runs nothing.
// splicekit's own operations (release notifications, TCP-like sockets, the
// virtual clock) are not Linux calls: they parse only with `extensions: true`
// (the lab), never for `splicekit run` or the recorded traces.

import {
  FD_CLOEXEC,
  O_APPEND,
  O_CLOEXEC,
  O_CREAT,
  O_DIRECT,
  O_NONBLOCK,
  O_RDONLY,
  O_RDWR,
  O_TRUNC,
  O_WRONLY,
  SEEK_CUR,
  SEEK_END,
  SEEK_SET,
  SOCK_DGRAM,
  SOCK_SEQPACKET,
  SOCK_STREAM,
  SPLICE_F_GIFT,
  SPLICE_F_MORE,
  SPLICE_F_MOVE,
  SPLICE_F_NONBLOCK,
} from '../constants.js';
import { excerpt, lexLines, TraceSyntaxError, type Token } from './lexer.js';
import { STATUS_FLAGS } from './render.js';

export { EXCERPT_CHARS, excerpt, TraceSyntaxError } from './lexer.js';

/** Bytes named by a DATA token; pat and zero stay symbolic since N may be huge. */
export type Data = { kind: 'text'; bytes: Uint8Array } | { kind: 'pat'; length: number; seed: number } | { kind: 'zero'; length: number };

/** `B:OFFSET:LEN` of a vmsplice. */
export interface IovRef {
  buf: string;
  offset: number;
  length: number;
}

export type FcntlCmd =
  | { cmd: 'GETPIPE_SZ' }
  | { cmd: 'GETFL' }
  | { cmd: 'GETFD' }
  | { cmd: 'SETPIPE_SZ'; arg: number }
  | { cmd: 'SETFL'; arg: number }
  | { cmd: 'SETFD'; arg: number };

/** TO of dup2/dup3: a bound fd name, or an fd number. */
export type FdTarget = { fd: string } | { number: number };

/** FD fields hold the token as written (`p.r`, `f`); the runner resolves them. */
export type OpBody =
  | { kind: 'pipe'; name: string; flags: number }
  | { kind: 'open'; name: string; path: string; flags: number }
  // `type` from `socketpair S TYPE`; `ackDelay` only with extensions: `socketpair S ack=MS`, a TCP-like pair.
  | { kind: 'socketpair'; name: string; type?: number; ackDelay?: number }
  | { kind: 'dup'; name: string; fd: string }
  | { kind: 'dup2'; name: string; fd: string; to: FdTarget }
  | { kind: 'dup3'; name: string; fd: string; to: FdTarget; flags: number }
  | { kind: 'dupfd'; name: string; fd: string; min: number; cloexec: boolean }
  | { kind: 'fdnum'; fd: string }
  | { kind: 'close'; fd: string }
  | { kind: 'write'; fd: string; data: Data }
  | { kind: 'read'; fd: string; count: number }
  | { kind: 'buf'; name: string; length: number }
  | { kind: 'fill'; buf: string; offset: number; data: Data }
  | { kind: 'show'; buf: string; offset: number; length: number }
  | { kind: 'vmsplice'; fd: string; flags: number; iov: IovRef[] }
  | { kind: 'splice'; fdIn: string; offIn: number | null; fdOut: string; offOut: number | null; length: number; flags: number }
  | { kind: 'tee'; fdIn: string; fdOut: string; length: number; flags: number }
  | { kind: 'sendfile'; fdOut: string; fdIn: string; offset: number | null; count: number }
  | { kind: 'lseek'; fd: string; offset: number; whence: number }
  | ({ kind: 'fcntl'; fd: string } & FcntlCmd)
  | { kind: 'fionread'; fd: string }
  | { kind: 'poll'; fd: string }
  // Extensions (not Linux calls), see EXTENSION_SYNTAX.
  | { kind: 'notifyfd'; name: string; flags: number }
  | { kind: 'vmsplice_notify'; fd: string; notify: string; flags: number; iov: IovRef[] }
  | { kind: 'released'; notify: string; id: number }
  | { kind: 'tick'; ms: number };

export type Op = OpBody & { line: number };

const PIPE_FLAGS = { NONBLOCK: O_NONBLOCK, DIRECT: O_DIRECT, CLOEXEC: O_CLOEXEC };
const FD_FLAGS = { CLOEXEC: FD_CLOEXEC };
const DUP3_FLAGS = { CLOEXEC: O_CLOEXEC, NONBLOCK: O_NONBLOCK };
const SPLICE_FLAGS = { MOVE: SPLICE_F_MOVE, NONBLOCK: SPLICE_F_NONBLOCK, MORE: SPLICE_F_MORE, GIFT: SPLICE_F_GIFT };
const SETFL_FLAGS = STATUS_FLAGS;
const NOTIFY_FLAGS = { NONBLOCK: O_NONBLOCK };
const ACCESS_MODES: Record<string, number> = { RDONLY: O_RDONLY, WRONLY: O_WRONLY, RDWR: O_RDWR };
const OPEN_MODIFIERS: Record<string, number> = { CREAT: O_CREAT, TRUNC: O_TRUNC, APPEND: O_APPEND, NONBLOCK: O_NONBLOCK, CLOEXEC: O_CLOEXEC };
const WHENCE: Record<string, number> = { SET: SEEK_SET, CUR: SEEK_CUR, END: SEEK_END };
/** TYPE of socketpair, an extension of version 1. */
const SOCKET_TYPES: Record<string, number> = { STREAM: SOCK_STREAM, DGRAM: SOCK_DGRAM, SEQPACKET: SOCK_SEQPACKET };

/** A token as messages quote it: a string with its own quotes, a bare token between '…'. */
const shown = (t: Token): string => excerpt(t.text, t.quoted ? '' : "'", t.size);

const NAME_RE = /^[a-z][a-z0-9_]*$/;
const FD_RE = /^[a-z][a-z0-9_]*(\.[rwab])?$/;
const DIGITS_RE = /^[0-9]+$/;
const MAX_N = BigInt(Number.MAX_SAFE_INTEGER);

/** Reads one line's arguments in order; owns the static buffer-length table. */
class Args {
  private i = 1;
  constructor(
    private readonly tokens: Token[],
    private readonly bufs: Map<string, number>,
    readonly fail: (detail: string) => never,
  ) {}

  get count(): number {
    return this.tokens.length - 1;
  }
  get more(): boolean {
    return this.i < this.tokens.length;
  }

  /** The next token, which must be bare. */
  private bare(what: string): Token {
    const t = this.tokens[this.i++]!;
    if (t.quoted) this.fail(`expected ${what}, got string ${shown(t)}`);
    return t;
  }

  name(): string {
    const t = this.bare('a name');
    return NAME_RE.test(t.text) ? t.text : this.fail(`bad name ${shown(t)}`);
  }

  fd(): string {
    const t = this.bare('an fd');
    return FD_RE.test(t.text) ? t.text : this.fail(`bad fd ${shown(t)}`);
  }

  num(what = 'number'): number {
    return this.number(this.bare(`a ${what}`), what);
  }

  /** A decimal N from a token or a part of one. */
  number(t: Token | string, what = 'number'): number {
    const text = typeof t === 'string' ? t : t.text;
    // Leading zeros are allowed; past 16 significant digits N is above 2^53-1,
    // which a BigInt of a huge digit string would take seconds to find.
    const significant = text.length - /^0*/.exec(text)![0].length;
    if (!DIGITS_RE.test(text) || significant > 16 || BigInt(text) > MAX_N) {
      this.fail(`bad ${what} ${typeof t === 'string' ? excerpt(t) : shown(t)} (decimal 0 to 2^53-1)`);
    }
    return Number(text);
  }

  /** TO of dup2/dup3: an fd name, or a decimal fd number below 2^31. */
  target(): FdTarget {
    const t = this.tokens[this.i]!;
    if (!t.quoted && DIGITS_RE.test(t.text)) {
      const n = this.num('fd number');
      if (n > 2 ** 31 - 1) this.fail(`bad fd number '${n}' (0 to 2^31-1)`);
      return { number: n };
    }
    return { fd: this.fd() };
  }

  /** `-` (NULL) or a number. */
  offset(): number | null {
    const t = this.bare('an offset');
    return t.text === '-' ? null : this.number(t, 'offset');
  }

  /** `0` or names from `table` joined by `|`. */
  flags(table: Record<string, number>): number {
    const t = this.bare('flags');
    if (t.text === '0') return 0;
    let flags = 0;
    for (const part of t.text.split('|')) {
      const bit = Object.hasOwn(table, part) ? table[part] : undefined;
      if (bit === undefined) this.fail(`bad flag ${excerpt(part)} in ${shown(t)} (allowed: 0, ${Object.keys(table).join(', ')})`);
      flags |= bit!;
    }
    return flags;
  }

  /** OFLAGS: exactly one access mode, plus any modifiers. */
  openFlags(): number {
    const t = this.bare('open flags');
    let mode: number | undefined;
    let flags = 0;
    for (const part of t.text.split('|')) {
      if (Object.hasOwn(ACCESS_MODES, part)) {
        if (mode !== undefined) this.fail(`two access modes in ${shown(t)}`);
        mode = ACCESS_MODES[part];
      } else if (Object.hasOwn(OPEN_MODIFIERS, part)) {
        flags |= OPEN_MODIFIERS[part]!;
      } else {
        this.fail(`bad open flag ${excerpt(part)} in ${shown(t)}`);
      }
    }
    if (mode === undefined) this.fail(`open flags ${shown(t)} need one of RDONLY, WRONLY, RDWR`);
    return flags | mode!;
  }

  keyword(table: Record<string, number>, what: string): number {
    const t = this.bare(what);
    return Object.hasOwn(table, t.text) ? table[t.text]! : this.fail(`bad ${what} ${shown(t)}`);
  }

  word(): string {
    return this.bare('a word').text;
  }

  /** The next token's text, not taken. */
  peek(): string {
    return this.tokens[this.i]!.text;
  }

  path(): string {
    const t = this.tokens[this.i++]!;
    if (!t.quoted) this.fail(`expected a quoted path, got ${shown(t)}`);
    return new TextDecoder().decode(t.quoted);
  }

  data(): Data {
    const t = this.tokens[this.i++]!;
    if (t.quoted) return { kind: 'text', bytes: t.quoted };
    const parts = t.text.split(':');
    if (parts[0] === 'zero' && parts.length === 2) return { kind: 'zero', length: this.number(parts[1]!, 'length') };
    if (parts[0] === 'pat' && (parts.length === 2 || parts.length === 3)) {
      const length = this.number(parts[1]!, 'length');
      const seed = parts.length === 3 ? this.number(parts[2]!, 'seed') : 0;
      return { kind: 'pat', length, seed };
    }
    return this.fail(`bad data ${shown(t)} (expected "text", pat:N[:SEED] or zero:N)`);
  }

  /** A buffer bound by an earlier `buf` whose range [offset, offset+length) fits it. */
  range(buf: string, offset: number, length: number): void {
    const size = this.bufs.get(buf);
    if (size === undefined) this.fail(`buffer ${excerpt(buf)} is not bound by an earlier buf`);
    if (offset > size! || length > size! - offset) {
      this.fail(`${length} bytes at offset ${offset} lie outside buffer ${excerpt(buf)} of ${size} bytes`);
    }
  }

  bindBuffer(name: string, length: number): void {
    this.bufs.set(name, length);
  }

  /** One or more iovecs up to the end of the line. */
  iovs(): IovRef[] {
    const iov: IovRef[] = [];
    while (this.more) iov.push(this.iov());
    return iov;
  }

  /** TYPE of socketpair; `alternative` names what else the extensions allow there. */
  socketType(alternative?: string): number {
    const t = this.bare('a socket type');
    if (Object.hasOwn(SOCKET_TYPES, t.text)) return SOCKET_TYPES[t.text]!;
    const allowed = [...Object.keys(SOCKET_TYPES), ...(alternative ? [alternative] : [])];
    return this.fail(`bad socketpair option ${shown(t)} (expected ${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)})`);
  }

  /** `ack=MS` of an extended socketpair. */
  ack(): number {
    const t = this.bare('ack=MS');
    const m = /^ack=(.*)$/.exec(t.text);
    if (!m) this.fail(`bad socketpair option ${shown(t)} (expected ack=MS)`);
    return this.number(m![1]!, 'ack delay');
  }

  iov(): IovRef {
    const t = this.bare('an iovec');
    const parts = t.text.split(':');
    if (parts.length !== 3 || !NAME_RE.test(parts[0]!)) this.fail(`bad iovec ${shown(t)} (expected B:OFFSET:LEN)`);
    const ref = { buf: parts[0]!, offset: this.number(parts[1]!, 'offset'), length: this.number(parts[2]!, 'length') };
    this.range(ref.buf, ref.offset, ref.length);
    return ref;
  }
}

interface Syntax {
  usage: string;
  min: number;
  max: number;
  parse(a: Args): OpBody;
}

const SYNTAX: Record<string, Syntax> = {
  pipe: { usage: 'pipe P [FLAGS]', min: 1, max: 2, parse: (a) => ({ kind: 'pipe', name: a.name(), flags: a.more ? a.flags(PIPE_FLAGS) : 0 }) },
  open: { usage: 'open F PATH OFLAGS', min: 3, max: 3, parse: (a) => ({ kind: 'open', name: a.name(), path: a.path(), flags: a.openFlags() }) },
  socketpair: {
    usage: 'socketpair S [TYPE]',
    min: 1,
    max: 2,
    parse: (a) => {
      const name = a.name();
      return a.more ? { kind: 'socketpair', name, type: a.socketType() } : { kind: 'socketpair', name };
    },
  },
  dup: { usage: 'dup F FD', min: 2, max: 2, parse: (a) => ({ kind: 'dup', name: a.name(), fd: a.fd() }) },
  dup2: { usage: 'dup2 F FD TO', min: 3, max: 3, parse: (a) => ({ kind: 'dup2', name: a.name(), fd: a.fd(), to: a.target() }) },
  dup3: {
    usage: 'dup3 F FD TO FLAGS',
    min: 4,
    max: 4,
    parse: (a) => ({ kind: 'dup3', name: a.name(), fd: a.fd(), to: a.target(), flags: a.flags(DUP3_FLAGS) }),
  },
  dupfd: {
    usage: 'dupfd F FD MIN [CLOEXEC]',
    min: 3,
    max: 4,
    parse: (a) => {
      const name = a.name(),
        fd = a.fd(),
        min = a.num('min');
      if (a.more && a.word() !== 'CLOEXEC') a.fail('dupfd: the optional last argument is CLOEXEC');
      return { kind: 'dupfd', name, fd, min, cloexec: a.count === 4 };
    },
  },
  fdnum: { usage: 'fdnum FD', min: 1, max: 1, parse: (a) => ({ kind: 'fdnum', fd: a.fd() }) },
  close: { usage: 'close FD', min: 1, max: 1, parse: (a) => ({ kind: 'close', fd: a.fd() }) },
  write: { usage: 'write FD DATA', min: 2, max: 2, parse: (a) => ({ kind: 'write', fd: a.fd(), data: a.data() }) },
  read: { usage: 'read FD COUNT', min: 2, max: 2, parse: (a) => ({ kind: 'read', fd: a.fd(), count: a.num('count') }) },
  buf: {
    usage: 'buf B LEN',
    min: 2,
    max: 2,
    parse: (a) => {
      const op = { kind: 'buf', name: a.name(), length: a.num('length') } as const;
      a.bindBuffer(op.name, op.length);
      return op;
    },
  },
  fill: {
    usage: 'fill B OFFSET DATA',
    min: 3,
    max: 3,
    parse: (a) => {
      const op = { kind: 'fill', buf: a.name(), offset: a.num('offset'), data: a.data() } as const;
      a.range(op.buf, op.offset, dataLength(op.data));
      return op;
    },
  },
  show: {
    usage: 'show B OFFSET LEN',
    min: 3,
    max: 3,
    parse: (a) => {
      const op = { kind: 'show', buf: a.name(), offset: a.num('offset'), length: a.num('length') } as const;
      a.range(op.buf, op.offset, op.length);
      return op;
    },
  },
  vmsplice: {
    usage: 'vmsplice FD FLAGS B:OFFSET:LEN...',
    min: 3,
    max: Infinity,
    parse: (a) => {
      const fd = a.fd(),
        flags = a.flags(SPLICE_FLAGS);
      return { kind: 'vmsplice', fd, flags, iov: a.iovs() };
    },
  },
  splice: {
    usage: 'splice FDIN OFFIN FDOUT OFFOUT LEN FLAGS',
    min: 6,
    max: 6,
    parse: (a) => ({
      kind: 'splice',
      fdIn: a.fd(),
      offIn: a.offset(),
      fdOut: a.fd(),
      offOut: a.offset(),
      length: a.num('length'),
      flags: a.flags(SPLICE_FLAGS),
    }),
  },
  tee: {
    usage: 'tee FDIN FDOUT LEN FLAGS',
    min: 4,
    max: 4,
    parse: (a) => ({ kind: 'tee', fdIn: a.fd(), fdOut: a.fd(), length: a.num('length'), flags: a.flags(SPLICE_FLAGS) }),
  },
  sendfile: {
    usage: 'sendfile FDOUT FDIN OFF COUNT',
    min: 4,
    max: 4,
    parse: (a) => ({ kind: 'sendfile', fdOut: a.fd(), fdIn: a.fd(), offset: a.offset(), count: a.num('count') }),
  },
  lseek: {
    usage: 'lseek FD OFFSET WHENCE',
    min: 3,
    max: 3,
    parse: (a) => ({ kind: 'lseek', fd: a.fd(), offset: a.num('offset'), whence: a.keyword(WHENCE, 'whence') }),
  },
  fcntl: { usage: 'fcntl FD CMD [ARG]', min: 2, max: 3, parse: parseFcntl },
  fionread: { usage: 'fionread FD', min: 1, max: 1, parse: (a) => ({ kind: 'fionread', fd: a.fd() }) },
  poll: { usage: 'poll FD', min: 1, max: 1, parse: (a) => ({ kind: 'poll', fd: a.fd() }) },
};

/**
 * splicekit extensions (lab/README.md): release notifications, a TCP-like
 * socket pair whose sent pages wait for an acknowledgement, and the kernel's
 * virtual clock. A native runner cannot run them: they are not Linux calls.
 */
const EXTENSION_SYNTAX: Record<string, Syntax> = {
  notifyfd: {
    usage: 'notifyfd N [FLAGS]',
    min: 1,
    max: 2,
    parse: (a) => ({ kind: 'notifyfd', name: a.name(), flags: a.more ? a.flags(NOTIFY_FLAGS) : 0 }),
  },
  vmsplice_notify: {
    usage: 'vmsplice_notify FD N FLAGS B:OFFSET:LEN...',
    min: 4,
    max: Infinity,
    parse: (a) => {
      const fd = a.fd(),
        notify = a.fd(),
        flags = a.flags(SPLICE_FLAGS);
      return { kind: 'vmsplice_notify', fd, notify, flags, iov: a.iovs() };
    },
  },
  released: { usage: 'released N ID', min: 2, max: 2, parse: (a) => ({ kind: 'released', notify: a.fd(), id: a.num('id') }) },
  tick: { usage: 'tick MS', min: 1, max: 1, parse: (a) => ({ kind: 'tick', ms: a.num('ms') }) },
  socketpair: {
    usage: 'socketpair S [TYPE|ack=MS]',
    min: 1,
    max: 2,
    parse: (a) => {
      const name = a.name();
      if (!a.more) return { kind: 'socketpair', name };
      return a.peek().startsWith('ack=') ? { kind: 'socketpair', name, ackDelay: a.ack() } : { kind: 'socketpair', name, type: a.socketType('ack=MS') };
    },
  },
};

/** Whether `op` is a splicekit extension rather than a Linux call (Linux cannot run it). */
export function isExtension(op: OpBody): boolean {
  switch (op.kind) {
    case 'notifyfd':
    case 'vmsplice_notify':
    case 'released':
    case 'tick':
      return true;
    case 'socketpair':
      return op.ackDelay !== undefined;
    default:
      return false;
  }
}

function parseFcntl(a: Args): OpBody {
  const fd = a.fd();
  const cmd = a.word();
  const needsArg = cmd === 'SETPIPE_SZ' || cmd === 'SETFL' || cmd === 'SETFD';
  if (cmd !== 'GETPIPE_SZ' && cmd !== 'GETFL' && cmd !== 'GETFD' && !needsArg) {
    a.fail(`bad fcntl command ${excerpt(cmd)} (GETPIPE_SZ, SETPIPE_SZ N, GETFL, SETFL FLAGS, GETFD, SETFD FLAGS)`);
  }
  if (needsArg !== a.more) a.fail(`fcntl ${cmd} ${needsArg ? 'needs' : 'takes no'} argument`);
  if (cmd === 'SETPIPE_SZ') return { kind: 'fcntl', fd, cmd, arg: a.num() };
  if (cmd === 'SETFL') return { kind: 'fcntl', fd, cmd, arg: a.flags(SETFL_FLAGS) };
  if (cmd === 'SETFD') return { kind: 'fcntl', fd, cmd, arg: a.flags(FD_FLAGS) };
  return { kind: 'fcntl', fd, cmd: cmd as 'GETPIPE_SZ' | 'GETFL' | 'GETFD' };
}

export interface ParseOptions {
  /**
   * Accept splicekit's extensions (notifyfd, vmsplice_notify, released, tick,
   * socketpair S ack=MS). Off by default: by the trace format they are unknown
   * operations, so `splicekit run` and the recorded traces reject them.
   */
  extensions?: boolean;
}

/** Parses a whole trace; throws TraceSyntaxError at the first malformed line. */
export function parseTrace(source: string | Uint8Array, file = '<trace>', options: ParseOptions = {}): Op[] {
  const table = options.extensions ? { ...SYNTAX, ...EXTENSION_SYNTAX } : SYNTAX;
  const bufs = new Map<string, number>();
  const ops: Op[] = [];
  for (const { line, tokens } of lexLines(source, file)) {
    const fail = (detail: string): never => {
      throw new TraceSyntaxError(file, line, detail);
    };
    const head = tokens[0]!;
    const syntax = !head.quoted && Object.hasOwn(table, head.text) ? table[head.text] : undefined;
    if (syntax === undefined) fail(`unknown operation ${shown(head)}`);
    const args = new Args(tokens, bufs, fail);
    if (args.count < syntax!.min || args.count > syntax!.max) {
      fail(`${head.text}: wrong number of arguments (usage: ${syntax!.usage})`);
    }
    ops.push({ ...syntax!.parse(args), line });
  }
  return ops;
}

/** Number of bytes a DATA token stands for. */
export function dataLength(data: Data): number {
  return data.kind === 'text' ? data.bytes.length : data.length;
}

/** Writes the first `target.length` bytes of `data` into `target`. */
export function writeData(data: Data, target: Uint8Array): number {
  const n = Math.min(target.length, dataLength(data));
  if (data.kind === 'text') {
    target.set(data.bytes.subarray(0, n));
    return n;
  }
  if (data.kind === 'zero') {
    target.fill(0, 0, n);
    return n;
  }
  // byte i = (SEED + i) mod 251: write one period, then double it by copying.
  const first = data.seed % 251;
  const period = Math.min(n, 251);
  for (let i = 0; i < period; i++) target[i] = (first + i) % 251;
  for (let done = period; done < n; done *= 2) target.copyWithin(done, 0, Math.min(done, n - done));
  return n;
}

/** The bytes of `data`, at most `limit` of them (a write never takes more than MAX_RW_COUNT). */
export function dataBytes(data: Data, limit = Number.MAX_SAFE_INTEGER): Uint8Array {
  const out = new Uint8Array(Math.min(dataLength(data), limit));
  writeData(data, out);
  return out;
}
