// The Pipelines tab: a lesson's programs run as processes of one kernel,
// stepped one system call at a time (Step, Run, Pause, Reset), each step
// listed with the process that made it, the processes and their pages
// drawn, and the last program's output beside Linux's recorded one.

import type { Command, PipelineLesson, PipelineRun } from './pipeline-lessons.js';
import { Pipeline, type Stage } from './pipeline.js';
import type { Compiler } from './compiler.js';
import type { ProcessInfo } from './draw-processes.js';
import { describeHolder, ownerOf, pageName, parseHolder, ringNames } from './names.js';
import type { Step } from './scheduler.js';
import { callName } from './call-text.js';
import { diffStates, type StepChanges } from './changes.js';
import type { Op } from '../trace/parse.js';
import type { LabState } from './state.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** What the drawing side shows: the state, its caption, a summary, and the processes drawn above the pipes. */
export type ShowPipeline = (state: LabState, caption: string, lines: string[], changes: StepChanges | undefined, processes: ProcessInfo[]) => void;

/** What the page bundles for the pipelines. */
export interface PipelineFiles {
  lessons: PipelineLesson[];
  /** The prebuilt programs by name (lab/pipelines/wasm/NAME.wasm), fetched when a lesson first runs. */
  wasmUrl: (name: string) => string | undefined;
  /** The programs' C source by name, shown under the steps, editable. */
  sources: Record<string, string>;
}

export interface PipelineSetup extends PipelineFiles {
  /** Builds a program whose source was edited (the Program tab's compiler). */
  compiler: Compiler;
  /** A write-your-own lesson: its program and checklist go to the Program tab. */
  openProgram: (source: string, html: string) => void;
}

export class PipelinePanel {
  private lesson: PipelineLesson | undefined;
  private run: PipelineRun | undefined;
  private pipeline: Pipeline | undefined;
  private starting: Promise<Pipeline | undefined> | undefined;
  private readonly wasm = new Map<string, Uint8Array>();
  /** Programs whose source was edited: name → the text; Reset builds them with clang (cached by text). */
  private readonly edited = new Map<string, string>();
  private readonly built = new Map<string, Uint8Array>();
  private running = false;
  private paused = false;
  /** The most pages seen rewritten while referenced at once, over this run (the hazard, for the page and its tests). */
  private rewrittenMost = 0;
  private poolAfter: number | undefined;
  /** The state drawn last, and what the last step changed from it (colours: moved, cloned, mapped, copied). */
  private drawn: LabState | undefined;
  private changes: StepChanges | undefined;
  private failure: string | undefined;
  /** The running pipeline has an edited program: Linux's recording is not for it. */
  private runsEdited = false;

  constructor(
    private readonly setup: PipelineSetup,
    private readonly jspi: boolean,
    private readonly show: ShowPipeline,
  ) {
    const select = $<HTMLSelectElement>('pl-lesson');
    select.replaceChildren(...setup.lessons.map((l) => new Option(`${l.number}. ${l.title}`, l.id)));
    select.addEventListener('change', () => this.load(setup.lessons.find((l) => l.id === select.value)));
    $<HTMLSelectElement>('pl-variant').addEventListener('change', (e) => this.choose(Number((e.target as HTMLSelectElement).value)));
    $('pl-step').addEventListener('click', () => void this.step());
    $('pl-run').addEventListener('click', () => void this.runAll());
    $('pl-pause').addEventListener('click', () => {
      this.paused = true;
    });
    $('pl-reset').addEventListener('click', () => void this.reset());
    $('pl-mode').textContent = jspi
      ? "The programs run in this page's thread, each a process of one kernel; every call of theirs waits for its turn, so a step is one system call of one process (JSPI suspends it meanwhile)."
      : 'These lessons need JSPI (WebAssembly.Suspending) to pause a program at each of its calls; this browser lacks it (or ?jspi=0 turned it off). Chromium has it.';
    $('pl-mode').dataset.jspi = String(jspi);
  }

