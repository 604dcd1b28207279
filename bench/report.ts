// The outputs of a run: the table, the ratios the issue targets, the SVG
// chart and the JSON file.

import type { Group, Row } from './harness.js';

/** Table sections, in order; a row's kernel twin follows it. */
const SECTIONS: { title: string; names: string[]; prefixes?: string[] }[] = [
  {
    title: 'Zero-copy paths',
    names: ['vmsplice-splice-null', 'splice-pipe-pipe', 'tee-two-drains', 'splice-file-file', 'sendfile'],
  },
  { title: 'Copy paths', names: ['write-read', 'write-read-staged', 'vmsplice-read', 'loan-read'] },
  {
    title: 'Per call',
    names: ['splice-page', 'tee-page', 'vmsplice-page', 'splice-pages-1', 'splice-pages-16', 'splice-pages-64', 'splice-pages-256'],
  },
  {
    title: 'Core exports called directly (what the host adds: compare the rows above)',
    names: ['wasm-call', 'core-splice-page', 'core-tee-page', 'core-vmsplice-page'],
  },
  { title: 'Alternatives in JavaScript (one thread)', names: ['node-streams', 'webstreams-transform', 'webstreams-tee', 'js-ring'] },
  { title: 'Pipe ends as Web Streams (one thread: compare webstreams-transform)', names: ['pipe-readable'] },
  { title: 'Across Workers', names: ['worker-zero-copy', 'sab-copy-ring', 'postmessage-transfer'] },
  {
    title: 'Across Workers: real programs (WASI guests vs the same C on this kernel)',
    names: ['guest-pipeline-tee-sum', 'guest-pipeline-cat', 'guest-syscall'],
  },
  { title: 'Sustained load (memory footprint)', names: [], prefixes: ['sustained-', 'guest-sustained-'] },
];

export const twinOf = (name: string): string => `native-${name}`;

/** Rows in table order, each followed by its kernel twin; rows no section names go last. */
export function ordered(rows: Row[]): { title: string; rows: Row[] }[] {
  const by = new Map(rows.map((r) => [r.name, r]));
  const used = new Set<string>();
  const out: { title: string; rows: Row[] }[] = [];
  for (const sec of SECTIONS) {
    const list: Row[] = [];
    const names = sec.prefixes ? rows.map((r) => r.name).filter((n) => sec.prefixes!.some((p) => n.startsWith(p))) : sec.names;
    for (const n of names) {
      for (const m of [n, twinOf(n)]) {
        const r = by.get(m);
        if (r && !used.has(m)) {
          list.push(r);
          used.add(m);
        }
      }
    }
    if (list.length) out.push({ title: sec.title, rows: list });
  }
  const rest = rows.filter((r) => !used.has(r.name));
  if (rest.length) out.push({ title: 'Other', rows: rest });
  return out;
}

export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  if (Math.abs(x) >= 1000) return x.toFixed(0);
  return x.toPrecision(3);
}

/** How many times faster the emulator row is than its kernel twin (>1: faster). */
function speedVsKernel(r: Row, by: Map<string, Row>): string {
  const t = by.get(twinOf(r.name));
  if (!t || t.unit !== r.unit) return '';
  const s = r.unit.endsWith('/s') ? r.median / t.median : t.median / r.median;
  return `${fmt(s)}x`;
}

export function table(rows: Row[]): string {
  const by = new Map(rows.map((r) => [r.name, r]));
  const head = ['scenario', 'median', 'min', 'max', 'unit', 'vs kernel', 'what one sample does'];
  const lines: string[][] = [];
  const widths = head.map((h) => h.length);
  const body: (string[] | string)[] = [];
  for (const sec of ordered(rows)) {
    body.push(sec.title);
    for (const r of sec.rows) {
      const cells = [r.name, fmt(r.median), fmt(r.min), fmt(r.max), r.unit, speedVsKernel(r, by), r.note ?? ''];
      cells.forEach((c, i) => {
        if (i < 6) widths[i] = Math.max(widths[i], c.length);
      });
      body.push(cells);
      lines.push(cells);
    }
  }
  const right = new Set([1, 2, 3, 5]);
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === 6 ? c : right.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const rule = widths
    .slice(0, 6)
    .map((w) => '-'.repeat(w))
    .join('  ');
  const out = [line(head), rule];
  for (const b of body) out.push(typeof b === 'string' ? `\n${b}` : line(b));
  return out.join('\n');
}

interface Ratio {
  a: string;
  b: string;
  target: string;
  /** Whether the target is met, when there is one. */
  ok?: (r: number) => boolean;
  /** Whether the floor (what must hold at least) is, when there is one. */
  floorOk?: (r: number) => boolean;
}

