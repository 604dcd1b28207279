// splicekit's extensions to the trace language (lab/README.md): parsed only
// with `extensions: true`, malformed otherwise (the format's contract for
// `splicekit run`), and run on the kernel's notification, clock and
// TCP-like socket calls.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { O_NONBLOCK, SPLICE_F_GIFT, SPLICE_F_NONBLOCK } from '../src/constants.js';
import { Kernel } from '../src/kernel.js';
import { runFiles } from '../src/trace/files.js';
import { isExtension, parseTrace, TraceSyntaxError, type Op } from '../src/trace/parse.js';
import { runTrace, TraceRuntimeError, type TraceKernel } from '../src/trace/run.js';
import { TraceStepper } from '../src/trace/step.js';

const EXT = { extensions: true };

function malformed(source: string, extensions: boolean): TraceSyntaxError {
  try {
    parseTrace(source, 'x.trace', { extensions });
  } catch (e) {
    expect(e).toBeInstanceOf(TraceSyntaxError);
    return e as TraceSyntaxError;
  }
  throw new Error(`parsed without error: ${JSON.stringify(source)}`);
}

const kernels: Kernel[] = [];
afterEach(() => {
  for (const k of kernels.splice(0)) k.destroy();
});

function run(source: string): string[] {
  const k = new Kernel({ pages: 256, userPages: 64, rings: 32 });
  kernels.push(k);
  return runTrace(parseTrace(source, 't.trace', EXT), k);
}

describe('parsing the extensions', () => {
  it('parses each extension into a typed op', () => {
    const src = [
      'notifyfd n',
      'notifyfd m NONBLOCK',
      'buf b 8192',
      'vmsplice_notify p.w n GIFT|NONBLOCK b:0:1 b:4096:10',
      'released n 3',
      'tick 25',
      'socketpair s ack=10',
      'socketpair t',
      'socketpair u ack=0',
    ].join('\n');
    expect(parseTrace(src, 't', EXT)).toEqual([
      { line: 1, kind: 'notifyfd', name: 'n', flags: 0 },
      { line: 2, kind: 'notifyfd', name: 'm', flags: O_NONBLOCK },
      { line: 3, kind: 'buf', name: 'b', length: 8192 },
      {
        line: 4,
        kind: 'vmsplice_notify',
        fd: 'p.w',
        notify: 'n',
        flags: SPLICE_F_GIFT | SPLICE_F_NONBLOCK,
        iov: [
          { buf: 'b', offset: 0, length: 1 },
          { buf: 'b', offset: 4096, length: 10 },
        ],
      },
      { line: 5, kind: 'released', notify: 'n', id: 3 },
      { line: 6, kind: 'tick', ms: 25 },
      { line: 7, kind: 'socketpair', name: 's', ackDelay: 10 },
      { line: 8, kind: 'socketpair', name: 't' },
      { line: 9, kind: 'socketpair', name: 'u', ackDelay: 0 },
    ]);
    // A plain socketpair has no ackDelay key at all, so it stays what the format's parser gives.
    expect(Object.keys(parseTrace('socketpair t', 't', EXT)[0]!)).not.toContain('ackDelay');
    expect(parseTrace('socketpair t', 't', EXT)).toEqual(parseTrace('socketpair t'));
    // A socket type is the format's own, and parses the same with the extensions.
    expect(parseTrace('socketpair v DGRAM', 't', EXT)).toEqual(parseTrace('socketpair v DGRAM'));
  });

  it('tells extensions from Linux calls', () => {
    const ops = parseTrace(
      'notifyfd n\nbuf b 1\nvmsplice_notify p.w n 0 b:0:1\nreleased n 0\ntick 1\nsocketpair s ack=1\nsocketpair t\nsocketpair u SEQPACKET\nvmsplice p.w 0 b:0:1\npipe p',
      't',
      EXT,
    );
    expect(ops.map((op) => [op.kind, isExtension(op)])).toEqual([
      ['notifyfd', true],
      ['buf', false],
      ['vmsplice_notify', true],
      ['released', true],
      ['tick', true],
      ['socketpair', true],
      ['socketpair', false],
      ['socketpair', false],
      ['vmsplice', false],
      ['pipe', false],
    ]);
  });

  const bad: [string, string, RegExp][] = [
    ['tick without MS', 'tick', /tick: wrong number of arguments \(usage: tick MS\)/],
    ['tick with a word', 'tick soon', /bad ms 'soon'/],
    ['a negative tick', 'tick -1', /bad ms '-1'/],
    ['released without an id', 'released n', /usage: released N ID/],
    ['released with a bad id', 'released n x', /bad id 'x'/],
    ['a bad notify name', 'notifyfd N', /bad name 'N'/],
    ['a bad notifyfd flag', 'notifyfd n DIRECT', /bad flag 'DIRECT'.*allowed: 0, NONBLOCK/],
    ['vmsplice_notify without iovecs', 'buf b 10\nvmsplice_notify p.w n 0', /usage: vmsplice_notify FD N FLAGS/],
    ['vmsplice_notify of an unbound buffer', 'vmsplice_notify p.w n 0 c:0:1', /buffer 'c' is not bound/],
    ['vmsplice_notify outside its buffer', 'buf b 10\nvmsplice_notify p.w n 0 b:5:6', /outside buffer 'b'/],
    ['a socketpair option that is neither a type nor ack', 'socketpair s fast', /bad socketpair option 'fast' \(expected STREAM, DGRAM, SEQPACKET or ack=MS\)/],
    ['an empty ack', 'socketpair s ack=', /bad ack delay ''/],
    ['a bad ack', 'socketpair s ack=1ms', /bad ack delay '1ms'/],
    ['two socketpair options', 'socketpair s ack=1 ack=2', /usage: socketpair S \[TYPE\|ack=MS\]/],
    ['a type with an ack', 'socketpair s DGRAM ack=2', /usage: socketpair S \[TYPE\|ack=MS\]/],
  ];
  for (const [what, source, message] of bad) {
    it(`rejects ${what}`, () => {
      const e = malformed(source, true);
      expect(e.line).toBe(source.split('\n').length);
      expect(e.detail).toMatch(message);
    });
  }
});

