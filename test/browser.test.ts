// The runtime matrix in headless Chromium (Debian's, never a downloaded
// browser), cross-origin isolated: the core, pipe ends in two Web Workers
// blocking with Atomics.wait, a WASI guest in the page's thread, and a
// jco-transpiled component.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildComponent } from './support/component.js';
import { EXAMPLES, HAVE_WASI_CLANG, INCLUDE } from './wasi/toolchain.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const ROOT = join(import.meta.dirname, '..');
const ISOLATED = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

describe.runIf(existsSync(CHROMIUM))('runtime: Chromium', () => {
  let server: ViteDevServer;
  let browser: Browser;
  let page: Page;
  // Generated files (the component) live under the served root, out of git.
  const gen = join(ROOT, 'test', 'browser', 'gen');

  beforeAll(async () => {
    rmSync(gen, { recursive: true, force: true });
    mkdirSync(gen, { recursive: true });
    await buildComponent(gen);
    server = await createServer({
      configFile: false, root: join(ROOT, 'test', 'browser'), logLevel: 'error',
      server: { host: '127.0.0.1', port: 0, hmr: false, watch: null, headers: ISOLATED, fs: { allow: [ROOT] } },
    });
    await server.listen();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    page = await browser.newPage();
    const { port } = server.httpServer!.address() as AddressInfo;
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => 'splicekitChecks' in globalThis, undefined, { timeout: 60_000 });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    rmSync(gen, { recursive: true, force: true });
  });

  const call = (name: string, ...args: unknown[]) =>
    page.evaluate(([n, a]) => (globalThis as any).splicekitChecks[n as string](...(a as unknown[])), [name, args] as const);

  it('core: on a shared memory, zero-copy vmsplice and tee; no page leaked', async () => {
    expect(await call('core')).toEqual({ shared: true, vmsplice: 'AFTER!', tee: 'AFTER!', splice: 10, leaked: 0 });
  });

  it('Workers: 16 MiB through a pipe shared by two Web Workers, blocking on Atomics.wait', async () => {
    expect(await call('workers', 16 << 20)).toEqual({ sent: 16 << 20, got: 16 << 20, bad: -1, leaked: 0 });
  }, 60_000);

  it.runIf(HAVE_WASI_CLANG)('guest: a C program (wc -c) compiled for wasm32-wasi, in the page', async () => {
    const wasm = join(gen, 'wc.wasm');
    const path = (process.env.PATH ?? '').split(':').filter((d) => !d.includes('node_modules')).join(':');
    execFileSync('clang', ['--target=wasm32-wasi', '-O2', `-I${INCLUDE}`, join(EXAMPLES, 'wc.c'), '-o', wasm], { env: { ...process.env, PATH: path } });
    expect(await call('guest', [...readFileSync(wasm)], 'hello browser\n')).toEqual({ stdout: '14\n', status: 0, leaked: 0 });
  }, 60_000);

  it('component: the jco-transpiled guest against witSyscalls', async () => {
    expect(await call('component', '/gen/')).toEqual({ status: 0, leaked: 0 });
  }, 60_000);
});
