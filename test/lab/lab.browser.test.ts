// The lab end to end in headless Chromium (Debian's /usr/bin/chromium, never
// a downloaded browser): every lesson stepped through, what the drawing shows
// checked, output compared with Linux's, back and jump, keyboard use, syntax
// errors, and both memory modes (dev server with COOP/COEP, built static site
// without). Screenshots of each lesson go to lab/screenshots/ for review.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseExpected } from '../../src/lab/compare.js';
import { LabPage } from './labpage.js';
import { lesson } from './lessons.js';
import { HAVE_CHROMIUM, labSites } from './chromium.js';
import { SHOTS } from './servers.js';

describe.runIf(HAVE_CHROMIUM)('the teaching lab in Chromium', () => {
  const sites = labSites('splicekit-lab-');

  /** A page that fails the test on any script error; reduced motion for steady screenshots. */
  async function open(base: string, query: string): Promise<LabPage> {
    const page = await sites.newPage(10_000);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    const lab = new LabPage(page);
    await lab.open(`${base}${query}`);
    (lab as LabPage & { errors: string[] }).errors = errors;
    return lab;
  }

  const noErrors = (lab: LabPage) => expect((lab as LabPage & { errors: string[] }).errors).toEqual([]);
  /** The first screenful (drawing, editor, summary), or one element: small files for review. */
  const shot = async (lab: LabPage, name: string, selector?: string) => {
    const path = join(SHOTS, `${name}.png`);
    if (selector) return lab.page.locator(selector).screenshot({ path });
    await lab.page.evaluate(() => window.scrollTo(0, 0));
    return lab.page.screenshot({ path });
  };

  /** Runs to the end and checks every row against Linux's recording. */
  async function finishAndCompare(lab: LabPage, n: number): Promise<void> {
    const l = lesson(n);
    if (await lab.page.isEnabled('#run')) await lab.page.click('#run');
    const rows = await lab.rows();
    const linux = parseExpected(l.expected);
    expect(rows.map((r) => `${r.line}: ${r.emu}`)).toEqual([...linux].map(([line, out]) => `${line}: ${out}`));
    expect(rows.every((r) => r.verdict === 'same')).toBe(true);
  }

  it('serves the lab cross-origin isolated, on shared memory', async () => {
    const response = await fetch(sites.dev.url);
    expect(response.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(response.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    const lab = await open(sites.dev.url, '?lesson=1');
    expect(await lab.page.evaluate(() => crossOriginIsolated)).toBe(true);
    expect(await lab.page.getAttribute('#memory-mode', 'data-shared')).toBe('true');
    noErrors(lab);
  });

  it('lesson 1: the page-cache page travels into the pipe by reference', async () => {
    const lab = await open(sites.dev.url, '?lesson=1');
    await lab.stepTo(2);
    const [written] = await lab.pages();
    expect(written).toMatchObject({ refs: 1, change: 'copied', direction: 'in', holders: ['file src.txt page 0'] });
    await lab.stepTo(4);
    const [slot] = await lab.slots('pipe p');
    expect(slot).toMatchObject({ pos: 0, page: written!.page, len: 25, flags: 0, change: 'cloned', isNew: true });
    expect(await lab.pageNumbered(written!.page)).toMatchObject({ refs: 2, change: 'cloned', holders: ['pipe p slot 0', 'file src.txt page 0'] });
    expect(await lab.summary()).toContain('no bytes copied');
    await shot(lab, '01-splice-file-to-file');
    await lab.stepTo(6);
    expect(await lab.pageNumbered(written!.page)).toMatchObject({ refs: 2, change: 'copied' });
    await finishAndCompare(lab, 1);
    noErrors(lab);
  });

  it('lesson 2: tee makes two pipes share one page, splice moves it', async () => {
    const lab = await open(sites.dev.url, '?lesson=2');
    await lab.stepTo(4);
    const [a] = await lab.slots('pipe a');
    const [b] = await lab.slots('pipe b');
    expect(b).toMatchObject({ page: a!.page, len: 19, change: 'cloned', isNew: true });
    expect(a!.flags & 0x10).toBe(0x10);
    expect(b!.flags & 0x10).toBe(0);
    expect(await lab.pageNumbered(a!.page)).toMatchObject({ refs: 2, change: 'cloned' });
    await shot(lab, '02-tee');
    await lab.stepTo(5);
    expect(await lab.slots('pipe b')).toEqual([]);
    expect(await lab.pageNumbered(a!.page)).toMatchObject({ refs: 1 });
    await lab.stepTo(7);
    expect(await lab.slots('pipe a')).toEqual([]);
    expect(await lab.slots('pipe c')).toMatchObject([{ page: a!.page, change: 'moved', isNew: true }]);
    expect(await lab.pageNumbered(a!.page)).toMatchObject({ refs: 1, change: 'moved' });
    await lab.stepTo(8);
    expect(await lab.page.locator('svg .pool .page.freed').count()).toBe(1);
    await finishAndCompare(lab, 2);
    noErrors(lab);
  });

  it('lesson 3: vmsplice maps the buffer; refilling too early changes what is read', async () => {
    const lab = await open(sites.dev.url, '?lesson=3');
    await lab.stepTo(6);
    const slots = await lab.slots('pipe p');
    expect(await lab.ring('pipe p')).toEqual({ used: 2, maxUsage: 2 });
    expect(slots.map((s) => [s.len, s.change])).toEqual([
      [6, 'mapped'],
      [6, 'mapped'],
    ]);
    for (const s of slots) expect((await lab.pageNumbered(s.page))?.holders).toEqual([`pipe p slot ${s.pos}`, `buffer b page ${s.pos}`]);
    expect(await lab.page.locator('svg .bufpage.changed.mapped').count()).toBe(2);
    await lab.stepTo(9);
    expect((await lab.rows())[8]!.emu).toBe('-EAGAIN');
    await lab.stepTo(16);
    const hazard = await lab.slots('pipe p');
    expect(hazard[0]).toMatchObject({ change: 'copied', isNew: false });
    expect(await lab.summary()).toContain('its reader will see the new bytes');
    await shot(lab, '03-vmsplice-double-buffering');
    await finishAndCompare(lab, 3);
    expect((await lab.rows()).at(-1)!.emu).toBe('12 "OOPS!!A1 3rd"');
    noErrors(lab);
  });

  it('lesson 4: sixteen 1-byte writes share a slot, sixteen 1-byte vmsplices fill the pipe', async () => {
    const lab = await open(sites.dev.url, '?lesson=4');
    await lab.stepTo(18);
    expect(await lab.slots('pipe p')).toMatchObject([{ len: 16, flags: 0x10 }]);
    await lab.stepTo(38);
    const slots = await lab.slots('pipe p');
    expect(slots).toHaveLength(16);
    expect(new Set(slots.map((s) => s.page)).size).toBe(1);
    expect(slots.every((s) => s.len === 1 && s.flags === 0)).toBe(true);
    expect(await lab.pageNumbered(slots[0]!.page)).toMatchObject({ refs: 17 });
    await shot(lab, '04-pipe-size');
    await lab.stepTo(43);
    expect(await lab.ring('pipe p')).toEqual({ used: 16, maxUsage: 32 });
    await finishAndCompare(lab, 4);
    noErrors(lab);
  });

  it('lesson 5: packet pipes keep one write per slot', async () => {
    const lab = await open(sites.dev.url, '?lesson=5');
    await lab.stepTo(3);
    expect((await lab.slots('pipe p')).map((s) => [s.len, s.flags])).toEqual([
      [12, 0x08],
      [6, 0x08],
    ]);
    await shot(lab, '05-packet-pipes');
    await lab.stepTo(9);
    expect((await lab.slots('pipe q')).map((s) => [s.len, s.flags])).toEqual([[18, 0x10]]);
    await finishAndCompare(lab, 5);
    noErrors(lab);
  });

  it('lesson 6: fixed kernel, then 5.16 mode overwrites the read-only file', async () => {
    const lab = await open(sites.dev.url, '?lesson=6');
    await finishAndCompare(lab, 6);
    expect(await lab.page.isVisible('#dirty-note')).toBe(false);
    await lab.page.click('#dirty');
    expect(await lab.position()).toBe(13);
    expect(await lab.page.isVisible('#dirty-note')).toBe(true);
    const rows = await lab.rows();
    expect(rows.filter((r) => r.verdict !== 'same').map((r) => [r.line, r.verdict, r.emu])).toEqual([[17, 'expected-difference', '15 "rHACKED0:0:root"']]);
    expect(rows.some((r) => r.verdict === 'differs')).toBe(false);
    await shot(lab, '06-dirty-pipe-linux-differs', '#output');
    await lab.page.click('#steps-body tr[data-step="10"] button');
    expect(await lab.position()).toBe(10);
    const filePage = await lab.page.getAttribute('svg .filepage', 'data-page');
    expect(await lab.pageNumbered(Number(filePage))).toMatchObject({ change: 'copied', direction: 'in', refs: 2 });
    expect(await lab.summary()).toContain('changed file secret.txt');
    await shot(lab, '06-dirty-pipe');
    noErrors(lab);
  });

  it('lesson 7: the 2006 rule breaks behind a second pipe; notifications and ACKs say when a page is free', async () => {
    const lab = await open(sites.dev.url, '?lesson=7');
    const { page } = lab;
    const row = async (line: number) => (await lab.rows()).find((r) => r.line === line)!;
    expect(await page.isVisible('#ext-note')).toBe(true);
    // Part 1 is plain Linux, and Linux's recording agrees: the reader of q sees the refilled bytes.
    await lab.stepToLine(25);
    const linux = parseExpected(lesson(7).expected);
    const rows = await lab.rows();
    for (const [line, out] of linux)
      expect(
        rows.find((r) => r.line === line),
        `line ${line}`,
      ).toMatchObject({ emu: out, linux: out, verdict: 'same' });
    expect(await row(24)).toMatchObject({ emu: '8 "A: msg 5"', verdict: 'same' });
    expect(await row(28)).toMatchObject({ linux: 'not a Linux call', verdict: 'extension' });
    // Part 2: the notification waits for q's reader.
    await lab.stepToLine(34);
    expect(await row(34)).toMatchObject({ emu: 'no', linux: 'not a Linux call', verdict: 'extension' });
    expect(await row(31)).toMatchObject({ emu: '8', linux: 'not recorded', verdict: 'none' });
    const waiting = await lab.notices();
    expect(waiting.map((n) => [n.notify, n.id, n.released])).toEqual([
      ['n', 0, false],
      ['n', 1, false],
    ]);
    expect(waiting[0]!.text).toMatch(/waiting: page \d+ is still in pipe q slot 1/);
    expect(await lab.summary()).toContain('Id 0 is not released yet');
    await lab.stepToLine(36);
    expect((await row(36)).emu).toBe('yes');
    expect((await lab.notices())[0]).toMatchObject({ id: 0, released: true });
    expect(await page.getAttribute('svg .notify-head', 'data-pending')).toBe('true');
    // Part 3: the peer has read, but the page waits in s.a's unacked ring for the ACK.
    await lab.stepToLine(49);
    const [held] = await lab.slots('s.a unacked');
    expect(held).toMatchObject({ len: 8 });
    expect(await lab.pageNumbered(held!.page)).toMatchObject({ refs: 2, holders: ['s.a unacked slot 0', 'buffer b page 0'] });
    await lab.stepToLine(52);
    expect([(await row(50)).emu, (await row(51)).emu, (await row(52)).emu]).toEqual(['no', '0', 'no']);
    expect(await page.getAttribute('svg .notify', 'data-clock')).toBe('5');
    expect(await lab.pageNumbered(held!.page)).toMatchObject({ refs: 2 });
    expect((await lab.notices()).at(-1)).toMatchObject({ id: 2, released: false });
    expect((await lab.notices()).at(-1)!.text).toContain('s.a unacked slot 0');
    // The explanation folded, so the screenshot shows the trace and the output with its "ext" rows.
    await page.click('#explanation summary');
    await shot(lab, '07-when-is-my-page-free');
    await page.click('#explanation summary');
    await lab.stepToLine(53);
    expect(await page.getAttribute('svg .notify', 'data-clock')).toBe('10');
    expect(await lab.pageNumbered(held!.page)).toMatchObject({ refs: 1, change: 'dropped', holders: ['buffer b page 0'] });
    expect(await lab.slots('s.a unacked')).toEqual([]);
    expect((await lab.notices()).at(-1)).toMatchObject({ id: 2, released: true });
    expect(await lab.summary()).toContain('id 2 (line 47) is released');
    await lab.stepToLine(54);
    expect((await row(54)).emu).toBe('yes');
    expect(await page.locator('#tables table').count()).toBe(4);
    noErrors(lab);
  });

  it('steps back, jumps to an earlier step, and is usable from the keyboard', async () => {
    const lab = await open(sites.dev.url, '?lesson=2');
    const { page } = lab;
    await page.focus('#step');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    expect(await lab.position()).toBe(2);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('run');
    await page.keyboard.press('Alt+S');
    await page.keyboard.press('Alt+S');
    expect(await lab.position()).toBe(4);
    await page.keyboard.press('Alt+B');
    expect(await lab.position()).toBe(3);
    expect(await lab.slots('pipe b')).toEqual([]);
    await page.keyboard.press('Alt+S');
    expect(await lab.slots('pipe b')).toMatchObject([{ change: 'cloned', len: 19 }]);
    await page.keyboard.press('Alt+R');
    expect(await lab.position()).toBe(8);
    expect(await page.isDisabled('#step')).toBe(true);
    // Jump back by clicking an earlier step; focus stays on that step's button.
    await page.click('#steps-body tr[data-step="4"] button');
    expect(await lab.position()).toBe(4);
    expect(await page.evaluate(() => document.activeElement?.closest('tr')?.dataset.step)).toBe('4');
    expect(await page.getAttribute('#steps-body tr[data-step="4"]', 'aria-current')).toBe('step');
    expect(await page.getAttribute('.gutter .ln.current', 'class')).toContain('current');
    expect(await page.textContent('.gutter .ln.current')).toBe('6');
    await page.keyboard.press('Alt+X');
    expect(await lab.position()).toBe(0);
    expect(await page.locator('svg .ring').count()).toBe(0);
    noErrors(lab);
  });

  it('has text alternatives for the drawing', async () => {
    const lab = await open(sites.dev.url, '?lesson=2');
    await lab.stepTo(4);
    const { page } = lab;
    expect(await page.getAttribute('#summary', 'aria-live')).toBe('polite');
    expect(await page.textContent('svg.state > title')).toContain('after step 4');
    expect(await page.getAttribute('svg .ring[data-ring-name="pipe b"] .slot.used', 'aria-label')).toMatch(/^pipe b slot 0: page \d+, offset 0, length 19/);
    const tables = page.locator('#tables table');
    expect(await tables.count()).toBe(3);
    expect(await page.locator('#tables').evaluate((e) => e.getBoundingClientRect().width)).toBeLessThanOrEqual(1);
    const pageRows = await page.$$eval('#tables table:nth-of-type(3) tbody tr', (trs) => trs.map((tr) => tr.textContent));
    expect(pageRows.some((r) => r?.includes('pipe a slot 0; pipe b slot 0') && r.includes('cloned'))).toBe(true);
    expect(await page.getAttribute('#step', 'aria-keyshortcuts')).toBe('Alt+S');
    noErrors(lab);
  });

  it('shows a syntax error at its line and recovers when it is fixed', async () => {
    const lab = await open(sites.dev.url, '?lesson=1');
    const { page } = lab;
    await page.fill('#trace', 'pipe p\nwrite p.w "ok"\nfrobnicate p.w 3\nread p.r 10\n');
    await page.waitForSelector('#error:not([hidden])');
    expect(await page.textContent('#error')).toBe("trace:3: unknown operation 'frobnicate'");
    expect(await page.textContent('.gutter .ln.error')).toBe('3');
    expect(await page.textContent('.backdrop .bar.error')).toContain("unknown operation 'frobnicate'");
    expect(await page.getAttribute('#trace', 'aria-invalid')).toBe('true');
    expect(await page.isDisabled('#step')).toBe(true);
    expect(await page.isVisible('h1')).toBe(true);
    expect(await page.textContent('#drawing')).toContain('Fix the trace');
    expect(await page.isVisible('#steps')).toBe(false);
    await shot(lab, 'syntax-error');
    await page.fill('#trace', 'pipe p\nwrite p.w "ok"\nread p.r 10\n');
    await page.waitForSelector('#error[hidden]', { state: 'attached' });
    await page.click('#run');
    expect((await lab.rows()).map((r) => r.emu)).toEqual(['0', '2', '2 "ok"']);
    expect(await page.isVisible('#linux-note')).toBe(true);
    noErrors(lab);
  });

  it('the built static site works from a sub-directory without COOP/COEP, on unshared memory', async () => {
    const response = await fetch(sites.site.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('cross-origin-opener-policy')).toBeNull();
    const lab = await open(sites.site.url, 'index.html?lesson=2');
    expect(await lab.page.evaluate(() => crossOriginIsolated)).toBe(false);
    expect(await lab.page.getAttribute('#memory-mode', 'data-shared')).toBe('false');
    await lab.stepTo(4);
    const [a] = await lab.slots('pipe a');
    expect(await lab.pageNumbered(a!.page)).toMatchObject({ refs: 2, change: 'cloned' });
    await finishAndCompare(lab, 2);
    noErrors(lab);
  });
});
