// The Program tab: a C editor, Compile (clang in a Worker, loaded on first
// use), the compiler's messages at their lines, Run (stdout and stderr shown,
// the kernel drawn as the program exits), and which execution mode the
// page runs programs in.

import { type CompileResult, type Compiler, PROGRAM_FILE } from './compiler.js';
import { type Diagnostic, errorLines, parseDiagnostics } from './diagnostics.js';
import { type LineMark, TraceEditor } from './editor.js';
import { type ProgramMode, type ProgramRun, runProgram } from './program-run.js';
import type { LabState } from './state.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** What the drawing side shows for a run: the state, its caption, a summary. */
export type ShowState = (state: LabState, caption: string, lines: string[]) => void;

export class ProgramPanel {
  private readonly editor: TraceEditor;
  private wasm: Uint8Array | undefined;
  private compiledSource: string | undefined;
  private lastRun: ProgramRun | undefined;
  private busy = false;

  constructor(
    starter: string,
    private readonly compiler: Compiler,
    private readonly mode: ProgramMode,
    private readonly show: ShowState,
  ) {
    this.editor = new TraceEditor($('c-editor'), () => this.edited());
    this.editor.value = starter;
    $('compile').addEventListener('click', () => void this.compile());
    $('run-program').addEventListener('click', () => void this.run());
    $('program-mode').textContent = describeMode(mode);
    $('program-mode').dataset.mode = mode.blocking;
    $('program-mode').dataset.shared = String(mode.shared);
    this.buttons();
  }

  /** Puts a lesson's program in the editor, its checklist above it (a write-your-own lesson). */
  load(source: string, html: string): void {
    this.editor.value = source;
    this.edited();
    $('program-lesson').innerHTML = html;
    $('program-lesson').hidden = html === '';
  }

  /** Draws the last run again (the Program tab was chosen); false if there is none. */
  redraw(): boolean {
    if (!this.lastRun) return false;
    this.showRun(this.lastRun);
    return true;
  }

  private edited(): void {
    // Marks belong to the text that was compiled.
    if (this.editor.value !== this.compiledSource) this.editor.mark(new Map());
    this.buttons();
  }

  private buttons(): void {
    $<HTMLButtonElement>('compile').disabled = this.busy;
    $<HTMLButtonElement>('run-program').disabled = this.busy || !this.wasm || this.editor.value !== this.compiledSource;
  }

  private status(text: string, state: 'idle' | 'working' | 'ok' | 'failed'): void {
    const s = $('compile-status');
    s.textContent = text;
    s.dataset.state = state;
  }

  private async compile(): Promise<void> {
    const source = this.editor.value;
    this.busy = true;
    this.wasm = undefined;
    this.buttons();
    const progress = $<HTMLProgressElement>('compile-progress');
    const first = !this.compiler.started;
    this.status(first ? 'Loading the compiler…' : 'Compiling…', 'working');
    let result: CompileResult;
    const started = performance.now();
    try {
      result = await this.compiler.compile(source, (done, total) => {
        progress.hidden = done >= total;
        progress.value = total > 0 ? done / total : 0;
        this.status(done < total ? `Loading the compiler: ${mb(done)} of ${mb(total)} MB` : 'Compiling…', 'working');
      });
    } catch (e) {
      progress.hidden = true;
      this.status(e instanceof Error ? e.message : String(e), 'failed');
      this.busy = false;
      this.buttons();
      return;
    }
    progress.hidden = true;
    const diagnostics = parseDiagnostics(result.stderr);
    this.compiledSource = source;
    this.showDiagnostics(diagnostics, result.stderr);
    const took = `${((performance.now() - started) / 1000).toFixed(1)} s${first ? ', the compiler’s loading included' : ''}`;
    if (result.status === 0 && result.wasm) {
      this.wasm = result.wasm;
      const warnings = diagnostics.filter((d) => d.severity === 'warning').length;
      this.status(
        `Compiled in ${took}: ${result.wasm.length} bytes of wasm32-wasi${warnings ? `, ${warnings} warning${warnings > 1 ? 's' : ''}` : ''}. Press Run.`,
        'ok',
      );
    } else {
      const errors = diagnostics.filter((d) => d.severity === 'error').length;
      this.status(`Compile failed (${errors || 'an'} error${errors === 1 ? '' : 's'}, ${took}): see below.`, 'failed');
    }
    $('compile-status').dataset.ms = String(Math.round(performance.now() - started));
    this.busy = false;
    this.buttons();
  }

