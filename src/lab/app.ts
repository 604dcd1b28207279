// The lab page's controller: lesson choice, the editor, the step buttons and
// shortcuts, and re-rendering the output, drawing and summaries after each move.

import { precompileCore, sharedMemoryAvailable } from '../core.js';
import { Compiler } from './compiler.js';
import { isExtension, TraceSyntaxError } from '../trace/parse.js';
import { parseExpected } from './compare.js';
import { drawProcesses } from './draw-processes.js';
import { drawState, type TopPart } from './draw.js';
import { TraceEditor, type LineMark } from './editor.js';
import type { Lesson } from './lessons.js';
import { renderOutput, revealCurrentRow } from './output-table.js';
import { type PipelineFiles, PipelinePanel } from './pipeline-panel.js';
import { ProgramPanel } from './program-panel.js';
import { programMode } from './program-run.js';
import { LabSession } from './session.js';
import type { LabState } from './state.js';
import type { StepChanges } from './changes.js';
import { summarizeStep } from './summary.js';
import { stateTables } from './tables.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** Alt+key shortcuts; e.code so they work whatever Alt does to the character. */
const SHORTCUTS: Record<string, 'step' | 'run' | 'back' | 'reset'> = { KeyS: 'step', KeyR: 'run', KeyB: 'back', KeyX: 'reset' };

/** The Program tab's parts: its starter program, and how to start the compiler's Worker. */
export interface ProgramSetup {
  starter: string;
  makeCompiler: () => Worker;
}

type Tab = 'trace' | 'program' | 'pipeline';
const TABS: Tab[] = ['trace', 'program', 'pipeline'];

export async function startLab(lessons: Lesson[], program: ProgramSetup, pipelines: PipelineFiles): Promise<void> {
  await precompileCore();
  const params = new URLSearchParams(location.search);
  const lab = new Lab(lessons, program, pipelines, params.get('jspi') === '0');
  lab.setDirty(params.get('dirty') === '1');
  const wanted = lessons.find((l) => String(l.number) === params.get('lesson') || l.id === params.get('lesson'));
  lab.load(wanted ?? lessons[0]);
  // ?pipeline=ID (or a lesson number) opens the Pipelines tab on that lesson; &variant=N picks its way to run.
  const pipeline = params.get('pipeline');
  if (pipeline !== null) {
    const l = pipelines.lessons.find((x) => String(x.number) === pipeline || x.id === pipeline) ?? pipelines.lessons[0];
    lab.choose('pipeline');
    lab.pipelines.load(l, Number(params.get('variant') ?? 0));
  } else {
    lab.pipelines.load(pipelines.lessons[0]);
  }
  if (params.has('program')) lab.choose('program');
}

class Lab {
  private session: LabSession | undefined;
  private error: { line: number; message: string; detail: string } | undefined;
  private lesson: Lesson | undefined;
  private dirty = false;
  private readonly editor: TraceEditor;
  private editTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly program: ProgramPanel;
  readonly pipelines: PipelinePanel;
  private tab: Tab = 'trace';

