// Parser of the trace format (docs/trace-format.md): valid lines give the
// right operations; every malformed case fails on the right line.

import { describe, expect, it } from 'vitest';
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
} from '../src/constants.js';
import { dataBytes, dataLength, parseTrace, TraceSyntaxError, writeData, type Op } from '../src/trace/parse.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const one = (line: string): Op => {
  const ops = parseTrace(line);
  expect(ops).toHaveLength(1);
  return ops[0]!;
};

/** Parses `source` expecting a TraceSyntaxError; returns it. */
function malformed(source: string | Uint8Array, file = 't.trace'): TraceSyntaxError {
  try {
    parseTrace(source, file);
  } catch (e) {
    expect(e).toBeInstanceOf(TraceSyntaxError);
    return e as TraceSyntaxError;
  }
  throw new Error(`parsed without error: ${JSON.stringify(source)}`);
}

describe('valid operations', () => {
  it('parses every operation into a typed op with its line', () => {
    const src = [
      'pipe p',
      'pipe q NONBLOCK|DIRECT',
      'open f "/dev/null" WRONLY|CREAT|TRUNC|APPEND|NONBLOCK',
      'socketpair s',
      'dup g p.r',
      'close s.b',
      'write p.w "hi"',
      'read p.r 100',
      'buf b 8192',
      'fill b 4096 zero:10',
      'show b 0 8192',
      'vmsplice p.w GIFT b:0:4096 b:4096:4096',
      'splice f 10 p.w - 4096 MOVE|NONBLOCK|MORE|GIFT',
      'tee p.r q.w 100 0',
      'sendfile p.w f - 5',
      'lseek f 3 END',
      'fcntl p.w GETFL',
      'fionread p.r',
      'poll s.a',
    ].join('\n');
    expect(parseTrace(src)).toEqual([
      { line: 1, kind: 'pipe', name: 'p', flags: 0 },
      { line: 2, kind: 'pipe', name: 'q', flags: O_NONBLOCK | O_DIRECT },
      { line: 3, kind: 'open', name: 'f', path: '/dev/null', flags: O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_NONBLOCK },
      { line: 4, kind: 'socketpair', name: 's' },
      { line: 5, kind: 'dup', name: 'g', fd: 'p.r' },
      { line: 6, kind: 'close', fd: 's.b' },
      { line: 7, kind: 'write', fd: 'p.w', data: { kind: 'text', bytes: bytes('hi') } },
      { line: 8, kind: 'read', fd: 'p.r', count: 100 },
      { line: 9, kind: 'buf', name: 'b', length: 8192 },
      { line: 10, kind: 'fill', buf: 'b', offset: 4096, data: { kind: 'zero', length: 10 } },
      { line: 11, kind: 'show', buf: 'b', offset: 0, length: 8192 },
      {
        line: 12,
        kind: 'vmsplice',
        fd: 'p.w',
        flags: SPLICE_F_GIFT,
        iov: [
          { buf: 'b', offset: 0, length: 4096 },
          { buf: 'b', offset: 4096, length: 4096 },
        ],
      },
      {
        line: 13,
        kind: 'splice',
        fdIn: 'f',
        offIn: 10,
        fdOut: 'p.w',
        offOut: null,
        length: 4096,
        flags: SPLICE_F_MOVE | SPLICE_F_NONBLOCK | SPLICE_F_MORE | SPLICE_F_GIFT,
      },
      { line: 14, kind: 'tee', fdIn: 'p.r', fdOut: 'q.w', length: 100, flags: 0 },
      { line: 15, kind: 'sendfile', fdOut: 'p.w', fdIn: 'f', offset: null, count: 5 },
      { line: 16, kind: 'lseek', fd: 'f', offset: 3, whence: SEEK_END },
      { line: 17, kind: 'fcntl', fd: 'p.w', cmd: 'GETFL' },
      { line: 18, kind: 'fionread', fd: 'p.r' },
      { line: 19, kind: 'poll', fd: 's.a' },
    ]);
  });

  it('parses open access modes in any position and each whence', () => {
    expect(one('open f "x" RDONLY')).toMatchObject({ flags: O_RDONLY });
    expect(one('open f "x" CREAT|RDWR')).toMatchObject({ flags: O_CREAT | O_RDWR });
    expect(one('lseek f 0 SET')).toMatchObject({ whence: SEEK_SET });
    expect(one('lseek f 0 CUR')).toMatchObject({ whence: SEEK_CUR });
  });

  it('parses a socketpair type; none leaves it to the call (SOCK_STREAM)', () => {
    expect(one('socketpair s')).toEqual({ line: 1, kind: 'socketpair', name: 's' });
    expect(one('socketpair s STREAM')).toEqual({ line: 1, kind: 'socketpair', name: 's', type: SOCK_STREAM });
    expect(one('socketpair s DGRAM')).toEqual({ line: 1, kind: 'socketpair', name: 's', type: SOCK_DGRAM });
    expect(one('socketpair s SEQPACKET')).toEqual({ line: 1, kind: 'socketpair', name: 's', type: SOCK_SEQPACKET });
  });

  it('parses every fcntl command', () => {
    expect(one('fcntl p.r GETPIPE_SZ')).toEqual({ line: 1, kind: 'fcntl', fd: 'p.r', cmd: 'GETPIPE_SZ' });
    expect(one('fcntl p.r SETPIPE_SZ 1048576')).toEqual({ line: 1, kind: 'fcntl', fd: 'p.r', cmd: 'SETPIPE_SZ', arg: 1048576 });
    expect(one('fcntl p.r SETFL NONBLOCK')).toEqual({ line: 1, kind: 'fcntl', fd: 'p.r', cmd: 'SETFL', arg: O_NONBLOCK });
    expect(one('fcntl p.r SETFL 0')).toEqual({ line: 1, kind: 'fcntl', fd: 'p.r', cmd: 'SETFL', arg: 0 });
    expect(one('fcntl p.r GETFD')).toEqual({ line: 1, kind: 'fcntl', fd: 'p.r', cmd: 'GETFD' });
    expect(one('fcntl p.r SETFD CLOEXEC')).toEqual({ line: 1, kind: 'fcntl', fd: 'p.r', cmd: 'SETFD', arg: FD_CLOEXEC });
    expect(one('fcntl p.r SETFD 0')).toEqual({ line: 1, kind: 'fcntl', fd: 'p.r', cmd: 'SETFD', arg: 0 });
  });

  it('parses the fd-table operations: dup2 and dup3 onto a name or a number, dupfd, fdnum, CLOEXEC', () => {
    expect(one('dup2 a p.r q.w')).toEqual({ line: 1, kind: 'dup2', name: 'a', fd: 'p.r', to: { fd: 'q.w' } });
    expect(one('dup2 a p.r 2147483647')).toEqual({ line: 1, kind: 'dup2', name: 'a', fd: 'p.r', to: { number: 2 ** 31 - 1 } });
    expect(one('dup3 a p.r 7 CLOEXEC')).toEqual({ line: 1, kind: 'dup3', name: 'a', fd: 'p.r', to: { number: 7 }, flags: O_CLOEXEC });
    expect(one('dup3 a p.r 7 NONBLOCK|CLOEXEC')).toMatchObject({ flags: O_CLOEXEC | O_NONBLOCK });
    expect(one('dupfd a p.r 10')).toEqual({ line: 1, kind: 'dupfd', name: 'a', fd: 'p.r', min: 10, cloexec: false });
    expect(one('dupfd a p.r 10 CLOEXEC')).toEqual({ line: 1, kind: 'dupfd', name: 'a', fd: 'p.r', min: 10, cloexec: true });
    expect(one('fdnum p.r')).toEqual({ line: 1, kind: 'fdnum', fd: 'p.r' });
    expect(one('pipe p NONBLOCK|CLOEXEC')).toMatchObject({ flags: O_NONBLOCK | O_CLOEXEC });
    expect(one('open f "x" RDONLY|CLOEXEC')).toMatchObject({ flags: O_RDONLY | O_CLOEXEC });
  });

  it('accepts numbers up to 2^53-1 and unbound fd names', () => {
    expect(one('read never_bound9 9007199254740991')).toMatchObject({ fd: 'never_bound9', count: 2 ** 53 - 1 });
    expect(one('read x 0')).toMatchObject({ count: 0 });
  });

  it('keeps line numbers across blank lines, comments, tabs and CRLF', () => {
    const src = '# header\r\n\r\n\tpipe\tp  # trailing\r\n   \n  # indented comment\nwrite p.w "a # not a comment"# comment\r\nread p.r 1';
    expect(parseTrace(src)).toEqual([
      { line: 3, kind: 'pipe', name: 'p', flags: 0 },
      { line: 6, kind: 'write', fd: 'p.w', data: { kind: 'text', bytes: bytes('a # not a comment') } },
      { line: 7, kind: 'read', fd: 'p.r', count: 1 },
    ]);
  });

  it('treats a # inside a bare token as the start of a comment', () => {
    expect(one('read p.r 10#comment')).toMatchObject({ count: 10 });
  });

  it('decodes every escape and keeps UTF-8 bytes as they are', () => {
    const op = one(String.raw`write p.w "\\\"\n\t\r\0\x41\xfF é"`);
    expect(op).toMatchObject({ data: { kind: 'text' } });
    const data = (op as Extract<Op, { kind: 'write' }>).data;
    expect(dataBytes(data)).toEqual(Uint8Array.from([0x5c, 0x22, 0x0a, 0x09, 0x0d, 0x00, 0x41, 0xff, 0x20, 0xc3, 0xa9]));
  });

  it('takes raw bytes (not UTF-8) as they are', () => {
    const ops = parseTrace(Uint8Array.from([...bytes('write p.w "'), 0xff, 0x80, ...bytes('"\n')]));
    expect(ops[0]).toMatchObject({ data: { kind: 'text', bytes: Uint8Array.from([0xff, 0x80]) } });
  });

  it('parses the empty string and empty input', () => {
    expect(one('write p.w ""')).toMatchObject({ data: { kind: 'text', bytes: new Uint8Array(0) } });
    expect(parseTrace('')).toEqual([]);
    expect(parseTrace('\n\n# only comments\n')).toEqual([]);
  });

  it('tracks buffer lengths statically: a re-bound buffer takes its new length', () => {
    expect(parseTrace('buf b 4\nbuf b 10\nfill b 6 "abcd"\nshow b 0 10')).toHaveLength(4);
    expect(malformed('buf b 10\nbuf b 4\nfill b 0 "abcde"').line).toBe(3);
  });

  it('accepts ranges that end exactly at the buffer end, and empty ones', () => {
    expect(parseTrace('buf b 8\nfill b 0 pat:8\nfill b 8 ""\nshow b 8 0\nvmsplice p.w 0 b:0:8 b:8:0')).toHaveLength(5);
  });
});

