// Several compiled programs wired into a pipeline (`producer | tee | sum`),
// each a child process of one lab kernel, run in the page's thread under
// the lab's scheduler: every data-plane call of every program is one step.
// Each program's memory is imported, so its vmsplice maps its own pages;
// the page drains the last program's stdout and everyone's stderr.

import { F_SETPIPE_SZ, O_RDONLY } from '../constants.js';
import type { Kernel } from '../kernel.js';
import type { Process } from '../process.js';
import { hasJspi, jspi, WasiHost } from '../wasi/host.js';
import { ProcExit } from '../wasi/context.js';
import { guestMemory } from '../wasi/import-memory.js';
import { TRAP_STATUS } from '../wasi/status.js';
import { Bindings } from '../trace/run.js';
import { isForeign, spaceOf } from '../spaces.js';
import { callName, callText, resultText } from './call-text.js';
import type { ProcessInfo } from './draw-processes.js';
import { PageWatch } from './page-watch.js';
import { Scheduler, type Step, type Task, WAITS } from './scheduler.js';
import { labKernel } from './session.js';
import { captureState, type LabState } from './state.js';

export interface Stage {
  /** The name drawn for its process (argv[0] too). */
  name: string;
  wasm: Uint8Array;
  args?: string[];
}

/** The calls that are steps: data moving, pipes and fds changing. Others (clocks, fdstat, args) run at once. */
const STEPPED = new Set(['fd_read', 'fd_write', 'fd_close', 'path_open', 'poll_oneoff']);
const steppedModule = 'splicekit';

/** Calls after which the program's pages may have just been mapped: their bytes are recorded then. */
const MAPS = new Set(['vmsplice', 'vmsplice_notify']);

export interface Member {
  stage: Stage;
  task: Task;
  process: Process;
  host: WasiHost;
  /** Its own memory, which its vmsplice maps pages of. */
  memory: WebAssembly.Memory;
  stderr: string;
}

export class Pipeline {
  readonly scheduler = new Scheduler();
  readonly members: Member[] = [];
  readonly watch = new PageWatch();
  /** What the last program wrote to stdout, drained by the page. */
  stdout = '';
  private readonly kernel: Kernel;
  /** The page's ends: fd → where its bytes go. */
  private readonly drains = new Map<number, (text: string) => void>();
  private readonly ringLabels = new Map<number, string>();
  private readonly decoders = new Map<number, TextDecoder>();
  /** The state as the kernel was destroyed (dispose), drawn from then on. */
  private final: LabState | undefined;

  /** `pipeSize`: F_SETPIPE_SZ of every pipe, in bytes. */
  private constructor(private readonly pipeSize: number | undefined) {
    this.kernel = labKernel(false);
  }

  /** Starts every stage; each runs up to its first stepped call. Needs JSPI. */
  static async start(stages: Stage[], pipeSize?: number): Promise<Pipeline> {
    if (!hasJspi()) throw new TypeError('a pipeline of programs needs JSPI (WebAssembly.Suspending), which this browser lacks: Chromium has it');
    const p = new Pipeline(pipeSize);
    try {
      await p.spawn(stages);
    } catch (e) {
      p.dispose();
      throw e;
    }
    return p;
  }

  get done(): boolean {
    return this.scheduler.done;
  }

  /** One call of one process (see Scheduler); the page's ends drained after it. */
  async step(): Promise<Step | undefined> {
    const s = await this.scheduler.step();
    this.drain();
    this.watch.update(this.capture());
    return s;
  }

  /** The kernel now, with the pipes named by the programs they join and rewritten pages marked. */
  state(): LabState {
    if (this.final) return this.final;
    const state = this.capture();
    const stdio = new Set(this.drains.keys());
    const hostRings = new Set(state.snapshot.fds.filter((f) => stdio.has(f.fd)).map((f) => f.ring));
    // The page's own pipes (stdout, stderr) only while they hold something.
    const rings = state.snapshot.rings.filter((r) => !hostRings.has(r.ring) || r.slots.length > 0);
    return { ...state, snapshot: { ...state.snapshot, rings }, rewritten: new Set(this.watch.rewritten) };
  }

  /** The host's fds are the page's; pipes get the names of the programs at their ends. */
  private capture(): LabState {
    const state = captureState(this.kernel, new Bindings());
    const owners = new Map<number, string>();
    for (const { page } of state.snapshot.pages) {
      if (!isForeign(page)) continue;
      const memory = this.kernel.machine.spaces.get(spaceOf(page));
      const m = this.members.find((x) => x.memory === memory);
      if (m) owners.set(spaceOf(page), m.stage.name);
    }
    return { ...state, ringLabels: this.ringLabels, owners };
  }

  /** Each process as the drawing shows it. */
  processes(): ProcessInfo[] {
    return this.members.map((m) => ({
      name: m.stage.name,
      command: [m.stage.name, ...(m.stage.args ?? [])].join(' '),
      pid: m.process.pid,
      status: statusOf(m),
    }));
  }

  /** Pages still in use after every program ended and the kernel was destroyed: 0 is a whole pool. */
  dispose(): number {
    if (!this.final) {
      this.final = this.state();
      for (const m of this.members) if (m.process.exitStatus === undefined) m.process.terminate(TRAP_STATUS);
      this.kernel.destroy();
    }
    return this.kernel.stats().pagesInUse;
  }