  /** `forceFallback` runs programs without JSPI even where the browser has it (?jspi=0). */
  constructor(lessons: Lesson[], setup: ProgramSetup, pipelines: PipelineFiles, forceFallback: boolean) {
    const mode = programMode(sharedMemoryAvailable(), forceFallback);
    // One compiler (one Worker) for the Program tab and the pipelines' edited programs.
    const compiler = new Compiler(setup.makeCompiler);
    this.program = new ProgramPanel(setup.starter, compiler, mode, (state, caption, lines) => this.showState(state, caption, lines));
    this.pipelines = new PipelinePanel(
      {
        ...pipelines,
        compiler,
        openProgram: (source, html) => {
          this.program.load(source, html);
          this.choose('program');
        },
      },
      mode.blocking === 'jspi',
      (state, caption, lines, changes, procs) => this.showState(state, caption, lines, changes, (x, y, w) => drawProcesses(state, procs, x, y, w)),
    );
    for (const tab of TABS) $(`tab-${tab}`).addEventListener('click', () => this.choose(tab));
    // Arrow keys move between the tabs, as a tablist's keyboard pattern has it.
    document.querySelector('.tabs')!.addEventListener('keydown', (e) => {
      const key = (e as KeyboardEvent).key;
      if (key !== 'ArrowLeft' && key !== 'ArrowRight') return;
      const next = TABS[(TABS.indexOf(this.tab) + (key === 'ArrowRight' ? 1 : TABS.length - 1)) % TABS.length]!;
      this.choose(next);
      $(`tab-${next}`).focus();
    });
    this.editor = new TraceEditor($('editor'), () => {
      clearTimeout(this.editTimer);
      this.editTimer = setTimeout(() => this.rebuild(0), 250);
    });
    const select = $<HTMLSelectElement>('lesson');
    select.replaceChildren(...lessons.map((l) => new Option(`${l.number}. ${l.title}`, l.id)));
    select.addEventListener('change', () => this.load(lessons.find((l) => l.id === select.value)));
    $<HTMLInputElement>('dirty').addEventListener('change', (e) => {
      this.dirty = (e.target as HTMLInputElement).checked;
      this.rebuild(this.session?.position ?? 0);
    });
    for (const action of ['step', 'run', 'back', 'reset'] as const) $(action).addEventListener('click', () => this.act(action));
    document.addEventListener('keydown', (e) => {
      const action = SHORTCUTS[e.code];
      if (!action || !e.altKey || e.ctrlKey || e.metaKey || e.shiftKey || this.tab !== 'trace') return;
      e.preventDefault();
      this.act(action);
    });
  }

  /** Shows the trace or the program, and draws its state. */
  choose(tab: Tab): void {
    this.tab = tab;
    for (const t of TABS) {
      const button = $(`tab-${t}`);
      button.setAttribute('aria-selected', String(t === tab));
      button.tabIndex = t === tab ? 0 : -1;
      $(`${t}-panel`).hidden = t !== tab;
    }
    if (tab === 'trace') this.renderState();
    else if (tab === 'pipeline') this.pipelines.redraw();
    else if (!this.program.redraw()) {
      $('drawing').replaceChildren(note('Compile and run the program: the kernel is drawn here as the program exits.'));
      $('summary').replaceChildren();
      $('tables').replaceChildren();
    }
  }

  setDirty(on: boolean): void {
    this.dirty = on;
    $<HTMLInputElement>('dirty').checked = on;
  }

  load(lesson: Lesson | undefined): void {
    this.lesson = lesson;
    $<HTMLSelectElement>('lesson').value = lesson?.id ?? '';
    $('lesson-text').innerHTML = lesson?.html ?? '';
    this.editor.value = lesson?.trace ?? '';
    this.rebuild(0);
  }

  private act(action: 'step' | 'run' | 'back' | 'reset'): void {
    const s = this.session;
    if (!s) return;
    if (action === 'step') s.step();
    else if (action === 'run') s.run();
    else if (action === 'back') s.back();
    else s.goTo(0);
    this.render();
    // A button that just became disabled drops focus to the page: hand it to the one that still works.
    const active = document.activeElement as HTMLButtonElement | null;
    if (!active || active === document.body || active.disabled) $(s.done ? 'back' : 'step').focus();
  }

  private jump(n: number): void {
    this.session?.goTo(n);
    this.render();
    // The table was redrawn: keep the keyboard where it was.
    document.querySelector<HTMLButtonElement>(`#steps tr[data-step="${n}"] button`)?.focus();
  }

  /** A new session for the editor's text, moved to step `position`; a syntax error stops here. */
  private rebuild(position: number): void {
    this.session?.dispose();
    this.session = undefined;
    this.error = undefined;
    const file = this.lesson && this.editor.value === this.lesson.trace ? `${this.lesson.id}.trace` : 'trace';
    try {
      this.session = new LabSession(this.editor.value, file, this.dirty);
      this.session.goTo(position);
    } catch (e) {
      this.error = e instanceof TraceSyntaxError ? { line: e.line, message: e.message, detail: e.detail } : { line: 0, message: String(e), detail: String(e) };
    }
    this.render();
  }

