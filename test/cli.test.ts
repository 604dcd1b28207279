// The built command line (bin/splicekit.js) under hostile input and
// hostile stdio: huge tokens and strings, standard input as a trace, a
// standard output that closes or fills.

import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'bin/splicekit.js');
const dir = mkdtempSync(join(tmpdir(), 'splicekit-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The sources of dist/ that are newer than their build, if any. */
function staleBuild(): string[] {
  const stale: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) {
        const built = join(ROOT, 'dist', relative(ROOT, p)).replace(/\.ts$/, '.js');
        if (!existsSync(built) || statSync(built).mtimeMs < statSync(p).mtimeMs) stale.push(relative(ROOT, p));
      }
    }
  };
  for (const d of ['src/trace', 'src/wasi']) walk(join(ROOT, d));
  for (const f of ['src/cli.ts', 'src/hostfd.ts']) {
    const built = join(ROOT, 'dist', f.replace(/\.ts$/, '.js'));
    if (!existsSync(built) || statSync(built).mtimeMs < statSync(join(ROOT, f)).mtimeMs) stale.push(f);
  }
  return stale;
}

beforeAll(() => {
  const stale = staleBuild();
  if (stale.length > 0) throw new Error(`dist/ is older than ${stale.join(', ')}: run npm run build`);
});

interface Ran { status: number | null; stdout: string; stderr: string }

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
      status: 0, stdout: `== ${a}\n1: 0\n== -\n1: 0\n2: 2\n`, stderr: '',
    });
  });

  it('reads a large trace through the pipe to its end', () => {
    const n = 3 << 20;
    const want = new Uint8Array(n).map((_, i) => 0x61 + (i % 26));
    const input = `pipe p\nfcntl p.w SETPIPE_SZ 1048576\nwrite p.w "${Buffer.from(want).toString('latin1')}"\nread p.r ${n}\n`;
    const r = splicekit(['run', '-'], { input });
    expect(r).toEqual({
      status: 0, stderr: '',
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
      status: 2, stdout: '', stderr: `${trace}:2: unknown operation '${'q'.repeat(40)}…' (52428800 bytes)\n`,
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
    expect(help).toMatch(/if its reader goes away \(splicekit run \.\.\. \| head -1\),\nsplicekit stops quietly with status 141/);
    expect(help).toMatch(/"splicekit: write error: MESSAGE"/);
  });
});
