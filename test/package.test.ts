// The package as a user gets it: `npm pack`, then install the tarball into
// an empty project and use it there. The tarball holds what runs (no tests,
// bench or CI), every file the package's code loads is in it, the shipped
// declarations type-check with skipLibCheck off and keep SyscallError's code
// the WIT's errno names, both entry points run (spawn's Worker file
// included) and `npx splicekit` runs a trace. No network: the consumer
// depends on the tarball only and uses this project's tsc and @types/node.

import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const TSC = join(ROOT, 'node_modules/.bin/tsc');
const TYPE_ROOTS = join(ROOT, 'node_modules/@types');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const NPX = process.platform === 'win32' ? 'npx.cmd' : 'npx';

/** This process's environment without the npm_* settings `npm test` passes down. */
const ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));

interface Packed {
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string; size: number }[];
}

const dir = mkdtempSync(join(tmpdir(), 'splicekit-package-'));
const app = join(dir, 'app');
let packed: Packed;
let paths: Set<string>;

function run(cmd: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, env: ENV, encoding: 'utf8', timeout: 60_000 });
}

/** `r` succeeded, or the test fails with what it printed. */
function ok(r: SpawnSyncReturns<string>): string {
  expect({ status: r.status, stderr: r.stderr, stdout: r.status === 0 ? '' : r.stdout, error: r.error }).toEqual({
    status: 0,
    stderr: expect.any(String),
    stdout: '',
    error: undefined,
  });
  return r.stdout;
}

beforeAll(() => {
  // `npm test` builds first; packing runs no scripts, so it never rebuilds
  // dist/ under the tests running beside this one.
  expect(existsSync(join(ROOT, 'dist/src/index.js')), 'dist/ is built (npm run build)').toBe(true);
  const out = execFileSync(NPM, ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: ROOT, env: ENV, encoding: 'utf8' });
  packed = (JSON.parse(out) as Packed[])[0]!;
  paths = new Set(packed.files.map((f) => f.path));

  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', version: '0.0.0', private: true, type: 'module' }));
  ok(run(NPM, ['install', '--no-audit', '--no-fund', '--prefer-offline', '--engine-strict=false', join(dir, packed.filename)], app));
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The errno names of wit/splicekit.wit, as SyscallError spells them. */
function witErrnos(): string[] {
  const wit = readFileSync(join(ROOT, 'wit/splicekit.wit'), 'utf8');
  const body = /enum errno \{([^}]*)\}/.exec(wit)![1]!;
  return body
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => s.toUpperCase());
}

/**
 * A minimal wasm32-wasi command, assembled here: writes "hi\n" to fd 1 with
 * fd_write, then proc_exit(3).
 */
function helloGuest(): Uint8Array {
  const name = (s: string) => [s.length, ...new TextEncoder().encode(s)];
  const section = (id: number, body: number[]) => [id, body.length, ...body];
  const wasi = name('wasi_snapshot_preview1');
  const i32 = 0x7f;
  const code = [0, 0x41, 1, 0x41, 0, 0x41, 1, 0x41, 16, 0x10, 0, 0x1a, 0x41, 3, 0x10, 1, 0x0b];
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    1,
    0,
    0,
    0,
    ...section(1, [3, 0x60, 4, i32, i32, i32, i32, 1, i32, 0x60, 1, i32, 0, 0x60, 0, 0]),
    ...section(2, [2, ...wasi, ...name('fd_write'), 0, 0, ...wasi, ...name('proc_exit'), 0, 1]),
    ...section(3, [1, 2]),
    ...section(5, [1, 0, 1]),
    ...section(7, [2, ...name('memory'), 2, 0, ...name('_start'), 0, 2]),
    ...section(10, [1, code.length, ...code]),
    // iovec { buf: 8, len: 3 } at 0, "hi\n" at 8
    ...section(11, [1, 0, 0x41, 0, 0x0b, 11, 8, 0, 0, 0, 3, 0, 0, 0, 0x68, 0x69, 0x0a]),
  ]);
}