  /** Linux's output applies only to a lesson's trace exactly as written. */
  private linux(): Map<number, string> | undefined {
    return this.lesson && this.editor.value === this.lesson.trace ? parseExpected(this.lesson.expected) : undefined;
  }

  private render(): void {
    const s = this.session;
    const fault = this.error ?? s?.fault;
    const errorBox = $('error');
    errorBox.hidden = !fault;
    errorBox.textContent = fault ? (s?.fault ? `Emulator error at line ${fault.line}: ${fault.message}` : fault.message) : '';
    this.editor.textarea.setAttribute('aria-invalid', String(this.error !== undefined));

    const marks = new Map<number, LineMark>();
    for (const st of s?.steps ?? []) marks.set(st.line, 'done');
    const last = s?.steps.at(-1);
    if (last) marks.set(last.line, 'current');
    if (s?.nextLine !== undefined) marks.set(s.nextLine, 'next');
    if (fault && fault.line > 0) marks.set(fault.line, 'error');
    this.editor.mark(marks, this.error?.detail ?? s?.fault?.message ?? '');

    $<HTMLButtonElement>('step').disabled = !s || s.done;
    $<HTMLButtonElement>('run').disabled = !s || s.done;
    $<HTMLButtonElement>('back').disabled = !s || s.position === 0;
    $<HTMLButtonElement>('reset').disabled = !s || s.position === 0;
    $('position').textContent = s ? `step ${s.position} of ${s.ops.length}` : 'not runnable';
    this.renderMode();

    const linux = this.linux();
    $('linux-note').hidden = !!linux || !this.lesson;
    $('dirty-note').hidden = !this.dirty;
    $('ext-note').hidden = !linux || !s?.ops.some(isExtension);
    $('output').classList.toggle('no-linux', !linux);
    $('steps-scroll').hidden = !s;
    if (s) renderOutput($<HTMLTableSectionElement>('steps-body'), s, linux, (n) => this.jump(n));
    else $('steps-body').replaceChildren();
    revealCurrentRow($('steps-scroll'));
    this.renderState();
  }

  private renderMode(): void {
    const mode = $('memory-mode');
    const shared = this.session?.shared;
    if (shared === undefined) return;
    mode.dataset.shared = String(shared);
    mode.textContent = shared
      ? 'Memory: shared (SharedArrayBuffer; this page is cross-origin isolated).'
      : 'Memory: unshared, one thread (this page is not cross-origin isolated).';
  }

  private renderState(): void {
    if (this.tab !== 'trace') return;
    const s = this.session;
    const drawing = $('drawing');
    const summary = $('summary');
    if (!s) {
      drawing.replaceChildren(note('Fix the trace to run it: the error is marked at its line.'));
      summary.replaceChildren(note(this.error?.message ?? ''));
      $('tables').replaceChildren();
      return;
    }
    const last = s.steps.at(-1);
    const caption = last ? `Kernel state after step ${last.n}, line ${last.line}: ${last.text}` : 'Kernel state before the first step: nothing open yet';
    const lines = last ? summarizeStep(last) : ['Before the first step: an empty kernel. Press Step (Alt+S) to run line by line.'];
    this.showState(s.state, caption, lines, last?.changes);
  }

  /** The drawing, the summary (first line as its head) and the tables for one state. */
  private showState(state: LabState, caption: string, lines: string[], changes?: StepChanges, top?: TopPart): void {
    $('drawing').replaceChildren(drawState(state, changes, caption, top));
    const list = document.createElement('ul');
    list.append(...lines.slice(1).map((t) => Object.assign(document.createElement('li'), { textContent: t })));
    $('summary').replaceChildren(note(lines[0] ?? ''), list);
    $('tables').replaceChildren(...stateTables(state, changes));
  }
}

function note(text: string): HTMLParagraphElement {
  return Object.assign(document.createElement('p'), { textContent: text });
}