describe('data forms', () => {
  it('pat:N[:SEED] is byte i = (SEED + i) mod 251', () => {
    const pat = (n: number, seed: number) => Array.from({ length: n }, (_, i) => (seed + i) % 251);
    expect(Array.from(dataBytes({ kind: 'pat', length: 600, seed: 0 }))).toEqual(pat(600, 0));
    expect(Array.from(dataBytes({ kind: 'pat', length: 1000, seed: 250 }))).toEqual(pat(1000, 250));
    expect(Array.from(dataBytes({ kind: 'pat', length: 3, seed: 2 ** 53 - 1 }))).toEqual([0, 1, 2].map((i) => Number((2n ** 53n - 1n + BigInt(i)) % 251n)));
    expect(one('write p.w pat:5')).toMatchObject({ data: { kind: 'pat', length: 5, seed: 0 } });
    expect(one('write p.w pat:5:7')).toMatchObject({ data: { kind: 'pat', length: 5, seed: 7 } });
  });

  it('zero:N is N zero bytes, and data stays lazy for huge N', () => {
    expect(dataBytes({ kind: 'zero', length: 5 })).toEqual(new Uint8Array(5));
    const huge = one('write p.w pat:9007199254740991');
    expect(dataLength((huge as Extract<Op, { kind: 'write' }>).data)).toBe(2 ** 53 - 1);
    expect(dataBytes({ kind: 'pat', length: 2 ** 53 - 1, seed: 1 }, 4)).toEqual(Uint8Array.from([1, 2, 3, 4]));
  });

  it('writeData fills only its target', () => {
    const target = new Uint8Array(6).fill(9);
    writeData({ kind: 'zero', length: 2 }, target.subarray(1));
    expect(Array.from(target)).toEqual([9, 0, 0, 9, 9, 9]);
  });
});