  /** Shows a lesson (the first when none is named); `variant` picks its way to run. */
  load(lesson: PipelineLesson | undefined, variant = 0): void {
    if (!lesson) return;
    $<HTMLSelectElement>('pl-lesson').value = lesson.id;
    if (lesson.program !== undefined) {
      this.setup.openProgram(lesson.program, lesson.html);
      // This tab keeps showing its pipeline lesson.
      $<HTMLSelectElement>('pl-lesson').value = this.lesson?.id ?? '';
      return;
    }
    this.lesson = lesson;
    $('pl-text').innerHTML = lesson.html;
    const variants = $<HTMLSelectElement>('pl-variant');
    variants.replaceChildren(...lesson.runs.map((r, i) => new Option(r.label, String(i))));
    variants.disabled = lesson.runs.length < 2;
    this.showSources(lesson);
    this.choose(Math.min(variant, lesson.runs.length - 1));
  }

  /** Redraws the current state (the tab was chosen). */
  redraw(): void {
    // The programs are fetched and started the first time the tab is shown, not with the page.
    if (this.jspi && !this.pipeline && !this.failure) void this.ensure().then(() => this.render(undefined));
    this.render(undefined);
  }

  private choose(i: number): void {
    this.run = this.lesson?.runs[i];
    $<HTMLSelectElement>('pl-variant').value = String(i);
    $('pl-command').textContent = this.run?.text ?? '';
    void this.reset();
  }

  private async reset(): Promise<void> {
    this.paused = true;
    while (this.running) await tick();
    this.paused = false;
    this.pipeline?.dispose();
    this.pipeline = undefined;
    this.starting = undefined;
    this.rewrittenMost = 0;
    this.poolAfter = undefined;
    this.failure = undefined;
    this.drawn = undefined;
    this.changes = undefined;
    $('pl-steps-body').replaceChildren();
    this.render(undefined);
    if (this.jspi && !$('pipeline-panel').hidden) await this.ensure();
    this.render(undefined);
  }

  /** The pipeline, started on first use: each program runs up to its first call. */
  private ensure(): Promise<Pipeline | undefined> {
    const run = this.run;
    if (!run || !this.jspi) return Promise.resolve(undefined);
    this.starting ??= (async () => {
      try {
        const stages: Stage[] = await Promise.all(run.commands.map(async (c) => ({ name: c.name, args: c.args, wasm: await this.program(c) })));
        if (run !== this.run) return undefined;
        this.runsEdited = run.commands.some((c) => this.edited.has(c.name));
        this.pipeline = await Pipeline.start(stages, this.lesson?.pipeSize);
        return this.pipeline;
      } catch (e) {
        this.failure = e instanceof Error ? e.message : String(e);
        return undefined;
      }
    })();
    return this.starting;
  }

  private async program(c: Command): Promise<Uint8Array> {
    const source = this.edited.get(c.name);
    if (source !== undefined) return this.build(c.name, source);
    const have = this.wasm.get(c.name);
    if (have) return have;
    const url = this.setup.wasmUrl(c.name);
    if (!url) throw new Error(`no program named ${c.name}`);
    const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
    this.wasm.set(c.name, bytes);
    return bytes;
  }

  /** An edited program, compiled in the page (the first compile loads the compiler). */
  private async build(name: string, source: string): Promise<Uint8Array> {
    const have = this.built.get(source);
    if (have) return have;
    $('pl-position').textContent = `compiling ${name}.c…`;
    const r = await this.setup.compiler.compile(source, (done, total) => {
      $('pl-position').textContent =
        done < total ? `loading the compiler: ${(done / 1e6).toFixed(0)} of ${(total / 1e6).toFixed(0)} MB` : `compiling ${name}.c…`;
    });
    if (r.status !== 0 || !r.wasm) throw new Error(`${name}.c does not compile:\n${r.stderr.trim()}`);
    this.built.set(source, r.wasm);
    return r.wasm;
  }

  private async step(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.buttons();
    try {
      await this.stepOnce();
    } finally {
      this.running = false;
      this.buttons();
    }
  }

