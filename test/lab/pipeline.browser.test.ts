// The lab's Pipelines tab in headless Chromium: the double-buffer lesson
// run with the 2006 rule (pages rewritten while referenced, the checksum
// wrong, as in most of Linux's recorded runs) and with release
// notifications (nothing rewritten, Linux's checksum); the three-program
// lesson stepped one call at a time with the reference counts of the
// producer's own pages checked at each step; the write-your-own lesson in
// the Program tab; an edited program compiled in the page; the programs
// fetched only when the tab is first shown; and the note where JSPI is
// off. Screenshots of each lesson go to lab/screenshots/.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HAVE_CHROMIUM, labSites, WatchedPage } from './chromium.js';
import { SHOTS } from './servers.js';

/** Loading the toolchain (about 100 MB) and compiling it, on a busy 2-core machine. */
const COMPILE_TIMEOUT = 240_000;

interface OwnPage {
  page: number;
  refs: number;
  rewritten: boolean;
}

class PipelinePage extends WatchedPage {
  async open(url: string): Promise<void> {
    await this.page.goto(url);
    await this.page.waitForSelector('#pipeline-panel:not([hidden])');
  }

  /** Waits until the programs have started (Step works). */
  async started(): Promise<void> {
    await this.page.waitForSelector('#pl-step:not([disabled])');
  }

  async step(): Promise<{ process: string; call: string; result: string; text: string }> {
    const n = await this.steps();
    await this.page.click('#pl-step');
    await this.page.waitForSelector(`#pl-steps-body tr[data-step="${n + 1}"]`);
    await this.page.waitForSelector('#pl-step:not([disabled]), #pipeline-panel[data-done="true"]');
    return this.page.$eval(`#pl-steps-body tr[data-step="${n + 1}"]`, (tr) => {
      const d = (tr as HTMLElement).dataset;
      return { process: d.process ?? '', call: d.call ?? '', result: d.result ?? '', text: tr.querySelector('td.call')?.textContent ?? '' };
    });
  }

  steps(): Promise<number> {
    return this.page.$$eval('#pl-steps-body tr', (trs) => trs.length);
  }

  async runToEnd(): Promise<void> {
    await this.page.click('#pl-run');
    await this.page.waitForSelector('#pipeline-panel[data-done="true"]', { timeout: 60_000 });
  }

  /** The pages of `process`'s own memory drawn in its box. */
  ownPages(process: string): Promise<OwnPage[]> {
    return this.page.$$eval(`svg .process[data-process="${process}"] .own-page`, (gs) =>
      gs.map((g) => {
        const d = (g as SVGElement).dataset;
        return { page: Number(d.page), refs: Number(d.refs), rewritten: d.rewritten === 'true' };
      }),
    );
  }

  async panel(): Promise<{ rewrittenMost: number; stdout: string; verdict: string; linux: string[] }> {
    return {
      rewrittenMost: Number(await this.page.getAttribute('#pipeline-panel', 'data-rewritten-most')),
      stdout: (await this.page.textContent('#pl-stdout')) ?? '',
      verdict: (await this.page.getAttribute('#pl-verdict', 'data-verdict')) ?? '',
      linux: await this.page.$$eval('#pl-linux li', (lis) => lis.map((li) => (li as HTMLElement).dataset.output ?? '')),
    };
  }
}

