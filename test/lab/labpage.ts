// Reads and drives the lab page the way the tests need: buttons, the output
// table, and what the SVG drawing shows (through its data-* attributes).

import type { Page } from 'playwright-core';

export interface SlotSeen {
  pos: number;
  page: number;
  len: number;
  flags: number;
  change?: string;
  isNew: boolean;
}
export interface PageSeen {
  page: number;
  refs: number;
  change?: string;
  direction?: string;
  holders: string[];
}
export interface RowSeen {
  step: number;
  line: number;
  emu: string;
  linux: string;
  verdict: string;
}
export interface NoticeSeen {
  notify: string;
  id: number;
  released: boolean;
  text: string;
}

export class LabPage {
  constructor(readonly page: Page) {}

  async open(url: string): Promise<void> {
    await this.page.goto(url);
    await this.page.waitForSelector('#memory-mode[data-shared]');
    await this.page.waitForSelector('#steps-body tr');
  }

  async position(): Promise<number> {
    const text = (await this.page.textContent('#position')) ?? '';
    return Number(/step (\d+)/.exec(text)?.[1] ?? NaN);
  }

  async stepTo(n: number): Promise<void> {
    while ((await this.position()) < n) await this.page.click('#step');
  }

  async rows(): Promise<RowSeen[]> {
    return this.page.$$eval('#steps-body tr', (trs) =>
      trs.map((tr) => ({
        step: Number((tr as HTMLElement).dataset.step),
        line: Number((tr as HTMLElement).dataset.line),
        emu: tr.querySelector('td.emu')?.textContent ?? '',
        linux: tr.querySelector('td.linux')?.textContent ?? '',
        verdict: (tr as HTMLElement).dataset.verdict ?? '',
      })),
    );
  }

  /** Slots in use of the ring drawn under `name` (e.g. "pipe p"). */
  async slots(name: string): Promise<SlotSeen[]> {
    return this.page.$$eval(`svg .ring[data-ring-name="${name}"] .slot.used`, (gs) =>
      gs.map((g) => {
        const d = (g as SVGElement).dataset;
        return { pos: Number(d.pos), page: Number(d.page), len: Number(d.len), flags: Number(d.flags), change: d.change, isNew: d.new === 'true' };
      }),
    );
  }

  async ring(name: string): Promise<{ used: number; maxUsage: number } | undefined> {
    return this.page.$$eval(
      `svg .ring[data-ring-name="${name}"]`,
      (gs) =>
        gs.map((g) => {
          const d = (g as SVGElement).dataset;
          return { used: Number(d.slotsUsed), maxUsage: Number(d.maxUsage) };
        })[0],
    );
  }

  async pages(): Promise<PageSeen[]> {
    return this.page.$$eval('svg .pool .page:not(.freed)', (gs) =>
      gs.map((g) => {
        const d = (g as SVGElement).dataset;
        return { page: Number(d.page), refs: Number(d.refs), change: d.change, direction: d.direction, holders: (d.holders ?? '').split('|') };
      }),
    );
  }

  async pageNumbered(n: number): Promise<PageSeen | undefined> {
    return (await this.pages()).find((p) => p.page === n);
  }

  /** The release notifications panel: one entry per id handed out by vmsplice_notify. */
  async notices(): Promise<NoticeSeen[]> {
    return this.page.$$eval('svg .notify .notice', (gs) =>
      gs.map((g) => {
        const d = (g as SVGElement).dataset;
        return { notify: d.notify ?? '', id: Number(d.id), released: d.released === 'true', text: g.getAttribute('aria-label') ?? '' };
      }),
    );
  }

  /** Moves to just after the step that ran trace line `line`. */
  async stepToLine(line: number): Promise<void> {
    const step = await this.page.getAttribute(`#steps-body tr[data-line="${line}"]`, 'data-step');
    await this.stepTo(Number(step));
  }

  async summary(): Promise<string> {
    return (await this.page.textContent('#summary')) ?? '';
  }
}