  /** Steps until every program has ended (or Pause), drawing each step. */
  private async runAll(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.paused = false;
    this.buttons();
    try {
      while (!this.paused && (await this.stepOnce())) await tick(RUN_PACE_MS);
    } finally {
      this.running = false;
      this.paused = false;
      this.buttons();
    }
  }

  /** One step; false when nothing is left to run. */
  private async stepOnce(): Promise<boolean> {
    const p = await this.ensure();
    if (!p || p.done) return false;
    const s = await p.step();
    if (s) this.addRow(s);
    this.rewrittenMost = Math.max(this.rewrittenMost, p.watch.rewritten.size);
    if (p.done) this.poolAfter = p.dispose();
    this.render(s);
    return s !== undefined && !p.done;
  }

  private addRow(s: Step): void {
    const tr = document.createElement('tr');
    tr.dataset.step = String(s.n);
    tr.dataset.process = s.task;
    tr.dataset.call = s.call;
    tr.dataset.result = String(s.result);
    for (const [cls, t] of [
      ['num', String(s.n)],
      ['proc', s.task],
      ['call', s.text],
    ] as const) {
      tr.appendChild(Object.assign(document.createElement('td'), { className: cls, textContent: t }));
    }
    const body = $('pl-steps-body');
    body.querySelector('tr.current')?.classList.remove('current');
    tr.classList.add('current');
    body.appendChild(tr);
    const scroll = $('pl-steps-scroll');
    scroll.scrollTop = scroll.scrollHeight;
  }

  private buttons(): void {
    const p = this.pipeline;
    const over = !this.jspi || this.failure !== undefined || (p?.done ?? false);
    $<HTMLButtonElement>('pl-step').disabled = this.running || over;
    $<HTMLButtonElement>('pl-run').disabled = this.running || over;
    $<HTMLButtonElement>('pl-pause').disabled = !this.running;
    $<HTMLButtonElement>('pl-reset').disabled = !this.jspi || this.running;
    const n = p?.scheduler.steps.length ?? 0;
    $('pl-position').textContent = p?.done ? `${n} steps: every program has ended` : `step ${n}`;
  }

  private render(s: Step | undefined): void {
    this.buttons();
    const panel = $('pipeline-panel');
    panel.dataset.rewrittenMost = String(this.rewrittenMost);
    panel.dataset.done = String(this.pipeline?.done ?? false);
    this.renderOutput();
    const error = $('pl-error');
    error.hidden = this.failure === undefined;
    error.textContent = this.failure ?? '';
    if ($('pipeline-panel').hidden) return;
    const p = this.pipeline;
    if (!p) {
      const why = this.failure ?? (this.jspi ? 'Starting the programs…' : 'These lessons need JSPI: see the note on the left.');
      $('drawing').replaceChildren(Object.assign(document.createElement('p'), { textContent: why }));
      $('summary').replaceChildren();
      $('tables').replaceChildren();
      return;
    }
    const state = p.state();
    // A new step: its changes are against the state drawn before it; a redraw keeps them.
    if (s) this.changes = this.drawn ? diffStates(this.drawn, state, { kind: callName(s.call) as Op['kind'] }) : undefined;
    else if (!this.drawn) this.changes = undefined;
    this.drawn = state;
    const last = s ?? p.scheduler.steps.at(-1);
    const caption = last ? `Kernel state after step ${last.n}: ${last.task} ${last.text}` : 'Kernel state: every program is at its first call';
    this.show(state, caption, this.summary(state, last, p), this.changes, p.processes());
  }