describe('malformed traces', () => {
  const cases: [string, string, RegExp][] = [
    ['unknown operation', 'frob p', /unknown operation 'frob'/],
    ['quoted operation', '"pipe" p', /unknown operation/],
    ['upper-case operation', 'PIPE p', /unknown operation/],
    ['too few arguments', 'pipe', /wrong number of arguments/],
    ['too many arguments', 'pipe p NONBLOCK DIRECT', /wrong number of arguments/],
    ['read without count', 'read p.r', /wrong number of arguments/],
    ['splice missing flags', 'splice p.r - q.w - 10', /wrong number of arguments/],
    ['vmsplice with no iovec', 'vmsplice p.w 0', /wrong number of arguments/],
    ['bad name', 'pipe P', /bad name 'P'/],
    ['name starting with digit', 'pipe 1p', /bad name/],
    ['name with dash', 'socketpair s-1', /bad name/],
    ['unknown socket type', 'socketpair s RAW', /bad socketpair option 'RAW' \(expected STREAM, DGRAM or SEQPACKET\)/],
    ['lower-case socket type', 'socketpair s dgram', /bad socketpair option 'dgram'/],
    ['quoted socket type', 'socketpair s "DGRAM"', /expected a socket type/],
    ['two socket types', 'socketpair s DGRAM SEQPACKET', /usage: socketpair S \[TYPE\]/],
    ['name with suffix where a plain name is expected', 'pipe p.r', /bad name/],
    ['fd with bad suffix', 'read p.x 1', /bad fd 'p.x'/],
    ['fd with two suffixes', 'read p.r.w 1', /bad fd/],
    ['fd as a number', 'read 3 1', /bad fd/],
    ['fd quoted', 'read "p.r" 1', /expected an fd/],
    ['negative number', 'read p.r -1', /bad count/],
    ['number with sign', 'read p.r +1', /bad count/],
    ['hex number', 'read p.r 0x10', /bad count/],
    ['number past 2^53-1', 'read p.r 9007199254740992', /bad count/],
    ['fractional number', 'lseek f 1.5 SET', /bad offset/],
    ['bad pipe flag', 'pipe p MOVE', /bad flag 'MOVE'/],
    ['lower-case flag', 'tee p.r q.w 1 nonblock', /bad flag/],
    ['empty flag part', 'tee p.r q.w 1 MOVE|', /bad flag/],
    ['zero joined with a flag', 'tee p.r q.w 1 0|MOVE', /bad flag/],
    ['spaces around |', 'tee p.r q.w 1 MOVE | MORE', /wrong number of arguments/],
    ['splice flag DIRECT', 'splice p.r - q.w - 1 DIRECT', /bad flag/],
    ['open without access mode', 'open f "x" CREAT', /need one of RDONLY/],
    ['open with two access modes', 'open f "x" RDONLY|WRONLY', /two access modes/],
    ['open flag 0', 'open f "x" 0', /bad open flag/],
    ['open with unknown flag', 'open f "x" RDONLY|DIRECT', /bad open flag 'DIRECT'/],
    ['unquoted path', 'open f /dev/null RDONLY', /quoted path/],
    ['bad whence', 'lseek f 0 HOLE', /bad whence/],
    ['bad fcntl command', 'fcntl p.r F_GETFL', /bad fcntl command/],
    ['fcntl SETPIPE_SZ without argument', 'fcntl p.r SETPIPE_SZ', /needs argument/],
    ['fcntl GETFL with argument', 'fcntl p.r GETFL 1', /takes no argument/],
    ['fcntl SETFL with a flag F_SETFL does not take', 'fcntl p.r SETFL CLOEXEC', /bad flag/],
    ['fcntl SETFD without argument', 'fcntl p.r SETFD', /needs argument/],
    ['fcntl GETFD with argument', 'fcntl p.r GETFD 1', /takes no argument/],
    ['fcntl SETFD with a status flag', 'fcntl p.r SETFD NONBLOCK', /bad flag/],
    ['dup2 without a target', 'dup2 a p.r', /wrong number of arguments/],
    ['dup2 onto an fd number past 2^31-1', 'dup2 a p.r 2147483648', /bad fd number/],
    ['dup2 onto a quoted target', 'dup2 a p.r "3"', /expected an fd/],
    ['dup3 without flags', 'dup3 a p.r 3', /wrong number of arguments/],
    ['dup3 with a splice flag', 'dup3 a p.r 3 MOVE', /bad flag/],
    ['dupfd with another word than CLOEXEC', 'dupfd a p.r 3 NONBLOCK', /CLOEXEC/],
    ['dupfd with a negative minimum', 'dupfd a p.r -1', /bad min/],
    ['fdnum of a number', 'fdnum 3', /bad fd/],
    ['bad escape', String.raw`write p.w "a\q"`, /bad escape '\\q'/],
    ['short hex escape', String.raw`write p.w "\x4"`, /bad escape/],
    ['non-hex escape', String.raw`write p.w "\xg0"`, /bad escape/],
    ['unterminated string', 'write p.w "abc', /unterminated string/],
    ['unterminated after backslash', 'write p.w "abc\\', /unterminated string/],
    ['escaped closing quote only', 'write p.w "abc\\"', /unterminated string/],
    ['text right after a string', 'write p.w "abc"def', /after string/],
    ['quote inside a bare token', 'write p.w ab"c"', /unexpected '"'/],
    ['bad data form', 'write p.w hello', /bad data 'hello'/],
    ['pat without length', 'write p.w pat:', /bad length/],
    ['pat with too many parts', 'write p.w pat:1:2:3', /bad data/],
    ['pat with bad seed', 'write p.w pat:1:x', /bad seed/],
    ['zero with seed', 'write p.w zero:1:2', /bad data/],
    ['fill of an unbound buffer', 'fill b 0 "x"', /buffer 'b' is not bound/],
    ['show of an unbound buffer', 'show b 0 1', /not bound/],
    ['vmsplice of an unbound buffer', 'vmsplice p.w 0 b:0:1', /not bound/],
    ['bad iovec', 'buf b 4\nvmsplice p.w 0 b:0', /bad iovec/],
    ['iovec with bad buffer name', 'vmsplice p.w 0 B:0:1', /bad iovec/],
  ];

  for (const [what, source, message] of cases) {
    it(`rejects ${what}`, () => {
      const src = `# comment\n\npipe ok\n${source}\npipe after`;
      const err = malformed(src);
      const line = 4 + source.split('\n').length - 1;
      expect(err.line).toBe(line);
      expect(err.file).toBe('t.trace');
      expect(err.detail).toMatch(message);
      expect(err.message).toBe(`t.trace:${line}: ${err.detail}`);
    });
  }

  it('rejects ranges outside the buffer', () => {
    expect(malformed('buf b 8\nfill b 5 "abcd"').line).toBe(2);
    expect(malformed('buf b 8\nfill b 9 ""').line).toBe(2);
    expect(malformed('buf b 8\nfill b 0 pat:9').line).toBe(2);
    expect(malformed('buf b 8\nshow b 0 9').line).toBe(2);
    expect(malformed('buf b 8\nshow b 9007199254740991 9007199254740991').line).toBe(2);
    expect(malformed('buf b 8\nvmsplice p.w 0 b:0:8 b:4:5').line).toBe(2);
  });

  it('rejects a buffer used before its buf line', () => {
    expect(malformed('fill b 0 "x"\nbuf b 8').line).toBe(1);
  });

  it('reports the first malformed line', () => {
    const err = malformed('pipe p\nbad1\nbad2', 'x/y.trace');
    expect(err.message).toBe("x/y.trace:2: unknown operation 'bad1'");
  });

  it('counts lines through CRLF endings', () => {
    expect(malformed('pipe p\r\n\r\nread p.r x\r\n').line).toBe(3);
  });

  it('rejects a lone CR inside a line', () => {
    expect(malformed('pipe p\rq').line).toBe(1);
  });
});