  private async spawn(stages: Stage[]): Promise<void> {
    const k = this.kernel;
    let input = k.open('/dev/null', O_RDONLY);
    const modules: Uint8Array[] = [];
    stages.forEach((stage, i) => {
      const last = i === stages.length - 1;
      const [r, w] = this.pipe(last ? `${stage.name} stdout` : `pipe ${stage.name} | ${stages[i + 1]!.name}`);
      const [er, ew] = this.pipe(`${stage.name} stderr`);
      const process = k.process({ 0: input, 1: w, 2: ew });
      for (const fd of [input, w, ew]) k.close(fd);
      this.drainInto(er, (text) => {
        member.stderr += text;
      });
      if (last)
        this.drainInto(r, (text) => {
          this.stdout += text;
        });
      input = r;
      const task = this.scheduler.add(stage.name);
      const own = guestMemory(stage.wasm, k.shared);
      if (!own) throw new TypeError(`${stage.name}: the module has no memory of its own to import`);
      const host = new WasiHost(process, {
        args: [stage.name, ...(stage.args ?? [])],
        sigpipe: true,
        linear: { memory: own.memory, buffer: process.useMemory(own.memory) },
      });
      host.preopen('.');
      const member: Member = { stage, task, process, host, memory: own.memory, stderr: '' };
      this.members.push(member);
      modules.push(own.bytes);
    });
    for (const [i, m] of this.members.entries()) await this.launch(m, modules[i]!);
  }

  /** The page reads `fd`, a pipe's read end, into `sink` (UTF-8 decoded across reads). */
  private drainInto(fd: number, sink: (text: string) => void): void {
    this.drains.set(fd, sink);
    this.decoders.set(fd, new TextDecoder());
  }

  private pipe(label: string): [number, number] {
    const [r, w] = this.kernel.pipe();
    if (this.pipeSize !== undefined) this.kernel.fcntl(w, F_SETPIPE_SZ, this.pipeSize);
    this.ringLabels.set(this.kernel.describe(r)!.ring!, label);
    return [r, w];
  }

  /** Instantiates one program with stepped imports and runs it up to its first stepped call. */
  private async launch(m: Member, bytes: Uint8Array): Promise<void> {
    const module = await WebAssembly.compile(bytes as BufferSource);
    const instance = await WebAssembly.instantiate(module, this.imports(m));
    const { promising } = jspi();
    const { memory, _start } = instance.exports as { memory: WebAssembly.Memory; _start: () => void };
    m.host.bindMemory(memory);
    await this.scheduler.until(() => {
      promising(_start)().then(
        () => this.end(m, 0),
        (e: unknown) => {
          if (e instanceof ProcExit) return this.end(m, e.status);
          m.stderr += `trap: ${e instanceof Error ? e.message : String(e)}\n`;
          this.end(m, TRAP_STATUS);
        },
      );
    });
  }

  /** A program ended: its fds close (readers see EOF, writers EPIPE), as at exit(2). */
  private end(m: Member, status: number): void {
    m.process.terminate(status);
    this.drain();
    this.scheduler.ended(m.task, status);
  }

  private imports(m: Member): WebAssembly.Imports {
    const { Suspending } = jspi();
    const out: WebAssembly.Imports = {};
    const ctx = m.host.ctx;
    for (const [module, fns] of Object.entries(m.host.imports())) {
      out[module] = Object.fromEntries(
        Object.entries(fns).map(([name, f]) => {
          if (typeof f !== 'function' || (module !== steppedModule && !STEPPED.has(name))) return [name, f];
          const call = f as (...a: number[]) => number;
          const attempt = (args: number[]) => () => {
            ctx.blocked = false;
            const r = call(...args);
            if (ctx.blocked) return WAITS;
            // The bytes a mapping made are recorded now, before the program runs on and may rewrite them.
            if (MAPS.has(name)) this.watch.update(this.capture());
            return r;
          };
          return [
            name,
            new Suspending((...args: number[]) =>
              this.scheduler.call(m.task, {
                name,
                args,
                attempt: attempt(args),
                text: callText(name, args, m.memory),
                resultText: (r) => resultText(name, args, r, m.memory),
              }),
            ),
          ];
        }),
      );
    }
    return out;
  }

  /** Moves what the page's ends hold into the texts shown. */
  private drain(): void {
    for (const [fd, sink] of this.drains) {
      for (;;) {
        let n: number;
        try {
          n = this.kernel.fionread(fd);
        } catch {
          break;
        }
        if (n === 0) break;
        const bytes = this.kernel.read(fd, n);
        // Copied out first: the bytes may be a view of shared memory, which TextDecoder refuses.
        sink(this.decoders.get(fd)!.decode(bytes.slice(), { stream: true }));
      }
    }
  }
}

function statusOf(m: Member): string {
  const status = m.process.exitStatus;
  if (status !== undefined) return `exited, status ${status}`;
  const p = m.task.pending;
  if (!p) return 'runs';
  return m.task.blocked ? `waits in ${callName(p.name)}` : `next call: ${callName(p.name)}`;
}