describe('without the option (the trace format as specified)', () => {
  const lines = ['notifyfd n', 'buf b 1\nvmsplice_notify p.w n 0 b:0:1', 'released n 0', 'tick 5'];
  for (const source of lines) {
    it(`'${source.split('\n').at(-1)}' is an unknown operation`, () => {
      const op = source.split('\n').at(-1)!.split(' ')[0];
      expect(malformed(source, false).detail).toBe(`unknown operation '${op}'`);
      expect(() => parseTrace(source)).toThrow(TraceSyntaxError);
    });
  }

  it("'socketpair S ack=MS' is malformed", () => {
    const e = malformed('pipe p\nsocketpair s ack=10', false);
    expect(e.line).toBe(2);
    expect(e.detail).toBe("bad socketpair option 'ack=10' (expected STREAM, DGRAM or SEQPACKET)");
  });

  it('splicekit run rejects them: exit 2, nothing run', () => {
    const dir = mkdtempSync(join(tmpdir(), 'splicekit-ext-'));
    try {
      const good = join(dir, 'good.trace');
      const ext = join(dir, 'ext.trace');
      writeFileSync(good, 'pipe p\nwrite p.w "hi"\n');
      writeFileSync(ext, 'pipe p\n# the lab could run this\ntick 5\n');
      expect(runFiles([good, ext])).toEqual({ stdout: '', stderr: `${ext}:3: unknown operation 'tick'\n`, status: 2 });
      writeFileSync(ext, 'socketpair s ack=10\n');
      expect(runFiles([ext]).status).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('running the extensions', () => {
  it('reports release through a second pipe only once its reader has read', () => {
    expect(
      run(
        [
          'pipe p NONBLOCK',
          'pipe q NONBLOCK',
          'notifyfd n NONBLOCK',
          'buf b 8192',
          'fill b 0 "payload!"',
          'vmsplice_notify p.w n 0 b:0:8',
          'released n 0',
          'splice p.r - q.w - 100 0',
          'released n 0',
          'poll n',
          'read n 64',
          'read q.r 100',
          'released n 0',
          'poll n',
          'read n 64',
          'read n 64',
          'released n 7',
        ].join('\n'),
      ),
    ).toEqual([
      '1: 0',
      '2: 0',
      '3: 0',
      '4: 0',
      '5: 0',
      '6: 8 id=0',
      '7: no',
      '8: 8',
      '9: no',
      '10: 0',
      '11: -EAGAIN',
      '12: 8 "payload!"',
      '13: yes',
      '14: IN',
      '15: 8 "\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00"',
      '16: -EAGAIN',
      '17: no',
    ]);
  });

  it('numbers ids per notify fd and coalesces released ranges into one record', () => {
    expect(
      run(
        [
          'pipe p NONBLOCK',
          'notifyfd n',
          'buf b 4096',
          'fill b 0 "abc"',
          'vmsplice_notify p.w n 0 b:0:1',
          'vmsplice_notify p.w n 0 b:1:1',
          'vmsplice_notify p.w n 0 b:2:1',
          'read p.r 2',
          'released n 1',
          'read p.r 1',
          'released n 2',
          'read n 64',
        ].join('\n'),
      ),
    ).toEqual([
      '1: 0',
      '2: 0',
      '3: 0',
      '4: 0',
      '5: 1 id=0',
      '6: 1 id=1',
      '7: 1 id=2',
      '8: 2 "ab"',
      '9: yes',
      '10: 1 "c"',
      '11: yes',
      '12: 8 "\\x00\\x00\\x00\\x00\\x02\\x00\\x00\\x00"',
    ]);
  });

  it('a TCP-like socket releases only when the clock passes the ACK delay, even after the read', () => {
    expect(
      run(
        [
          'pipe p',
          'notifyfd n',
          'socketpair s ack=10',
          'buf b 4096',
          'fill b 0 "hello"',
          'vmsplice_notify p.w n 0 b:0:5',
          'splice p.r - s.a - 100 0',
          'read s.b 100',
          'released n 0',
          'tick 9',
          'released n 0',
          'tick 1',
          'released n 0',
          'tick 0',
        ].join('\n'),
      ),
    ).toEqual(['1: 0', '2: 0', '3: 0', '4: 0', '5: 0', '6: 5 id=0', '7: 5', '8: 5 "hello"', '9: no', '10: 0', '11: no', '12: 0', '13: yes', '14: 0']);
  });

  it('a plain socketpair releases as soon as the peer has read', () => {
    expect(
      run(
        'pipe p\nnotifyfd n\nsocketpair s\nbuf b 4096\nfill b 0 "x"\nvmsplice_notify p.w n 0 b:0:1\nsplice p.r - s.a - 1 0\nreleased n 0\nread s.b 1\nreleased n 0',
      ),
    ).toEqual(['1: 0', '2: 0', '3: 0', '4: 0', '5: 0', '6: 1 id=0', '7: 1', '8: no', '9: 1 "x"', '10: yes']);
  });

  it('fails like a call: bad fds, a read end, nothing to map, a blocking pipe', () => {
    expect(
      run(
        [
          'pipe p',
          'buf b 4096',
          'fill b 0 "x"',
          'released p.r 0',
          'released gone 0',
          'vmsplice_notify p.w p.r 0 b:0:1',
          'notifyfd n',
          'vmsplice_notify p.r n 0 b:0:1',
          'vmsplice_notify p.w n 0 b:0:0',
          'fcntl p.w SETPIPE_SZ 4096',
          'vmsplice_notify p.w n 0 b:0:1',
          'vmsplice_notify p.w n 0 b:0:1',
          'vmsplice_notify p.w n NONBLOCK b:0:1',
          'read n 64',
          'close n',
          'released n 0',
        ].join('\n'),
      ),
    ).toEqual([
      '1: 0',
      '2: 0',
      '3: 0',
      '4: -EBADF',
      '5: -EBADF',
      '6: -EBADF',
      '7: 0',
      '8: -EBADF',
      '9: 0',
      '10: 4096',
      '11: 1 id=0',
      '12: blocks',
      '13: -EAGAIN',
      '14: blocks',
      '15: 0',
      '16: -EBADF',
    ]);
  });

  it('the stepper prints what runTrace prints, and keeps each id with its line and pages', () => {
    const src =
      'pipe p\nnotifyfd n\nbuf b 8192\nfill b 0 "x"\nvmsplice_notify p.w n 0 b:0:1 b:4096:1\nsocketpair s ack=3\nsplice p.r - s.a - 2 0\nread s.b 2\ntick 3\nreleased n 0';
    const ops = parseTrace(src, 't', EXT);
    const a = new Kernel({ pages: 256, userPages: 64 });
    const b = new Kernel({ pages: 256, userPages: 64 });
    kernels.push(a, b);
    const stepper = new TraceStepper(ops, b);
    expect(stepper.run().map((r) => r.output)).toEqual(runTrace(ops, a));
    expect(stepper.output.at(-1)).toBe('10: yes');
    const nfd = stepper.names.fds.get('n')!;
    const buf = stepper.names.bufs.get('b')!;
    expect(stepper.names.tracked.get(nfd)).toEqual([
      {
        id: 0,
        line: 5,
        iov: [
          { addr: buf.addr, offset: 0, length: 1 },
          { addr: buf.addr, offset: 4096, length: 1 },
        ],
      },
    ]);
  });

  it('a kernel without the extension calls is a runner error, not a result', () => {
    const real = new Kernel({ pages: 64, userPages: 16 });
    kernels.push(real);
    const { tick: _tick, ...rest } = Object.fromEntries(
      (
        [
          'pipe',
          'open',
          'socketpair',
          'dup',
          'close',
          'read',
          'write',
          'lseek',
          'splice',
          'tee',
          'vmsplice',
          'sendfile',
          'fcntl',
          'ioctl',
          'poll',
          'alloc',
          'touch',
          'describe',
          'tick',
        ] as const
      ).map((name) => [name, (real[name] as (...args: unknown[]) => unknown).bind(real)]),
    ) as Record<string, unknown>;
    const ops: Op[] = parseTrace('pipe p\ntick 1', 't', EXT);
    let err: unknown;
    try {
      runTrace(ops, rest as unknown as TraceKernel);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TraceRuntimeError);
    expect((err as TraceRuntimeError).line).toBe(2);
    expect((err as TraceRuntimeError).output).toEqual(['1: 0']);
    expect((err as Error).message).toMatch(/no tick \(a splicekit extension\)/);
  });
});
