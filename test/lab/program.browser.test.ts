// The lab's Program tab in headless Chromium: lab/programs/pipes.c compiled
// in the page (clang on WebAssembly, in a Worker) and run, on the built
// static site without cross-origin isolation (one thread: JSPI, and the
// non-blocking fallback) and on the dev server (shared memory); a program
// with an error shows it at its line. Screenshots go to lab/screenshots/.
// Compile times are printed: the first includes loading the toolchain.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HAVE_CHROMIUM, labSites, WatchedPage } from './chromium.js';
import { SHOTS } from './servers.js';

/** Loading the toolchain (about 100 MB) and compiling it, on a busy 2-core machine. */
const COMPILE_TIMEOUT = 240_000;

/** What pipes.c prints (the same natively on Linux). */
const PIPES_OUT = `vmsplice: 23 bytes of my page into pipe a
tee:      23 bytes, pipes a and b share the page
splice:   23 bytes moved from pipe b to pipe c
write:    7 bytes copied into pipe b
pipe c holds 23 bytes: hello from my own page
`;

/** A foreign page: one of the program's own memory (LAYOUT.FOREIGN). */
const isForeign = (page: number) => page >= 2 ** 31;

interface Slot {
  page: number;
  len: number;
}

class ProgramPage extends WatchedPage {
  async open(url: string): Promise<void> {
    await this.page.goto(url);
    await this.page.waitForSelector('#program-panel:not([hidden])');
  }

  /** Compiles what the editor holds; returns the compile's time in ms (as the page measured it). */
  async compile(): Promise<number> {
    await this.page.click('#compile');
    await this.page.waitForSelector('#compile-status:is([data-state="ok"], [data-state="failed"])', { timeout: COMPILE_TIMEOUT });
    return Number(await this.page.getAttribute('#compile-status', 'data-ms'));
  }

  async run(): Promise<void> {
    await this.page.click('#run-program');
    await this.page.waitForSelector('#program-output:not([hidden])');
  }

  text = async (selector: string) => (await this.page.textContent(selector)) ?? '';

  slots(ring: string): Promise<Slot[]> {
    return this.page.$$eval(`svg .ring[data-ring-name="${ring}"] .slot.used`, (gs) =>
      gs.map((g) => ({ page: Number((g as SVGElement).dataset.page), len: Number((g as SVGElement).dataset.len) })),
    );
  }

  async setProgram(text: string): Promise<void> {
    await this.page.fill('#program', text);
  }
}

describe.runIf(HAVE_CHROMIUM)('the lab runs C programs compiled in the page', () => {
  const sites = labSites('splicekit-lab-program-');

  async function open(url: string): Promise<ProgramPage> {
    const page = await sites.newPage(20_000);
    const p = new ProgramPage(page);
    await p.open(url);
    return p;
  }

  /** pipes.c's state at exit: its page in pipe a (fds 4, 5), copied bytes in pipe b, pipe c empty; the pool whole after. */
  async function expectPipesRun(p: ProgramPage): Promise<void> {
    expect(await p.text('#program-stdout')).toBe(PIPES_OUT);
    expect(await p.page.isHidden('#program-stderr')).toBe(true);
    expect(await p.text('#compile-status')).toContain('status 0');
    const [a] = await p.slots('pipe fd4, fd5');
    expect(a).toMatchObject({ len: 23 });
    expect(isForeign(a!.page)).toBe(true);
    const [b] = await p.slots('pipe fd6, fd7');
    expect(b).toMatchObject({ len: 7 });
    expect(isForeign(b!.page)).toBe(false);
    expect(await p.slots('pipe fd8, fd9')).toEqual([]);
    const mapped = await p.page.$eval(`svg .pool .page[data-page="${a!.page}"]`, (g) => (g as SVGElement).dataset.holders);
    expect(mapped).toBe("pipe fd4, fd5 slot 0|the program's memory");
    expect(await p.page.getAttribute('#drawing', 'data-pool-after')).toBe('0');
    expect(await p.text('#summary')).toContain('the pool is whole');
  }

  it(
    'static site, not cross-origin isolated: compiles pipes.c and runs it in one thread with JSPI; errors at their line',
    async () => {
      const p = await open(`${sites.site.url}index.html?program`);
      expect(await p.page.evaluate(() => crossOriginIsolated)).toBe(false);
      // The lab's first load fetches nothing of the compiler: its Worker starts on the first Compile.
      expect(p.requests.filter((u) => /llvm|compiler-worker/.test(u))).toEqual([]);
      expect(await p.page.getAttribute('#program-mode', 'data-mode')).toBe('jspi');
      expect(await p.text('#program-mode')).toContain('unshared memory');
      expect(await p.text('#program-mode')).toContain('JSPI');
      const first = await p.compile();
      expect(await p.page.getAttribute('#compile-status', 'data-state')).toBe('ok');
      await p.run();
      await expectPipesRun(p);
      await p.page.screenshot({ path: join(SHOTS, 'program-run.png') });
      const again = await p.compile();
      console.log(`pipes.c in Chromium: first compile ${first} ms (the toolchain's loading included), next ${again} ms`);

      const source = await p.page.inputValue('#program');
      await p.setProgram(source.replace('  int queued = 0;', '  int queued = 0\n  undeclared();'));
      const line = source.split('\n').indexOf('  int queued = 0;') + 1;
      await p.compile();
      expect(await p.page.getAttribute('#compile-status', 'data-state')).toBe('failed');
      const messages = await p.page.$$eval('#diagnostics li', (lis) => lis.map((li) => ({ line: (li as HTMLElement).dataset.line, text: li.textContent })));
      expect(messages[0]).toEqual({ line: String(line), text: expect.stringMatching(new RegExp(`^line ${line}:\\d+ error: expected ';'`)) });
      expect(await p.page.textContent('#c-editor .gutter .ln.error')).toBe(String(line));
      expect(await p.page.isDisabled('#run-program')).toBe(true);
      await p.page.screenshot({ path: join(SHOTS, 'program-compile-error.png') });
      expect(p.errors).toEqual([]);
    },
    2 * COMPILE_TIMEOUT,
  );

  it(
    'static site with ?jspi=0: the non-blocking fallback runs pipes.c too, and says so',
    async () => {
      const p = await open(`${sites.site.url}index.html?program&jspi=0`);
      expect(await p.page.getAttribute('#program-mode', 'data-mode')).toBe('fallback');
      expect(await p.text('#program-mode')).toContain('fails with EAGAIN');
      // The tabs by keyboard: arrow keys move between Trace and Program.
      await p.page.focus('#tab-program');
      await p.page.keyboard.press('ArrowLeft');
      expect(await p.page.isVisible('#trace-panel')).toBe(true);
      expect(await p.page.isHidden('#program-panel')).toBe(true);
      await p.page.keyboard.press('ArrowRight');
      expect(await p.page.isVisible('#program-panel')).toBe(true);
      expect(await p.page.evaluate(() => document.activeElement?.id)).toBe('tab-program');
      await p.compile();
      await p.run();
      await expectPipesRun(p);
      expect(p.errors).toEqual([]);
    },
    COMPILE_TIMEOUT,
  );

  it(
    'dev server, cross-origin isolated: pipes.c runs on a shared memory',
    async () => {
      const p = await open(`${sites.dev.url}?program`);
      expect(await p.page.getAttribute('#program-mode', 'data-shared')).toBe('true');
      expect(await p.text('#program-mode')).toContain('shared memory (SharedArrayBuffer');
      await p.compile();
      await p.run();
      await expectPipesRun(p);
      expect(p.errors).toEqual([]);
    },
    COMPILE_TIMEOUT,
  );
});
