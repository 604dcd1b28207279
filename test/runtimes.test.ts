// The runtime matrix: the same scenarios on this machine's Node, the pinned
// Node versions, Deno and Bun (fetched from npm by `npm run runtimes`): the
// core (zero-copy vmsplice, tee, splice, a trace), pipe ends in two Workers
// blocking with Atomics.wait, and a WASI guest built with clang; and on
// workerd through miniflare, in one thread.

import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fetched, fetched, kindOf, VERSIONS } from '../scripts/runtimes/catalog.mjs';
import { HAVE_WASI_CLANG, EXAMPLES, INCLUDE } from './wasi/toolchain.js';
import { CORE_EXPECTED } from './support/scenario.mjs';

const ROOT = join(import.meta.dirname, '..');

/** A fetched runtime; a missing one fails its tests rather than skipping them. */
function need(name: string): Fetched {
  const rt = fetched(name);
  if (!rt) throw new Error(`${name} ${VERSIONS[name]} is not fetched: npm run runtimes`);
  return rt;
}

/** How each kind runs a script, and the version it should report from inside. */
const RUNTIMES: Record<string, { command: () => string[]; version: string }> = {
  node: { command: () => [process.execPath], version: process.versions.node },
  ...Object.fromEntries(
    Object.keys(VERSIONS)
      .filter((name) => kindOf(name) !== 'miniflare')
      .map((name) => [name, { command: () => [need(name).bin, ...(kindOf(name) === 'deno' ? ['run', '-A'] : [])], version: VERSIONS[name] }]),
  ),
};
const script = (name: string) => join(ROOT, 'test', 'support', name);

function run(runtime: string, args: string[], input = ''): { stdout: string; status: number | null } {
  const [cmd, ...pre] = RUNTIMES[runtime].command();
  const r = spawnSync(cmd, [...pre, ...args], { input, encoding: 'utf8', timeout: 120_000, cwd: ROOT });
  if (r.error) throw r.error;
  return { stdout: r.stdout, status: r.status };
}

const dir = mkdtempSync(join(tmpdir(), 'splicekit-runtimes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let wc = '';
beforeAll(() => {
  if (!HAVE_WASI_CLANG) return;
  wc = join(dir, 'wc.wasm');
  const path = (process.env.PATH ?? '')
    .split(':')
    .filter((d) => !d.includes('node_modules'))
    .join(':');
  execFileSync('clang', ['--target=wasm32-wasi', '-O2', `-I${INCLUDE}`, join(EXAMPLES, 'wc.c'), '-o', wc], { env: { ...process.env, PATH: path } });
}, 60_000);

/** What these tests use of miniflare (fetched, so its own types are not installed). */
type MiniflareClass = new (options: object) => { dispatchFetch(url: string): Promise<Response>; dispose(): Promise<void> };

/** Runs a Worker script in workerd (through miniflare) with the core as a compiled module. */
async function workerd(script: string, wasm: string[]): Promise<unknown> {
  const entry = createRequire(join(need('miniflare').dir, 'package.json')).resolve('miniflare');
  const { Miniflare } = (await import(pathToFileURL(entry).href)) as { Miniflare: MiniflareClass };
  const js = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? js(join(d, e.name)) : e.name.endsWith('.js') ? [join(d, e.name)] : []));
  const mf = new Miniflare({
    modulesRoot: ROOT,
    modules: [
      { type: 'ESModule', path: script },
      { type: 'ESModule', path: join(ROOT, 'test/support/scenario.mjs') },
      ...js(join(ROOT, 'dist/src')).map((path) => ({ type: 'ESModule' as const, path })),
      ...wasm.map((path) => ({ type: 'CompiledWasm' as const, path })),
    ],
    compatibilityDate: '2026-01-01',
  });
  try {
    return await (await mf.dispatchFetch('http://localhost/')).json();
  } finally {
    await mf.dispose();
  }
}

describe('runtime: workerd (miniflare), one thread', () => {
  it('core: zero-copy vmsplice, tee, splice from the page cache, a trace; no page leaked', async () => {
    expect(await workerd(script('workerd-worker.mjs'), [join(ROOT, 'build/core.wasm')])).toEqual({ runtime: 'workerd', shared: false, ...CORE_EXPECTED });
  }, 60_000);

  it.runIf(HAVE_WASI_CLANG)(
    'guest: a C program (wc -c) as a compiled module, blocking calls never needed',
    async () => {
      copyFileSync(wc, join(ROOT, 'build/workerd-wc.wasm'));
      const out = await workerd(script('workerd-guest.mjs'), [join(ROOT, 'build/core.wasm'), join(ROOT, 'build/workerd-wc.wasm')]);
      expect(out).toEqual({ stdout: '14\n', status: 0, leaked: 0 });
    },
    60_000,
  );
});

for (const runtime of Object.keys(RUNTIMES)) {
  describe(`runtime: ${runtime} ${RUNTIMES[runtime].version}`, () => {
    it('core: zero-copy vmsplice, tee, splice from the page cache, a trace; no page leaked', () => {
      const out = JSON.parse(run(runtime, [script('smoke.mjs')]).stdout);
      expect(out).toEqual({ runtime: kindOf(runtime), version: RUNTIMES[runtime].version, shared: true, ...CORE_EXPECTED });
    });

    it('Workers: 16 MiB through a pipe shared by two Workers, blocking on Atomics.wait', () => {
      const out = JSON.parse(run(runtime, [script('smoke-workers.mjs')]).stdout);
      expect(out).toEqual({ sent: 16 << 20, got: 16 << 20, bad: -1, leaked: 0 });
    });

    it.runIf(HAVE_WASI_CLANG)('guest: a C program (wc -c) compiled for wasm32-wasi', () => {
      const r = run(runtime, [script('smoke-guest.mjs'), wc], 'hello world\n');
      expect([r.stdout, r.status]).toEqual(['12\n', 0]);
    });
  });
}