  private showDiagnostics(diagnostics: Diagnostic[], stderr: string): void {
    const list = $('diagnostics');
    const shown = diagnostics.filter((d) => d.severity !== 'note' || d.file === PROGRAM_FILE);
    list.hidden = shown.length === 0 && stderr.trim() === '';
    list.replaceChildren(
      ...shown.map((d) => {
        const li = document.createElement('li');
        li.className = d.severity;
        li.dataset.line = String(d.line ?? '');
        const where = d.line === undefined ? '' : `${d.file === PROGRAM_FILE ? 'line' : d.file} ${d.line}:${d.column} `;
        li.textContent = `${where}${d.severity}: ${d.message}`;
        return li;
      }),
    );
    // Messages that are not in clang's shape still say something: show them raw.
    if (shown.length === 0 && stderr.trim() !== '') list.replaceChildren(Object.assign(document.createElement('li'), { textContent: stderr.trim() }));
    const marks = new Map<number, LineMark>();
    const lines = errorLines(diagnostics, PROGRAM_FILE);
    for (const line of lines.keys()) marks.set(line, 'error');
    this.editor.mark(marks, [...lines.values()][0] ?? '');
  }

  private async run(): Promise<void> {
    if (!this.wasm) return;
    this.busy = true;
    this.buttons();
    this.status('Running…', 'working');
    try {
      const run = await runProgram(this.wasm, this.mode.blocking);
      this.lastRun = run;
      $('program-stdout').textContent = run.stdout;
      $('program-stderr').textContent = run.stderr;
      $('program-stderr').hidden = run.stderr === '';
      $('program-output').hidden = false;
      this.status(`Exited with status ${run.status} after ${run.ms.toFixed(0)} ms.`, run.status === 0 ? 'ok' : 'failed');
      this.showRun(run);
    } catch (e) {
      this.status(`The program could not run: ${e instanceof Error ? e.message : String(e)}`, 'failed');
    }
    this.busy = false;
    this.buttons();
  }

  private showRun(run: ProgramRun): void {
    const { snapshot } = run.state;
    const pipes = snapshot.fds.filter((f) => f.kind === 'pipe-read' && f.fd > 2).length;
    const held = snapshot.pages.filter((p) => p.page !== run.state.zeroPage);
    const lines = [
      `The program as it exited (status ${run.status}), before its fds were closed.`,
      `It has ${pipes} pipe${pipes === 1 ? '' : 's'} of its own open besides stdin, stdout and stderr; ${held.length} page${held.length === 1 ? '' : 's'} in pipes (u<N>: a page of the program's own memory, mapped by vmsplice).`,
      run.pagesAfter === 0
        ? 'After the exit every fd closed and every page went back: the pool is whole (0 pages in use).'
        : `After the exit ${run.pagesAfter} pages are still in use: a leak.`,
    ];
    this.show(run.state, `Kernel state as the program exited, status ${run.status}`, lines);
    $('drawing').dataset.poolAfter = String(run.pagesAfter);
  }
}

const mb = (bytes: number) => (bytes / 1e6).toFixed(0);

export function describeMode(mode: ProgramMode): string {
  const memory = mode.shared
    ? 'on a shared memory (SharedArrayBuffer: this page is cross-origin isolated)'
    : 'on an unshared memory (this page is not cross-origin isolated)';
  const blocking =
    mode.blocking === 'jspi'
      ? 'A call that would block suspends the program with JSPI until the kernel changes.'
      : 'Non-blocking fallback (no JSPI here): a call that would block fails with EAGAIN.';
  return `Programs run in this page's thread, ${memory}. ${blocking}`;
}
