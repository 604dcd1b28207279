// Debian's headless Chromium for the lab's browser tests (never a downloaded
// browser), with the flags that keep it quiet and sandbox-free in CI.

import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { type Running, SHOTS, startDevServer, startStaticSite } from './servers.js';

export const CHROMIUM = '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}

/** A page, its script and console errors, and the URLs it requested, for the tests to check. */
export class WatchedPage {
  readonly errors: string[] = [];
  readonly requests: string[] = [];
  constructor(readonly page: Page) {
    page.on('request', (r) => this.requests.push(r.url()));
    page.on('pageerror', (e) => this.errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') this.errors.push(m.text());
    });
  }
}

/** The lab served both ways, and Chromium, for one describe block. */
export interface LabSites {
  /** The dev server: cross-origin isolated, shared memory. */
  readonly dev: Running;
  /** The built static site: not isolated, one thread. */
  readonly site: Running;
  /** A new page (1400 × 1000, reduced motion), closed after the test. */
  newPage(timeout: number): Promise<Page>;
}

/** Starts the dev server, the static site (built into a temporary `prefix` directory) and Chromium before the block's tests, and stops them after. */
export function labSites(prefix: string, startTimeout = 120_000): LabSites {
  let browser: Browser | undefined;
  let outDir: string | undefined;
  const pages: Page[] = [];
  const sites = {} as { dev: Running; site: Running };
  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), prefix));
    mkdirSync(SHOTS, { recursive: true });
    [sites.dev, sites.site, browser] = await Promise.all([startDevServer(), startStaticSite(outDir), launchChromium()]);
  }, startTimeout);
  afterEach(async () => {
    await Promise.all(pages.splice(0).map((p) => p.close()));
  });
  afterAll(async () => {
    await browser?.close();
    await Promise.all([sites.dev?.close(), sites.site?.close()]);
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });
  return {
    get dev() {
      return sites.dev;
    },
    get site() {
      return sites.site;
    },
    async newPage(timeout) {
      const page = await browser!.newPage({ viewport: { width: 1400, height: 1000 }, reducedMotion: 'reduce' });
      pages.push(page);
      page.setDefaultTimeout(timeout);
      return page;
    },
  };
}