  private summary(state: LabState, s: Step | undefined, p: Pipeline): string[] {
    const lines = [s ? `Step ${s.n}: ${s.task} called ${s.text}.` : 'Each program has started and waits at its first call. Press Step or Run.'];
    const rings = ringNames(state);
    // Rewritten pages, grouped by where they are still referenced.
    const byHolders = new Map<string, number[]>();
    for (const page of state.rewritten ?? []) {
      const where = (state.snapshot.pages.find((v) => v.page === page)?.holders ?? []).map((h) =>
        describeHolder(state, rings, parseHolder(h), page).replace(/ slot \d+$/, ''),
      );
      const key = [...new Set(where)].join(' and ');
      byHolders.set(key, [...(byHolders.get(key) ?? []), page]);
    }
    for (const [where, pages] of byHolders) {
      const owner = ownerOf(state, pages[0]!) ?? 'its program';
      const names = pages.map(pageName);
      lines.push(
        `${owner} rewrote page${names.length > 1 ? 's' : ''} ${names.join(', ')} while ${where} still reference${names.length > 1 ? 's them' : 's it'}: a reader gets the new bytes, not the ones vmspliced (the 2006 hazard).`,
      );
    }
    if (this.poolAfter !== undefined) {
      lines.push(
        this.poolAfter === 0
          ? 'Every program has ended, every fd is closed and every page went back: the pool is whole.'
          : `Every program has ended, but ${this.poolAfter} pages are still in use: a leak.`,
      );
    }
    if (p.scheduler.deadlock) lines.push('Every program waits for another: on Linux they would wait for ever.');
    return lines;
  }

  private renderOutput(): void {
    const p = this.pipeline;
    const ours = p?.stdout ?? '';
    $('pl-stdout').textContent = ours || (p?.done ? '(nothing)' : '…');
    const stderr =
      p?.members
        .filter((m) => m.stderr !== '')
        .map((m) => m.stderr)
        .join('') ?? '';
    $('pl-stderr').textContent = stderr;
    $('pl-stderr').hidden = stderr === '';
    const linux = this.run?.linux ?? [];
    const runs = linux.reduce((n, o) => n + o.times, 0);
    $('pl-linux').replaceChildren(
      ...linux.map((o) => {
        const li = document.createElement('li');
        li.textContent = `${o.output.trimEnd()}${linux.length > 1 ? ` (${o.times} of ${runs} runs)` : ''}`;
        li.dataset.output = o.output;
        return li;
      }),
    );
    $('pl-recorded').textContent = this.lesson?.recorded ?? '';
    const verdict = $('pl-verdict');
    if (!p?.done || linux.length === 0) {
      verdict.textContent = '';
      delete verdict.dataset.verdict;
      return;
    }
    if (this.runsEdited) {
      verdict.dataset.verdict = 'edited';
      verdict.textContent = "A program was edited: Linux's output was recorded with the programs as written.";
      return;
    }
    const same = linux.find((o) => o.output === ours);
    verdict.dataset.verdict = same ? (linux.length === 1 ? 'same' : 'among') : 'differs';
    verdict.textContent = same
      ? linux.length === 1
        ? '= the same as on Linux'
        : `= one of Linux's outputs: the race went the same way in ${same.times} of ${runs} runs there`
      : '≠ not what Linux printed';
  }

  /** Each program's source, editable: an edited one is compiled when the pipeline next starts (Reset). */
  private showSources(lesson: PipelineLesson): void {
    const names = [...new Set(lesson.runs.flatMap((r) => r.commands.map((c) => c.name)))];
    $('pl-sources').replaceChildren(
      ...names.map((name) => {
        const d = document.createElement('details');
        d.appendChild(Object.assign(document.createElement('summary'), { textContent: `${name}.c` }));
        const area = Object.assign(document.createElement('textarea'), {
          className: 'pl-source',
          value: this.edited.get(name) ?? this.setup.sources[name] ?? '',
          spellcheck: false,
          rows: 18,
        });
        area.dataset.program = name;
        area.setAttribute('aria-label', `${name}.c, the C source (edit it, then Reset)`);
        area.setAttribute('wrap', 'off');
        area.addEventListener('input', () => {
          if (area.value === this.setup.sources[name]) this.edited.delete(name);
          else this.edited.set(name, area.value);
          d.classList.toggle('edited', this.edited.has(name));
        });
        d.classList.toggle('edited', this.edited.has(name));
        d.appendChild(area);
        return d;
      }),
    );
  }
}

/** Run's pause between steps: the steps can be followed, and Pause be pressed. */
const RUN_PACE_MS = 40;

/** Lets the page draw and take clicks (Pause) between steps. */
const tick = (ms = 0) => new Promise<void>((resolve) => setTimeout(resolve, ms));
