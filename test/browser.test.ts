// The runtime matrix in headless Chromium (Debian's, never a downloaded
// browser), cross-origin isolated: the core, pipe ends in two Web Workers
// blocking with Atomics.wait, a WASI guest in the page's thread, a
// jco-transpiled component, and pipe ends as the page's Web Streams.

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAVE_CHROMIUM, launchChromium } from './lab/chromium.js';
import { buildComponent } from './support/component.js';
import { EXAMPLES, HAVE_WASI_CLANG, INCLUDE } from './wasi/toolchain.js';
import { producerHash } from './support/producer.js';
import { CORE_EXPECTED } from './support/scenario.mjs';

/** What test/browser/main.ts puts on the page's globalThis (page.evaluate runs there). */
interface PageGlobals {
  splicekitChecks: Record<string, (...a: unknown[]) => unknown>;
}

const ROOT = join(import.meta.dirname, '..');

const ISOLATED = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

describe.runIf(HAVE_CHROMIUM)('runtime: Chromium', () => {
  let server: ViteDevServer;
  /** The same page served without COOP/COEP: no SharedArrayBuffer, no Workers sharing memory. */
  let plainServer: ViteDevServer;
  let unisolated = '';
  let browser: Browser;
  let page: Page;
  // Generated files (the component) live under the served root, out of git.
  const gen = join(ROOT, 'test', 'browser', 'gen');

  beforeAll(async () => {
    rmSync(gen, { recursive: true, force: true });
    mkdirSync(gen, { recursive: true });
    await buildComponent(gen);
    if (HAVE_WASI_CLANG) {
      const path = (process.env.PATH ?? '')
        .split(':')
        .filter((d) => !d.includes('node_modules'))
        .join(':');
      for (const name of ['wc', 'producer', 'tee', 'sum']) {
        execFileSync('clang', ['--target=wasm32-wasi', '-O2', `-I${INCLUDE}`, join(EXAMPLES, `${name}.c`), '-o', join(gen, `${name}.wasm`)], {
          env: { ...process.env, PATH: path },
        });
      }
    }
    server = await createServer({
      configFile: false,
      root: join(ROOT, 'test', 'browser'),
      logLevel: 'error',
      server: { host: '127.0.0.1', port: 0, hmr: false, watch: null, headers: ISOLATED, fs: { allow: [ROOT] } },
    });
    await server.listen();
    plainServer = await createServer({
      configFile: false,
      root: join(ROOT, 'test', 'browser'),
      logLevel: 'error',
      server: { host: '127.0.0.1', port: 0, hmr: false, watch: null, fs: { allow: [ROOT] } },
    });
    await plainServer.listen();
    unisolated = `http://127.0.0.1:${(plainServer.httpServer!.address() as AddressInfo).port}/`;
    browser = await launchChromium();
    page = await browser.newPage();
    const { port } = server.httpServer!.address() as AddressInfo;
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => 'splicekitChecks' in globalThis, undefined, { timeout: 60_000 });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await plainServer?.close();
    rmSync(gen, { recursive: true, force: true });
  });

  /** A compiled guest's bytes, as page.evaluate can pass them. */
  const wasm = (name: string) => [...readFileSync(join(gen, `${name}.wasm`))];

  const call = (name: string, ...args: unknown[]) =>
    page.evaluate(([n, a]) => (globalThis as unknown as PageGlobals).splicekitChecks[n as string](...(a as unknown[])), [name, args] as const);

  it('core: on a shared memory, zero-copy vmsplice and tee; no page leaked', async () => {
    expect(await call('core')).toEqual({ shared: true, ...CORE_EXPECTED });
  });

  it('Workers: 16 MiB through a pipe shared by two Web Workers, blocking on Atomics.wait', async () => {
    expect(await call('workers', 16 << 20)).toEqual({ sent: 16 << 20, got: 16 << 20, bad: -1, leaked: 0 });
  }, 60_000);

  it.runIf(HAVE_WASI_CLANG)(
    'guest: a C program (wc -c) compiled for wasm32-wasi, in the page',
    async () => {
      expect(await call('guest', wasm('wc'), 'hello browser\n')).toEqual({ stdout: '14\n', status: 0, leaked: 0 });
    },
    60_000,
  );

  it.runIf(HAVE_WASI_CLANG)(
    'one thread, no Workers, no shared memory: producer | tee | sum suspended by JSPI',
    async () => {
      const plain = await browser.newPage();
      try {
        await plain.goto(unisolated);
        await plain.waitForFunction(() => 'splicekitChecks' in globalThis, undefined, { timeout: 60_000 });
        const total = 4 << 20;
        const r = await plain.evaluate(([p, t, s, n]) => (globalThis as unknown as PageGlobals).splicekitChecks.pipelineOneThread(p, t, s, n), [
          wasm('producer'),
          wasm('tee'),
          wasm('sum'),
          total,
        ] as const);
        expect(r).toEqual({ jspi: true, shared: false, out: `${total} ${producerHash(total)}`, status: [0, 0, 0], leaked: 0 });
      } finally {
        await plain.close();
      }
    },
    120_000,
  );

  it.runIf(HAVE_WASI_CLANG)(
    'spawnWeb: producer | tee | sum, each guest in its own Web Worker',
    async () => {
      const total = 8 << 20;
      const r = await page.evaluate(([p, t, s, n]) => (globalThis as unknown as PageGlobals).splicekitChecks.pipelineWorkers(p, t, s, n), [
        wasm('producer'),
        wasm('tee'),
        wasm('sum'),
        total,
      ] as const);
      expect(r).toEqual({ out: `${total} ${producerHash(total)}`, status: [0, 0, 0], leaked: 0 });
    },
    120_000,
  );

  it("streams: readableOf and writableOf with the page's Response, pipeTo, CompressionStream and a BYOB reader", async () => {
    expect(await call('streams', 'pipes in the page\n'.repeat(20000))).toEqual({ same: true, byob: 'byo', leaked: 0 });
  }, 60_000);

  it('component: the jco-transpiled guest against witSyscalls', async () => {
    expect(await call('component', '/gen/')).toEqual({ status: 0, leaked: 0 });
  }, 60_000);
});