describe.runIf(HAVE_CHROMIUM)('the lab Pipelines tab in Chromium', () => {
  const sites = labSites('splicekit-pipelines-', 180_000);

  async function open(url: string): Promise<PipelinePage> {
    const page = await sites.newPage(20_000);
    const p = new PipelinePage(page);
    await p.open(url);
    return p;
  }

  it('the double buffer: the 2006 rule rewrites pages still in a pipe (wrong checksum), release notifications do not', async () => {
    const p = await open(`${sites.site.url}?pipeline=8&variant=0`);
    await p.started();
    // Step until the producer rewrites a half whose clones are still in the pipe to sum.
    while ((await p.ownPages('producer')).every((x) => !x.rewritten)) {
      expect(await p.steps()).toBeLessThan(40);
      await p.step();
    }
    const rewritten = (await p.ownPages('producer')).filter((x) => x.rewritten);
    expect(rewritten).toHaveLength(4);
    expect(rewritten.every((x) => x.refs === 1)).toBe(true);
    expect(await p.page.$$eval('svg .ring[data-ring-name="pipe tee | sum"] .slot.used.rewritten', (gs) => gs.length)).toBe(4);
    expect(await p.page.textContent('#summary')).toContain('the 2006 hazard');
    await p.page.locator('#pl-explanation summary').click();
    await p.page.screenshot({ path: join(SHOTS, '08-double-buffer.png') });
    await p.runToEnd();
    const hazard = await p.panel();
    expect(hazard.rewrittenMost).toBe(4);
    // The checksum is wrong, and the same wrong one most of Linux's recorded runs printed.
    expect(hazard.stdout).toBe('49152 6a59cf77\n');
    expect(hazard.linux).toContain('49152 6a59cf77\n');
    expect(hazard.verdict).toBe('among');

    await p.page.selectOption('#pl-variant', '1');
    await p.started();
    // Run, Pause, Step, Run: pausing stops between two steps, and stepping goes on from there.
    await p.page.click('#pl-run');
    await p.page.waitForSelector('#pl-steps-body tr[data-step="3"]');
    await p.page.click('#pl-pause');
    await p.page.waitForSelector('#pl-step:not([disabled])');
    expect(await p.page.getAttribute('#pipeline-panel', 'data-done')).toBe('false');
    const paused = await p.steps();
    await p.step();
    expect(await p.steps()).toBe(paused + 1);
    await p.runToEnd();
    const fixed = await p.panel();
    expect(fixed.rewrittenMost).toBe(0);
    expect(fixed.stdout).toBe('49152 0aa7e545\n');
    expect(fixed.linux).toEqual(['49152 0aa7e545\n']);
    expect(fixed.verdict).toBe('same');
    expect(await p.page.textContent('#summary')).toContain('the pool is whole');
    expect(p.errors).toEqual([]);
  });

  it('three programs: the reference counts of the producer’s own pages, step by step, on shared memory', async () => {
    const p = await open(`${sites.dev.url}?pipeline=9`);
    await p.started();
    // "process: call | the reference counts of the producer's own pages drawn after it".
    const seen: string[] = [];
    let shot = false;
    for (;;) {
      const s = await p.step();
      const own = await p.ownPages('producer');
      seen.push(`${s.process}: ${s.text} | ${own.map((x) => x.refs).join(' ')}`);
      if (s.process === 'producer' && s.text === 'vmsplice_notify(1, 16384 bytes) = 16384' && own.length === 4) {
        // The producer's own pages went into the pipe by reference: drawn as mapped, never as copied.
        const changes = await p.page.$$eval('svg .pool .page[data-change]', (gs) => gs.map((g) => (g as SVGElement).dataset.change));
        expect(changes).toEqual(['mapped', 'mapped', 'mapped', 'mapped']);
      }
      if (!shot && own.some((x) => x.refs === 2)) {
        await p.page.locator('#pl-explanation summary').click();
        await p.page.screenshot({ path: join(SHOTS, '09-three-programs.png') });
        shot = true;
      }
      if ((await p.page.getAttribute('#pipeline-panel', 'data-done')) === 'true') break;
    }
    expect(seen).toEqual([
      'producer: notifyfd(0) = 4 | ',
      'producer: fcntl(1, F_GETPIPE_SZ) = 16384 | ',
      // Half A: four pages of the producer's memory in the pipe to tee.
      'producer: vmsplice_notify(1, 16384 bytes) = 16384 | 1 1 1 1',
      'producer: vmsplice_notify(1, 16384 bytes) waits | 1 1 1 1',
      'tee: open("copy") = 4 | 1 1 1 1',
      // tee(2) clones the references into the pipe to sum: each page is in two pipes.
      'tee: tee(0, 1, 2147483647) = 16384 | 2 2 2 2',
      // Splicing into a file copies into its page cache: the first pipe's references drop.
      'tee: splice(0, 4, 16384) = 16384 | 1 1 1 1',
      'tee: tee(0, 1, 2147483647) waits | 1 1 1 1',
      // Half B goes in; the producer is done and exits, its pages still in pipes.
      'producer: vmsplice_notify(1, 16384 bytes) = 16384 | 1 1 1 1 1 1 1 1',
      'producer: write(2, 48 bytes) = 48 | 1 1 1 1 1 1 1 1',
      // sum reads half A: copied out, the last references to its pages dropped.
      'sum: read(0, 65536 bytes) = 16384 | 1 1 1 1',
      'sum: read(0, 65536 bytes) waits | 1 1 1 1',
      'tee: tee(0, 1, 2147483647) = 16384 | 2 2 2 2',
      'tee: splice(0, 4, 16384) = 16384 | 1 1 1 1',
      'tee: tee(0, 1, 2147483647) waits | 1 1 1 1',
      'sum: read(0, 65536 bytes) = 16384 | ',
      'sum: read(0, 65536 bytes) waits | ',
      // The producer has exited: tee sees EOF, closes its file and exits; sum sees EOF and prints.
      'tee: tee(0, 1, 2147483647) = 0 | ',
      'tee: close(4) = 0 | ',
      'sum: read(0, 65536 bytes) = 0 | ',
      'sum: write(1, 15 bytes) = 15 | ',
    ]);
    expect(await p.page.getAttribute('#memory-mode', 'data-shared')).toBe('true');
    const out = await p.panel();
    expect(out.stdout).toBe('32768 ff85811d\n');
    expect(out.verdict).toBe('same');
    expect(await p.ownPages('producer')).toEqual([]);
    expect(await p.page.textContent('#summary')).toContain('the pool is whole');
    expect(p.errors).toEqual([]);
  });

  it(
    'an edited program is compiled in the page and run in the pipeline, not compared with Linux',
    async () => {
      const p = await open(`${sites.site.url}?pipeline=9`);
      await p.started();
      await p.page.click('#pl-sources details:has(textarea[data-program="sum"]) summary');
      const source = await p.page.inputValue('textarea[data-program="sum"]');
      await p.page.fill('textarea[data-program="sum"]', source.replace('printf("%llu %08x\\n"', 'printf("total %llu %08x\\n"'));
      await p.page.click('#pl-reset');
      // The first compile loads the compiler (about 100 MB) in its Worker.
      await p.page.waitForSelector('#pl-step:not([disabled])', { timeout: COMPILE_TIMEOUT });
      await p.runToEnd();
      const out = await p.panel();
      expect(out.stdout).toBe('total 32768 ff85811d\n');
      expect(out.verdict).toBe('edited');
      expect(p.errors).toEqual([]);
    },
    COMPILE_TIMEOUT,
  );

  it('write your own: a blank program with the header and a checklist, in the Program tab', async () => {
    const p = await open(`${sites.site.url}?pipeline=8`);
    await p.page.selectOption('#pl-lesson', '10-write-your-own');
    await p.page.waitForSelector('#program-panel:not([hidden])');
    expect(await p.page.inputValue('#program')).toContain('#include "splicekit.h"');
    expect(await p.page.$$eval('#program-lesson .checklist li', (lis) => lis.length)).toBeGreaterThan(3);
    await p.page.screenshot({ path: join(SHOTS, '10-write-your-own.png') });
    // The Pipelines tab keeps showing its pipeline lesson.
    await p.page.click('#tab-pipeline');
    expect(await p.page.inputValue('#pl-lesson')).toBe('08-double-buffer');
    expect(p.errors).toEqual([]);
  });

  it('the programs are fetched when the Pipelines tab is first shown, not with the page', async () => {
    const page = await sites.newPage(20_000);
    const q = new PipelinePage(page);
    await page.goto(`${sites.site.url}?lesson=1`);
    await page.waitForSelector('#steps-body tr');
    const programs = () => q.requests.filter((u) => /(producer|tee|sum)[^/]*\.wasm$/.test(u));
    expect(programs()).toEqual([]);
    await page.click('#tab-pipeline');
    await page.waitForSelector('#pl-step:not([disabled])');
    expect(programs()).toHaveLength(3);
    expect(q.errors).toEqual([]);
  });

  it('without JSPI (?jspi=0) the lessons say they need it instead of half-working', async () => {
    const p = await open(`${sites.site.url}?pipeline=8&jspi=0`);
    expect(await p.page.getAttribute('#pl-mode', 'data-jspi')).toBe('false');
    expect(await p.page.textContent('#pl-mode')).toContain('need JSPI');
    expect(await p.page.isDisabled('#pl-step')).toBe(true);
    expect(await p.page.isDisabled('#pl-run')).toBe(true);
    // The tabs by keyboard: Trace, Program, Pipelines, round again.
    await p.page.focus('#tab-pipeline');
    await p.page.keyboard.press('ArrowRight');
    expect(await p.page.isVisible('#trace-panel')).toBe(true);
    await p.page.keyboard.press('ArrowLeft');
    expect(await p.page.isVisible('#pipeline-panel')).toBe(true);
    await p.page.keyboard.press('ArrowLeft');
    expect(await p.page.isVisible('#program-panel')).toBe(true);
    expect(p.errors).toEqual([]);
  });
});
