// The built command line (bin/splicekit.js) under hostile input and
// hostile stdio: huge tokens and strings, standard input as a trace, a
// standard output that closes or fills, programs that cannot start.

import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { buildIsCurrent } from '../scripts/inputs.mjs';
import { UNLINKABLE } from './support/tiny-modules.mjs';
import { T, wasmModule } from './support/wasm-bytes.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'bin/splicekit.js');
const dir = mkdtempSync(join(tmpdir(), 'splicekit-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(() => {
  if (!buildIsCurrent()) throw new Error('dist/ was not built from the sources as they are: run npm run build');
});

interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

function splicekit(args: string[], opts: SpawnSyncOptions & { node?: string[] } = {}): Ran {
  const r = spawnSync('node', [...(opts.node ?? []), CLI, ...args], { maxBuffer: 1 << 28, ...opts });
  return { status: r.status, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
}

function file(name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** The 32-bit FNV-1a hash, as a read of more than 64 bytes prints it. */
function fnv1a32(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

describe('splicekit run - (standard input)', () => {
  it('reads the trace from standard input', () => {
    const r = splicekit(['run', '-'], { input: 'pipe p\nwrite p.w "hi"\nread p.r 5\n' });
    expect(r).toEqual({ status: 0, stdout: '1: 0\n2: 2\n3: 2 "hi"\n', stderr: '' });
  });

  it('names it - in messages and headers', () => {
    expect(splicekit(['run', '-'], { input: 'pipe p\nfrob\n' })).toEqual({ status: 2, stdout: '', stderr: "-:2: unknown operation 'frob'\n" });
    const a = file('a.trace', 'pipe q\n');
    expect(splicekit(['run', a, '-'], { input: 'pipe p\nwrite p.w "hi"\n' })).toEqual({
      status: 0,
      stdout: `== ${a}\n1: 0\n== -\n1: 0\n2: 2\n`,
      stderr: '',
    });
  });

  it('reads a large trace through the pipe to its end', () => {
    const n = 3 << 20;
    const want = new Uint8Array(n).map((_, i) => 0x61 + (i % 26));
    const input = `pipe p\nfcntl p.w SETPIPE_SZ 1048576\nwrite p.w "${Buffer.from(want).toString('latin1')}"\nread p.r ${n}\n`;
    const r = splicekit(['run', '-'], { input });
    expect(r).toEqual({
      status: 0,
      stderr: '',
      stdout: `1: 0\n2: 1048576\n3: 1048576\n4: 1048576 <1048576 bytes fnv1a32=${fnv1a32(want.subarray(0, 1 << 20))}>\n`,
    });
  });

  it('is an empty trace when standard input is empty, and ./- is a file', () => {
    expect(splicekit(['run', '-'], { stdio: ['ignore', 'pipe', 'pipe'] })).toEqual({ status: 0, stdout: '', stderr: '' });
    file('-', 'pipe p\n');
    expect(splicekit(['run', './-'], { cwd: dir, input: 'frob\n' })).toEqual({ status: 0, stdout: '1: 0\n', stderr: '' });
  });

  it('says so in --help', () => {
    expect(splicekit(['--help']).stdout).toMatch(/The FILE -\nis standard input, named - in headers and messages/);
  });
});

describe('huge input', () => {
  it('runs a trace with a 64 MB string on a 64 MB JavaScript heap, the bytes intact', () => {
    const n = 64 << 20;
    const body = Buffer.alloc(n);
    for (let i = 0; i < n; i++) body[i] = 0x61 + (i % 26);
    const trace = join(dir, 'big-string.trace');
    writeFileSync(trace, Buffer.concat([Buffer.from('pipe p\nwrite p.w "'), body, Buffer.from('"\nread p.r 65536\n')]));
    // The old lexer held the string as one JS number per byte: gigabytes.
    const r = splicekit(['run', trace], { node: ['--max-old-space-size=64'] });
    expect(r).toEqual({ status: 0, stderr: '', stdout: `1: 0\n2: 65536\n3: 65536 <65536 bytes fnv1a32=${fnv1a32(body.subarray(0, 65536))}>\n` });
  }, 60_000);

  it('reports a 50 MB unknown token in one short line', () => {
    const trace = file('big-token.trace', `pipe p\n${'q'.repeat(50 << 20)} p\n`);
    expect(splicekit(['run', trace])).toEqual({
      status: 2,
      stdout: '',
      stderr: `${trace}:2: unknown operation '${'q'.repeat(40)}…' (52428800 bytes)\n`,
    });
  });
});

describe('a standard output that closes or fills', () => {
  /** 100000 lines of output: far more than a pipe holds. */
  const many = () => file('many.trace', `pipe p\n${'fcntl p.r GETPIPE_SZ\n'.repeat(100_000)}`);

  it('ends quietly with 141, as SIGPIPE would, when the reader goes away', () => {
    const trace = many();
    const r = spawnSync('bash', ['-c', `node "${CLI}" run "${trace}" | head -1; echo "\${PIPESTATUS[0]}"`]);
    expect([r.stdout.toString(), r.stderr.toString()]).toEqual(['1: 0\n141\n', '']);
    const help = spawnSync('bash', ['-c', `node "${CLI}" --help | head -c 0; echo "\${PIPESTATUS[0]}"`]);
    expect(help.stderr.toString()).toBe('');
    expect(['0\n', '141\n']).toContain(help.stdout.toString());
  });

  it.runIf(existsSync('/dev/full'))('says "write error: No space left on device" and exits 1 on a full disk', () => {
    const full = openSync('/dev/full', 'w');
    try {
      for (const args of [['run', many()], ['--help']]) {
        const r = splicekit(args, { stdio: ['ignore', full, 'pipe'] });
        expect([r.status, r.stderr]).toEqual([1, 'splicekit: write error: No space left on device\n']);
      }
    } finally {
      closeSync(full);
    }
  });

  it('says so in --help', () => {
    const help = splicekit(['--help']).stdout;
    expect(help).toMatch(/if its reader goes away \(splicekit run\n\.\.\. \| head -1\), splicekit stops quietly with status 141/);
    expect(help).toMatch(/"splicekit: write error: MESSAGE"/);
  });
});

describe('splicekit exec --memory', () => {
  it('a SIZE that is none, or too large or small for the machine, is one line and status 2; --help says the units', () => {
    /** Standard error of a run that must fail with 2 before anything runs. */
    const refused = (args: string[]) => {
      const r = splicekit(['exec', ...args], { input: '' });
      expect([r.status, r.stdout]).toEqual([2, '']);
      return r.stderr;
    };
    const units = '(bytes, or with K, M or G: 64M, 1G)';
    expect(refused(['--memory', '12X', 'prog.wasm'])).toBe(`splicekit exec: --memory: '12X' is not a size ${units}\n`);
    expect(refused(['--memory=-1', 'prog.wasm'])).toBe(`splicekit exec: --memory: '-1' is not a size ${units}\n`);
    expect(refused(['--memory'])).toBe(`splicekit exec: --memory needs a SIZE ${units}\n`);
    const tooLarge = 'splicekit exec: --memory 3221225472: memory must be an integer from 0 to 2147483648, got 3221225472\n';
    expect(refused(['--memory', '3G', 'prog.wasm'])).toBe(tooLarge);
    expect(refused(['--memory', '1M', 'prog.wasm'])).toMatch(/^splicekit exec: --memory 1048576: memory must be at least \d+ bytes [^\n]*\n$/);
    expect(splicekit(['--help']).stdout).toMatch(/exec --memory SIZE: .*\n.*\n.*bytes or a number with K, M or G \(KiB, MiB, GiB: 64M, 1G; at\nmost 2G\)/);
  });
});

describe('splicekit exec: a program that cannot start', () => {
  const P1 = 'wasi_snapshot_preview1';
  const start = { export: '_start', body: [] };
  const programs: [string, Uint8Array | null, number, string][] = [
    ['missing.wasm', null, 127, 'No such file or directory'],
    ['empty.wasm', new Uint8Array(0), 126, 'not a WebAssembly module (an empty file)'],
    [
      'truncated.wasm',
      wasmModule({ funcs: [start] }).subarray(0, 20),
      126,
      'invalid WebAssembly module: section (code 5, "Memory") extends past end of the module (length 3, remaining bytes 0) @+18',
    ],
    ['nomemory.wasm', wasmModule({ memory: null, funcs: [start] }), 126, 'not a WASI command: it exports no memory'],
    ['badstart.wasm', wasmModule({ funcs: [{ ...start, params: [T.i32] }] }), 126, 'not a WASI command: its _start has type (i32) -> (), not () -> ()'],
    [
      'unresolved.wasm',
      wasmModule({ imports: [{ module: 'env', name: 'memory', kind: 'memory' }], funcs: [start] }),
      126,
      'unresolved import env.memory (a memory): splicekit has no such import',
    ],
    ['unlinkable.wasm', UNLINKABLE, 126, 'not a WASI command: it exports no _start function'],
    // Linked as a JS function, it would throw a TypeError at the call: a stack trace.
    [
      'mismatched.wasm',
      wasmModule({
        imports: [{ module: P1, name: 'fd_write', params: [T.i64], results: [T.i64] }],
        funcs: [{ export: '_start', body: [0x42, 0x00, 0x10, 0x00, 0x1a] }], // i64.const 0; call 0; drop
      }),
      126,
      "import wasi_snapshot_preview1.fd_write has type (i64) -> i64; splicekit's has type (i32, i32, i32, i32) -> i32",
    ],
    [
      'wrongkind.wasm',
      wasmModule({ imports: [{ module: P1, name: 'fd_write', kind: 'table' }], funcs: [start] }),
      126,
      "import wasi_snapshot_preview1.fd_write is a table; splicekit's is a function of type (i32, i32, i32, i32) -> i32",
    ],
    ['outofbounds.wasm', wasmModule({ funcs: [start], data: { offset: 70000, bytes: [42] } }), 126, 'cannot instantiate: data segment is out of bounds'],
  ];

  for (const [name, bytes, status, message] of programs) {
    it(`${name}: ${status}, one line`, () => {
      const prog = join(dir, name);
      if (bytes) writeFileSync(prog, bytes);
      expect(splicekit(['exec', prog], { input: '' })).toEqual({ status, stdout: '', stderr: `splicekit exec: ${prog}: ${message}\n` });
    });
  }

  it('a directory: 126, "Is a directory", as a shell says', () => {
    mkdirSync(join(dir, 'dir.wasm'), { recursive: true });
    expect(splicekit(['exec', join(dir, 'dir.wasm')])).toEqual({
      status: 126,
      stdout: '',
      stderr: `splicekit exec: ${join(dir, 'dir.wasm')}: Is a directory\n`,
    });
  });

  it('a name with a newline stays on one line', () => {
    const prog = join(dir, 'two\nlines.wasm');
    expect(splicekit(['exec', prog])).toEqual({
      status: 127,
      stdout: '',
      stderr: `splicekit exec: ${join(dir, 'two\\x0alines.wasm')}: No such file or directory\n`,
    });
  });

  it('a start function that traps, a stack overflow: 134, a line saying it trapped', () => {
    const trapsAtStart = file('startfn.wasm', wasmModule({ funcs: [start, { body: [0x00] }], start: 1 }));
    expect(splicekit(['exec', trapsAtStart])).toEqual({ status: 134, stdout: '', stderr: `splicekit: ${trapsAtStart}: trap: unreachable\n` });
    const recurses = file('recurse.wasm', wasmModule({ funcs: [{ export: '_start', body: [0x10, 0x00] }] })); // call 0
    expect(splicekit(['exec', recurses])).toEqual({ status: 134, stdout: '', stderr: `splicekit: ${recurses}: trap: Maximum call stack size exceeded\n` });
  });

  it('a program that can start still runs', () => {
    expect(splicekit(['exec', file('ok.wasm', wasmModule({ funcs: [start] }))])).toEqual({ status: 0, stdout: '', stderr: '' });
  });

  it('says so in --help', () => {
    const help = splicekit(['--help']).stdout;
    expect(help).toMatch(/status 127 if PROG does not exist,\n126 if it cannot run: a directory, not a WebAssembly module, not a WASI\ncommand/);
  });
});

describe('messages quoting the command line', () => {
  it('name a file with control characters as \\xHH, and clip an unknown command', () => {
    const odd = file('a\x1b[2Jb.trace', 'frob\n');
    expect(splicekit(['run', odd])).toEqual({ status: 2, stdout: '', stderr: `${join(dir, 'a\\x1b[2Jb.trace')}:1: unknown operation 'frob'\n` });
    expect(splicekit(['run', join(dir, 'no\nfile')]).stderr).toBe(`${join(dir, 'no\\x0afile')}: cannot read trace (ENOENT)\n`);
    expect(splicekit(['frob'.repeat(1000)]).stderr).toMatch(/^splicekit: unknown command 'frobfrobfrobfrobfrobfrobfrobfrobfrobfrob…' \(4000 bytes\)\nusage:/);
  });
});