const RATIOS: Ratio[] = [
  { a: 'splice-page', b: 'native-splice-page', target: "<= 0.1 (ns/call: 1/10 of the kernel's)", ok: (r) => r <= 0.1 },
  { a: 'vmsplice-splice-null', b: 'native-vmsplice-splice-null', target: '>= 5', ok: (r) => r >= 5 },
  { a: 'vmsplice-splice-null', b: 'webstreams-transform', target: '>= 10', ok: (r) => r >= 10 },
  { a: 'tee-two-drains', b: 'native-tee-two-drains', target: '>= 5', ok: (r) => r >= 5 },
  { a: 'write-read', b: 'js-ring', target: '>= 0.8', ok: (r) => r >= 0.8 },
  { a: 'loan-read', b: 'vmsplice-read', target: '(reported, no target)' },
  { a: 'pipe-readable', b: 'webstreams-transform', target: '(reported, no target)' },
  { a: 'worker-zero-copy', b: 'sab-copy-ring', target: '(reported, no target)' },
  { a: 'guest-pipeline-tee-sum', b: 'native-guest-pipeline-tee-sum', target: '>= 1.0 (floor 0.6)', ok: (r) => r >= 1, floorOk: (r) => r >= 0.6 },
  { a: 'guest-pipeline-cat', b: 'native-guest-pipeline-cat', target: '>= 1.0 (floor 0.6)', ok: (r) => r >= 1, floorOk: (r) => r >= 0.6 },
  { a: 'guest-syscall', b: 'native-guest-syscall', target: '<= 5 (floor 20)', ok: (r) => r <= 5, floorOk: (r) => r <= 20 },
];

export function ratios(rows: Row[]): string {
  const by = new Map(rows.map((r) => [r.name, r]));
  const out = ['Ratios (medians of this run; reported, not asserted):'];
  const w = Math.max(...RATIOS.map((r) => `${r.a} / ${r.b}`.length));
  for (const r of RATIOS) {
    const a = by.get(r.a);
    const b = by.get(r.b);
    const label = `${r.a} / ${r.b}`.padEnd(w);
    if (!a || !b) {
      out.push(`  ${label}  n/a (${!a ? r.a : r.b} not measured)   target ${r.target}`);
      continue;
    }
    const x = a.median / b.median;
    const verdict = !r.ok ? '' : r.ok(x) ? 'met' : r.floorOk?.(x) ? 'NOT met (the floor is)' : 'NOT met';
    out.push(`  ${label}  ${fmt(x).padStart(7)}   target ${r.target}  ${verdict}`.trimEnd());
  }
  // splice cost grows with pages, not with bytes: the extra cost per page
  // against what copying a page costs (from write-read's throughput).
  const p1 = by.get('splice-pages-1');
  const p256 = by.get('splice-pages-256');
  const wr = by.get('write-read');
  if (p1 && p256) {
    const perPage = (p256.median - p1.median) / 255;
    let line = `  splice-pages-1 -> -256: ${fmt(p1.median)} -> ${fmt(p256.median)} ns/call, +${fmt(perPage)} ns per extra page`;
    if (wr) line += `; copying a page at write-read's rate would cost ${fmt((4096 / (wr.median * 2 ** 30)) * 1e9)} ns`;
    out.push(line);
  }
  return out.join('\n');
}

export function json(rows: Row[]): string {
  const flat = ordered(rows).flatMap((s) => s.rows);
  return `${JSON.stringify(
    flat.map(({ name, median, min, max, unit }) => ({ name, median, min, max, unit })),
    null,
    2,
  )}\n`;
}

// ---- SVG -----------------------------------------------------------------------------

const COLOURS: Record<Group, string> = {
  emulator: '#1f6fb4',
  core: '#5fa8d3',
  kernel: '#e8731a',
  streams: '#2e9e44',
  workers: '#8a5cc2',
  memory: '#8c564b',
};

const LEGEND: [Group, string][] = [
  ['emulator', 'splicekit (emulator)'],
  ['core', 'splicekit core, called directly'],
  ['kernel', 'Linux kernel (native twin)'],
  ['streams', 'JS streams / ring (one thread)'],
  ['workers', 'across Workers'],
];