describe('messages quote at most a short excerpt of the input', () => {
  const long = 'x'.repeat(1 << 20);
  const clipped = `${'x'.repeat(40)}…`;
  const cases: [string, string, string][] = [
    ['an unknown operation', `${long} p`, `unknown operation '${clipped}' (1048576 bytes)`],
    ['a quoted operation', `"${long}" p`, `unknown operation "${'x'.repeat(39)}… (1048578 bytes)`],
    ['a bad name', `pipe P${long}`, `bad name 'P${'x'.repeat(39)}…' (1048577 bytes)`],
    ['a string for a name', `pipe "${long}"`, `expected a name, got string "${'x'.repeat(39)}… (1048578 bytes)`],
    ['a bad fd', `read ${long}.x 1`, `bad fd '${clipped}' (1048578 bytes)`],
    ['a bad count', `read p.r 1${long}`, `bad count '1${'x'.repeat(39)}…' (1048577 bytes) (decimal 0 to 2^53-1)`],
    [
      'a bad flag',
      `tee p.r q.w 1 MOVE|${long}`,
      `bad flag '${clipped}' (1048576 bytes) in 'MOVE|${'x'.repeat(35)}…' (1048581 bytes) (allowed: 0, MOVE, NONBLOCK, MORE, GIFT)`,
    ],
    ['a bad open flag', `open f "x" RDONLY|${long}`, `bad open flag '${clipped}' (1048576 bytes) in 'RDONLY|${'x'.repeat(33)}…' (1048583 bytes)`],
    [
      'two access modes',
      `open f "x" RDONLY|RDWR|${long.replace(/x/g, 'CREAT|').slice(0, 60)}CREAT`,
      "two access modes in 'RDONLY|RDWR|CREAT|CREAT|CREAT|CREAT|CREA…' (77 bytes)",
    ],
    ['a bad whence', `lseek f 0 ${long}`, `bad whence '${clipped}' (1048576 bytes)`],
    ['an unquoted path', `open f ${long} RDONLY`, `expected a quoted path, got '${clipped}' (1048576 bytes)`],
    ['bad data', `write p.w ${long}`, `bad data '${clipped}' (1048576 bytes) (expected "text", pat:N[:SEED] or zero:N)`],
    ['an unbound buffer', `fill b${long} 0 "x"`, `buffer 'b${'x'.repeat(39)}…' (1048577 bytes) is not bound by an earlier buf`],
    ['a bad iovec', `vmsplice p.w 0 b:0:1:${long}`, `bad iovec 'b:0:1:${'x'.repeat(34)}…' (1048582 bytes) (expected B:OFFSET:LEN)`],
    [
      'a bad fcntl command',
      `fcntl p.r ${long}`,
      `bad fcntl command '${clipped}' (1048576 bytes) (GETPIPE_SZ, SETPIPE_SZ N, GETFL, SETFL FLAGS, GETFD, SETFD FLAGS)`,
    ],
    ['text after a string', `write p.w "${long}"y`, `unexpected character after string "${'x'.repeat(39)}… (1048578 bytes)`],
    ['a quote in a token', `write p.w ${long}"`, `unexpected '"' in token '${clipped}' (1048577 bytes)`],
  ];
  for (const [what, source, detail] of cases) {
    it(`for ${what}`, () => {
      const err = malformed(`pipe ok\n${source}`);
      expect(err.detail).toBe(detail);
      expect(err.message).toBe(`t.trace:2: ${detail}`);
    });
  }

  it('counts characters, not UTF-16 units, and the length in bytes as written', () => {
    const err = malformed(`${'é'.repeat(50)} p`);
    expect(err.detail).toBe(`unknown operation '${'é'.repeat(40)}…' (100 bytes)`);
    const bad = malformed(Uint8Array.from([...bytes('pipe '), ...new Array(50).fill(0xff)]));
    expect(bad.detail).toBe(`bad name '${'\ufffd'.repeat(40)}…' (50 bytes)`);
  });

  it('shows control characters as \\xHH, so a message stays one line and prints no escape sequence', () => {
    expect(malformed('frob\x1b[2J\rx p').detail).toBe("unknown operation 'frob\\x1b[2J\\x0dx'");
    expect(malformed('pipe p\x7f').detail).toBe("bad name 'p\\x7f'");
  });

  it('quotes short tokens whole, as before', () => {
    expect(malformed('x'.repeat(40)).detail).toBe(`unknown operation '${'x'.repeat(40)}'`);
    expect(malformed('x'.repeat(41)).detail).toBe(`unknown operation '${'x'.repeat(40)}…' (41 bytes)`);
  });

  it('keeps a 50 MB unknown token out of the message', () => {
    const err = malformed(`pipe p\n${'q'.repeat(50 << 20)}`);
    expect(err.message).toBe(`t.trace:2: unknown operation '${'q'.repeat(40)}…' (52428800 bytes)`);
  });
});

