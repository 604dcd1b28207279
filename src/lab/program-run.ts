// Running a compiled C program in the page: a fresh lab kernel, the program
// a child process with stdio pipes the page drains, its memory imported so
// vmsplice maps its own pages. It runs in this thread: blocking calls
// suspend it under JSPI where the browser has it, or fail EAGAIN (the
// non-blocking fallback). The kernel is drawn as the program exits, before
// its fds close; then it is destroyed and the pool must be whole.

import { WasiHost, hasJspi } from '../wasi/host.js';
import { guestMemory } from '../wasi/import-memory.js';
import { TRAP_STATUS } from '../wasi/status.js';
import { StdioPumps, type ByteSink } from '../wasi/stdio.js';
import type { Process } from '../process.js';
import { Bindings } from '../trace/run.js';
import { labKernel } from './session.js';
import { captureState, type LabState } from './state.js';

export type Blocking = 'jspi' | 'fallback';

export interface ProgramMode {
  /** The kernel and the program's memory are SharedArrayBuffers (the page is cross-origin isolated). */
  shared: boolean;
  blocking: Blocking;
}

/** How programs run on this page; `forceFallback` (?jspi=0) shows the fallback where JSPI exists. */
export function programMode(shared: boolean, forceFallback = false): ProgramMode {
  return { shared, blocking: hasJspi() && !forceFallback ? 'jspi' : 'fallback' };
}

export interface ProgramRun {
  status: number;
  stdout: string;
  stderr: string;
  /** The kernel as the program exited, its fds still open; names are `stdin`, `stdout`, `stderr`, `fd3`, … */
  state: LabState;
  /** Pool pages in use once the program had ended and the kernel was destroyed: 0 is a whole pool. */
  pagesAfter: number;
  /** The program waited longer than the time limit with nothing else to run (it would hang on Linux). */
  timedOut: boolean;
  ms: number;
}

/** How long a program may sit blocked under JSPI, with nothing else in the page to wake it. */
const BLOCKED_LIMIT_MS = 5000;

const STDIO = ['stdin', 'stdout', 'stderr'];

export async function runProgram(wasm: Uint8Array, mode: Blocking, args: string[] = ['program']): Promise<ProgramRun> {
  const started = performance.now();
  const k = labKernel(false);
  const out = collector();
  const err = collector();
  const pumps = new StdioPumps(k, { read: () => null }, out.sink, err.sink);
  const guest = pumps.attach();
  let state: LabState | undefined;
  let status = 0;
  let timedOut = false;
  try {
    const own = guestMemory(wasm, k.shared);
    const linear = own ? { memory: own.memory, buffer: guest.useMemory(own.memory) } : undefined;
    const host = new WasiHost(guest, { args, io: pumps, sigpipe: true, linear });
    host.preopen('.');
    const module = await WebAssembly.compile((own?.bytes ?? wasm) as BufferSource);
    try {
      if (mode === 'jspi') {
        const instance = await WebAssembly.instantiate(module, host.suspendingImports());
        const ended = await Promise.race([host.startSuspending(instance), delay(BLOCKED_LIMIT_MS)]);
        if (ended === undefined) {
          timedOut = true;
          status = TRAP_STATUS;
        } else status = ended & 0xff;
      } else {
        status = host.start(new WebAssembly.Instance(module, host.imports())) & 0xff;
      }
    } catch (e) {
      if (!(e instanceof WebAssembly.RuntimeError)) throw e;
      err.note(`trap: ${e.message}\n`);
      status = TRAP_STATUS;
    }
    if (timedOut) err.note(`stopped: blocked for ${BLOCKED_LIMIT_MS / 1000} s with nothing else running to wake it (on Linux it would wait for ever)\n`);
    pumps.finish();
    state = withoutIdleStdio(captureState(guest, stdioNames(guest)));
  } finally {
    guest.terminate(status);
    pumps.finish();
    k.destroy();
  }
  return { status, stdout: out.text(), stderr: err.text(), state, pagesAfter: k.stats().pagesInUse, timedOut, ms: performance.now() - started };
}

/** Names for the drawing: stdio by role, other fds by number (a pipe's ends become "pipe fd3, fd4"). */
function stdioNames(guest: Process): Bindings {
  const names = new Bindings();
  for (const [fd] of guest.fds.entries()) names.fds.set(STDIO[fd] ?? `fd${fd}`, fd);
  return names;
}

/** The stdio pipes, which the page drains, are left out of the drawing while they are empty: the program's own pipes come first. */
function withoutIdleStdio(state: LabState): LabState {
  const stdio = new Set(state.snapshot.fds.filter((f) => f.fd <= 2 && f.ring !== undefined).map((f) => f.ring));
  const rings = state.snapshot.rings.filter((r) => !stdio.has(r.ring) || r.slots.length > 0);
  return { ...state, snapshot: { ...state.snapshot, rings } };
}

/** Output kept as bytes (copied: the pipe lends pool pages, which may be shared memory) and decoded at the end. */
function collector(): { sink: ByteSink; note(text: string): void; text(): string } {
  const chunks: Uint8Array[] = [];
  return {
    sink: {
      write: (data) => {
        chunks.push(data.slice());
        return true;
      },
    },
    note: (text) => chunks.push(new TextEncoder().encode(text)),
    text: () => {
      const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
      let at = 0;
      for (const c of chunks) {
        all.set(c, at);
        at += c.length;
      }
      return new TextDecoder().decode(all);
    },
  };
}

const delay = (ms: number) => new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms));