/** A decade's tick label: 0.01, 0.1, 1, 10, 100, 1k, 10k, 100k, 1M. */
function decade(d: number): string {
  if (d < 0) return (10 ** d).toFixed(-d);
  if (d < 3) return String(10 ** d);
  if (d < 6) return `${10 ** (d - 3)}k`;
  return `${10 ** (d - 6)}M`;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** One log-scale horizontal bar panel; returns the SVG elements and its height. */
function panel(title: string, unit: string, rows: Row[], top: number, better: string): { svg: string[]; height: number } {
  const labelW = 230;
  const plotW = 560;
  const rowH = 17;
  const x0 = labelW + 10;
  const svg: string[] = [];
  if (rows.length === 0) return { svg, height: 0 };
  // The axis spans the medians (a decade of room each side at most): an
  // outlying sample (a GC pause) clips its whisker instead of squeezing the bars.
  const meds = rows.map((r) => r.median).filter((v) => v > 0);
  const d0 = Math.floor(Math.log10(Math.max(Math.min(...meds) / 10, Math.min(...rows.map((r) => r.min).filter((v) => v > 0)))));
  const d1 = Math.ceil(Math.log10(Math.min(Math.max(...meds) * 10, Math.max(...rows.map((r) => r.max)))));
  const x = (v: number): number => x0 + ((Math.log10(Math.min(Math.max(v, 10 ** d0), 10 ** d1)) - d0) / (d1 - d0)) * plotW;
  svg.push(
    `<text x="10" y="${top + 16}" class="h">${esc(title)} <tspan class="s">(${esc(unit)}, median with min-max, log scale; ${esc(better)})</tspan></text>`,
  );
  const gy = top + 28;
  const plotH = rows.length * rowH + 6;
  for (let d = d0; d <= d1; d++) {
    const gx = x(10 ** d);
    svg.push(`<line x1="${gx.toFixed(1)}" y1="${gy}" x2="${gx.toFixed(1)}" y2="${gy + plotH}" class="g"/>`);
    svg.push(`<text x="${gx.toFixed(1)}" y="${gy + plotH + 12}" class="t" text-anchor="middle">${decade(d)}</text>`);
  }
  rows.forEach((r, i) => {
    const y = gy + 4 + i * rowH;
    const w = Math.max(1, x(r.median) - x0);
    svg.push(`<text x="${labelW}" y="${y + 11}" class="l" text-anchor="end">${esc(r.name)}</text>`);
    svg.push(
      `<rect x="${x0}" y="${y + 2}" width="${w.toFixed(1)}" height="${rowH - 5}" fill="${COLOURS[r.group]}"><title>${esc(`${r.name}: ${fmt(r.median)} ${r.unit} (min ${fmt(r.min)}, max ${fmt(r.max)})`)}</title></rect>`,
    );
    if (r.max > r.min) {
      svg.push(`<line x1="${x(r.min).toFixed(1)}" y1="${y + 8}" x2="${x(r.max).toFixed(1)}" y2="${y + 8}" class="w"/>`);
    }
    svg.push(`<text x="${(x(r.max) + 6).toFixed(1)}" y="${y + 11}" class="v">${fmt(r.median)}</text>`);
  });
  return { svg, height: 28 + plotH + 22 };
}

export function chart(rows: Row[], subtitle: string): string {
  const flat = ordered(rows).flatMap((s) => s.rows);
  const gib = flat.filter((r) => r.unit === 'GiB/s' && r.group !== 'memory');
  const ns = flat.filter((r) => r.unit === 'ns/call');
  const W = 960;
  const parts: string[] = [];
  let y = 50;
  const a = panel('Throughput by scenario', 'GiB/s', gib, y, 'longer is faster');
  parts.push(...a.svg);
  y += a.height + 10;
  const b = panel('Cost per call', 'ns/call', ns, y, 'shorter is cheaper');
  parts.push(...b.svg);
  y += b.height + 10;
  LEGEND.forEach(([g, label], i) => {
    const lx = 20 + (i % 3) * 300;
    const ly = y + Math.floor(i / 3) * 18;
    parts.push(`<rect x="${lx}" y="${ly}" width="12" height="12" fill="${COLOURS[g]}"/>`);
    parts.push(`<text x="${lx + 18}" y="${ly + 10}" class="l">${esc(label)}</text>`);
  });
  y += 44;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${y}" viewBox="0 0 ${W} ${y}" font-family="system-ui, sans-serif">`,
    '<style>.h{font-size:15px;font-weight:600}.s{font-size:11px;font-weight:400;fill:#555}.l{font-size:11px}' +
      '.v{font-size:10px;fill:#333}.t{font-size:10px;fill:#666}.g{stroke:#ddd;stroke-width:1}.w{stroke:#222;stroke-width:1}</style>',
    `<rect width="${W}" height="${y}" fill="#fff"/>`,
    `<text x="10" y="22" class="h">splicekit: emulator vs kernel vs streams</text>`,
    `<text x="10" y="38" class="s">${esc(subtitle)}</text>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