describe('large strings', () => {
  /** `write p.w "…"` whose string stands for `n` bytes: letters, and every 4099th byte as an escape. */
  function bigWrite(n: number): { source: Uint8Array; want: Uint8Array } {
    const want = new Uint8Array(n);
    const head = bytes('write p.w "');
    const source = new Uint8Array(head.length + n * 4 + 2);
    source.set(head);
    let at = head.length;
    for (let i = 0; i < n; i++) {
      if (i % 4099 === 7) {
        want[i] = i % 256;
        source.set(bytes(`\\x${want[i]!.toString(16).padStart(2, '0')}`), at);
        at += 4;
      } else {
        want[i] = 0x61 + (i % 26);
        source[at++] = want[i]!;
      }
    }
    source[at++] = 0x22; // "
    source[at++] = 0x0a;
    return { source: source.subarray(0, at), want };
  }

  it('holds a 50 MB literal as its bytes, with memory near the input size', () => {
    const n = 50 << 20;
    const { source, want } = bigWrite(n);
    const heap = process.memoryUsage().heapUsed;
    const ops = parseTrace(source, 'big.trace');
    const grown = process.memoryUsage().heapUsed - heap;
    const data = (ops[0] as Extract<Op, { kind: 'write' }>).data;
    expect(data.kind).toBe('text');
    const got = dataBytes(data);
    expect(got.length).toBe(n);
    expect(Buffer.compare(got, want)).toBe(0);
    // The bytes live outside the JS heap, once; a byte as a JS number (or the
    // literal as a string) would grow it by hundreds of megabytes.
    expect(grown).toBeLessThan(16 << 20);
  }, 60_000);

  it('decodes a string of escapes only into its exact length', () => {
    const n = 1 << 20;
    const src = bytes(`write p.w "${'\\x00\\n'.repeat(n / 2)}"`);
    const data = (parseTrace(src)[0] as Extract<Op, { kind: 'write' }>).data as { kind: 'text'; bytes: Uint8Array };
    expect(data.bytes.length).toBe(n);
    expect(data.bytes.buffer.byteLength).toBe(n);
    expect(data.bytes.subarray(0, 4)).toEqual(Uint8Array.from([0, 10, 0, 10]));
  });

  it('lexes a line of many short strings in linear time', () => {
    const line = `write p.w ${'"ab" '.repeat(100_000)}`;
    const t = performance.now();
    expect(malformed(line).detail).toMatch(/wrong number of arguments/);
    expect(performance.now() - t).toBeLessThan(5_000);
  });
});