describe('the package', () => {
  it('holds what runs: no tests, bench, CI or lab; under 1 MB', () => {
    const unwanted = [...paths].filter(
      (p) => /^(test|bench|\.ci|lab|assembly|scripts|examples|src)\//.test(p) || /\.test\./.test(p) || /^dist\/(test|bench|src\/lab)\//.test(p),
    );
    expect(unwanted).toEqual([]);
    for (const p of [
      'package.json',
      'README.md',
      'LICENSE',
      'bin/splicekit.js',
      'include/splicekit.h',
      'wit/splicekit.wit',
      'dist/src/index.js',
      'dist/src/index.d.ts',
      'dist/src/node.js',
      'dist/src/node.d.ts',
    ]) {
      expect(paths, p).toContain(p);
    }
    expect(packed.size).toBeLessThan(1 << 20);
  });

  it('ships every file its exports, bin, imports and Worker URLs name', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const targets = (v: unknown): string[] => (typeof v === 'string' ? [v] : Object.values(v as object).flatMap(targets));
    const named = [...targets(pkg.exports), ...targets(pkg.bin), pkg.main, pkg.types].map((p) => posix.normalize(p));
    const missing = named.filter((p) => !paths.has(p));
    // Relative imports (of .js files and of the .d.ts files a declaration
    // imports as .js) and `new URL('./x.js', import.meta.url)` loads.
    let checked = 0;
    for (const p of paths) {
      if (!/\.(js|d\.ts)$/.test(p)) continue;
      const text = readFileSync(join(app, 'node_modules/splicekit', p), 'utf8');
      const refs = [
        ...[...text.matchAll(/(?:^|\s)(?:import|export)\b[^'"]*?from\s+'(\.[^']+)'|import\('(\.[^']+)'\)/gm)].map((m) => m[1] ?? m[2]!),
        ...[...text.matchAll(/new URL\('(\.[^']+)', import\.meta\.url\)/g)].map((m) => m[1]!),
      ];
      for (const ref of refs) {
        checked++;
        const target = posix.join(posix.dirname(p), ref);
        const alts = p.endsWith('.d.ts') ? [target.replace(/\.js$/, '.d.ts'), target] : [target];
        if (!alts.some((t) => paths.has(t))) missing.push(`${p} -> ${ref}`);
      }
    }
    expect(missing).toEqual([]);
    expect(checked).toBeGreaterThan(200);
    expect(paths).toContain('dist/src/proc/guest-node.bundle.js');
    expect(paths).toContain('dist/src/proc/guest-web.js');
  });

  it("type-checks a TypeScript consumer with skipLibCheck off; SyscallError.code is the WIT's errno names", () => {
    const errnos = witErrnos();
    expect(errnos).toContain('EAGAIN');
    writeFileSync(
      join(app, 'main.ts'),
      `import { Kernel, readableOf, SPLICE_F_NONBLOCK, SyscallError, writableOf } from 'splicekit';

type FromWit = ${errnos.map((e) => `'${e}'`).join(' | ')};
type Code = SyscallError['code'];
// Assignable both ways: the union is exactly the WIT's errno enum, not string.
export const toWit = (c: Code): FromWit => c;
export const fromWit = (c: FromWit): Code => c;
// @ts-expect-error: a name outside the enum is not an errno
export const bogus: Code = 'ENOTANERRNO';

// The stream adapters fit the platform's own streams (typed here, run in test/streams.test.ts).
export const gzip = (k: Kernel, r: number, w: number): Promise<void> =>
  readableOf(k, r).pipeThrough(new CompressionStream('gzip')).pipeTo(writableOf(k, w));
export const body = (k: Kernel, r: number): Promise<string> => new Response(readableOf(k, r)).text();

// README.md's example.
const k = new Kernel();
const [r, w] = k.pipe();
const [r2, w2] = k.pipe();
const buf = k.alloc(8192);
buf.bytes.set(new TextEncoder().encode('hello'));
k.vmsplice(w, [{ buf, offset: 0, length: 5 }], 0);
k.tee(r, w2, 5, SPLICE_F_NONBLOCK);
const text = new TextDecoder().decode(k.read(r2, 5));
let error = '';
try {
  k.lseek(r, 0, 0);
} catch (e) {
  if (!(e instanceof SyscallError)) throw e;
  const code: Code = e.code;
  error = \`\${e.syscall} \${code} \${e.errno}\`;
}
k.destroy();
console.log(JSON.stringify({ text, error, pagesInUse: k.stats().pagesInUse }));
`,
    );
    // A browser or edge consumer: no Node types at all.
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'nodenext',
          moduleResolution: 'nodenext',
          lib: ['ES2024', 'DOM'],
          types: [],
          strict: true,
          skipLibCheck: false,
          outDir: 'out',
        },
        files: ['main.ts'],
      }),
    );
    // A Node consumer of splicekit/node.
    writeFileSync(
      join(app, 'node.ts'),
      `import type { Readable, Writable } from 'node:stream';
import { Kernel, nodeReadableOf, nodeWritableOf, spawn, type Child, type SyscallError } from 'splicekit/node';

export const start = (k: Kernel, m: WebAssembly.Module): Child => spawn(k, m, { args: ['guest'] });
export const ends = (k: Kernel, r: number, w: number): [Readable, Writable] => [nodeReadableOf(k, r, { chunkSize: 4096 }), nodeWritableOf(k, w)];
export const code: SyscallError['code'] = 'EPIPE';
`,
    );
    writeFileSync(
      join(app, 'tsconfig.node.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'nodenext',
          moduleResolution: 'nodenext',
          lib: ['ES2024', 'DOM'],
          typeRoots: [TYPE_ROOTS],
          types: ['node'],
          strict: true,
          skipLibCheck: false,
          outDir: 'out',
        },
        files: ['node.ts'],
      }),
    );
    ok(run(TSC, ['-p', 'tsconfig.json'], app));
    ok(run(TSC, ['-p', 'tsconfig.node.json'], app));
    const out = ok(run(process.execPath, ['out/main.js'], app));
    expect(JSON.parse(out)).toEqual({ text: 'hello', error: 'lseek ESPIPE 29', pagesInUse: 0 });
  });

  it('runs a plain ESM consumer: both entry points, spawn in a Worker, the core as a file; no deep imports', () => {
    writeFileSync(join(app, 'guest.wasm'), helloGuest());
    writeFileSync(
      join(app, 'consumer.mjs'),
      `import { readFileSync } from 'node:fs';
import { Kernel } from 'splicekit';
import * as node from 'splicekit/node';

const k = new node.Kernel({ shared: true });
const [r, w] = k.pipe();
const child = node.spawn(k, new WebAssembly.Module(readFileSync('guest.wasm')), { stdout: w });
k.close(w);
const status = await child.exited;
const stdout = new TextDecoder().decode(k.read(r, 100));
k.close(r);
k.destroy();
const core = readFileSync(new URL(import.meta.resolve('splicekit/core.wasm')));
let deep = 'importable';
try { await import('splicekit/dist/src/kernel.js'); } catch (e) { deep = e.code; }
console.log(JSON.stringify({
  sameKernel: node.Kernel === Kernel, status, stdout, pagesInUse: k.stats().pagesInUse,
  core: WebAssembly.validate(core), deep,
}));
process.exit(0);
`,
    );
    const out = ok(run(process.execPath, ['consumer.mjs'], app));
    expect(JSON.parse(out)).toEqual({
      sameKernel: true,
      status: 3,
      stdout: 'hi\n',
      pagesInUse: 0,
      core: true,
      deep: 'ERR_PACKAGE_PATH_NOT_EXPORTED',
    });
  });

  it('npx splicekit runs a trace', () => {
    writeFileSync(
      join(app, 'tee.trace'),
      ['pipe p NONBLOCK', 'write p.w "hello"', 'pipe q NONBLOCK', 'tee p.r q.w 100 NONBLOCK', 'read q.r 100', 'read p.r 5', 'read p.r 5', ''].join('\n'),
    );
    const out = ok(run(NPX, ['--no', 'splicekit', 'run', 'tee.trace'], app));
    expect(out).toBe('1: 0\n2: 5\n3: 0\n4: 5\n5: 5 "hello"\n6: 5 "hello"\n7: -EAGAIN\n');
  });
});
