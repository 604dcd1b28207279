// The page's side of the in-page C compiler: one Worker (made on the first
// compile, so the lab's first load fetches nothing of it) runs clang; each
// compile is a request and one answer, with progress while the toolchain
// loads. lab/compiler-worker.ts is the other side.

/** The file name the program has in clang's messages. */
export const PROGRAM_FILE = 'program.c';

export interface CompileRequest {
  id: number;
  source: string;
}

export type CompilerMessage =
  | { kind: 'progress'; id: number; done: number; total: number }
  | { kind: 'done'; id: number; status: number; stderr: string; wasm?: Uint8Array; ms: number }
  | { kind: 'failed'; id: number; message: string };

export interface CompileResult {
  /** clang's exit status: 0 with `wasm`, else the messages say why. */
  status: number;
  stderr: string;
  wasm?: Uint8Array;
  /** Milliseconds of the compile itself, not the toolchain's loading. */
  ms: number;
}

export type Progress = (done: number, total: number) => void;

export class Compiler {
  private worker: Worker | undefined;
  private next = 1;
  private readonly waiting = new Map<number, { resolve(r: CompileResult): void; reject(e: Error): void; progress: Progress }>();

  constructor(private readonly makeWorker: () => Worker) {}

  /** Whether the toolchain has been asked for (its Worker exists). */
  get started(): boolean {
    return this.worker !== undefined;
  }

  compile(source: string, progress: Progress): Promise<CompileResult> {
    const id = this.next++;
    const worker = this.ensure();
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject, progress });
      worker.postMessage({ id, source } satisfies CompileRequest);
    });
  }

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const w = this.makeWorker();
    w.onmessage = (e: MessageEvent<CompilerMessage>) => this.answer(e.data);
    w.onerror = (e) => {
      // A Worker that failed to load cannot answer: every request fails, and the next compile starts afresh.
      e.preventDefault();
      this.worker = undefined;
      for (const job of this.waiting.values()) job.reject(new Error(`the compiler failed to start: ${e.message}`));
      this.waiting.clear();
    };
    this.worker = w;
    return w;
  }

  private answer(m: CompilerMessage): void {
    const job = this.waiting.get(m.id);
    if (!job) return;
    if (m.kind === 'progress') {
      job.progress(m.done, m.total);
      return;
    }
    this.waiting.delete(m.id);
    if (m.kind === 'failed') job.reject(new Error(m.message));
    else job.resolve({ status: m.status, stderr: m.stderr, wasm: m.wasm, ms: m.ms });
  }
}