describe('long numbers', () => {
  it('takes leading zeros however many, and rejects a huge N at once', () => {
    expect(one(`read p.r ${'0'.repeat(1 << 20)}5`)).toMatchObject({ count: 5 });
    expect(one(`read p.r ${'0'.repeat(1 << 20)}9007199254740991`)).toMatchObject({ count: 2 ** 53 - 1 });
    expect(malformed(`read p.r ${'0'.repeat(1 << 20)}9007199254740992`).detail).toMatch(/^bad count '0{40}…' \(1048592 bytes\)/);
    const t = performance.now();
    expect(malformed(`read p.r ${'9'.repeat(20 << 20)}`).detail).toMatch(/^bad count '9{40}…' \(20971520 bytes\)/);
    expect(performance.now() - t).toBeLessThan(2_000);
  });
});

describe('a token outside a string longer than a JS string can be', () => {
  it('is malformed, with a short message, rather than an engine error', () => {
    const head = bytes('read p.r ');
    const src = new Uint8Array(head.length + (1 << 28) + 1).fill(0x30); // 0000…05: well formed, but 256 MiB long
    src.set(head);
    src[src.length - 1] = 0x35;
    expect(malformed(src).detail).toBe(`token '${'0'.repeat(40)}…' (268435457 bytes) is too long (at most 268435456 bytes outside a string)`);
  }, 30_000);
});
