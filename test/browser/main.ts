// The runtime matrix in a real browser: the functions the browser test
// calls on this page, each returning plain data.

import * as api from '../../src/index.js';
import { hasJspi, Kernel, O_NONBLOCK, O_WRONLY, readableOf, spawnWeb, WasiHost, witSyscalls, writableOf } from '../../src/index.js';
import { coreScenario, guestScenario } from '../support/scenario.mjs';

const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/** The runtimes' core scenario (test/support/scenario.mjs). */
function core() {
  return coreScenario(api);
}

/** Two Web Workers share the kernel's memory: a vmsplice producer and a reader. */
async function workers(total: number) {
  const k = new Kernel({ shared: true });
  const [r, w] = k.pipe();
  k.fcntl(w, 1031, 1 << 20);
  const run = (data: object) =>
    new Promise<Record<string, number>>((resolve, reject) => {
      const worker = new Worker(new URL('./pipe-worker.ts', import.meta.url), { type: 'module' });
      worker.onmessage = (e) => resolve(e.data);
      worker.onerror = (e) => reject(new Error(e.message));
      worker.postMessage(data);
    });
  const jobs = [
    run({ handle: k.exportPipeEnd(w), role: 'producer', total, chunk: 1 << 20 }),
    run({ handle: k.exportPipeEnd(r), role: 'consumer', total, chunk: 1 << 20 }),
  ];
  k.close(r);
  k.close(w);
  const [sent, got] = await Promise.all(jobs);
  k.destroy();
  return { sent: sent.sent, got: got.got, bad: got.bad, leaked: k.stats().pagesInUse };
}

/** A WASI command in this thread (test/support/scenario.mjs). */
function guest(wasm: number[], input: string) {
  return guestScenario(api, new WebAssembly.Module(new Uint8Array(wasm)), input);
}

/** A jco-transpiled component (served from `base`) against witSyscalls. */
async function component(base: string) {
  const { instantiate } = await import(/* @vite-ignore */ `${base}program.js`);
  const k = new Kernel();
  const sys = witSyscalls(k);
  const compile = async (name: string) => WebAssembly.compile(await (await fetch(`${base}${name}`)).arrayBuffer());
  const program = await instantiate(compile, { 'splicekit:kernel/syscalls': sys, 'splicekit:kernel/syscalls@0.1.0': sys });
  const status = program.run();
  k.destroy();
  return { status, leaked: k.stats().pagesInUse };
}

/**
 * producer | tee | sum with the three guests in this one thread (no Workers,
 * no shared memory): each guest is suspended by JSPI where Linux would block.
 */
async function pipelineOneThread(producer: number[], tee: number[], sum: number[], total: number) {
  const k = new Kernel();
  const [r1, w1] = k.pipe();
  const [r2, w2] = k.pipe();
  const [r3, w3] = k.pipe(O_NONBLOCK);
  const nul = k.open('/dev/null', O_WRONLY);
  const run = async (wasm: number[], args: string[], fds: Record<number, number>) => {
    const proc = k.process(fds);
    const host = new WasiHost(proc, { args });
    host.preopen('.');
    const module = await WebAssembly.compile(new Uint8Array(wasm));
    const status = await host.startSuspending(await WebAssembly.instantiate(module, host.suspendingImports()));
    proc.exit(status);
    return status;
  };
  const jobs = [
    run(producer, ['producer', String(total)], { 1: w1, 2: nul }),
    run(tee, ['tee'], { 0: r1, 1: w2, 2: nul }),
    run(sum, ['sum'], { 0: r2, 1: w3 }),
  ];
  for (const fd of [r1, w1, r2, w2, w3, nul]) k.close(fd);
  const status = await Promise.all(jobs);
  const out = dec(k.read(r3, 100)).trim();
  k.destroy();
  return { jspi: hasJspi(), shared: k.shared, out, status, leaked: k.stats().pagesInUse };
}

/** producer | tee | sum with each guest in its own Web Worker (spawnWeb): blocking calls really wait. */
async function pipelineWorkers(producer: number[], tee: number[], sum: number[], total: number) {
  const k = new Kernel({ shared: true });
  const [r1, w1] = k.pipe();
  const [r2, w2] = k.pipe();
  const [r3, w3] = k.pipe(O_NONBLOCK);
  const nul = k.open('/dev/null', O_WRONLY);
  const mod = (wasm: number[]) => WebAssembly.compile(new Uint8Array(wasm));
  const kids = [
    spawnWeb(k, await mod(producer), { args: ['producer', String(total)], stdout: w1, stderr: nul }),
    spawnWeb(k, await mod(tee), { args: ['tee'], stdin: r1, stdout: w2, stderr: nul }),
    spawnWeb(k, await mod(sum), { args: ['sum'], stdin: r2, stdout: w3 }),
  ];
  for (const fd of [r1, w1, r2, w2, w3, nul]) k.close(fd);
  const status = await Promise.all(kids.map((c) => c.exited));
  const out = dec(k.read(r3, 100)).trim();
  k.destroy();
  return { out, status, leaked: k.stats().pagesInUse };
}

/**
 * Pipe ends as the page's own Web Streams: gzip piped into one pipe,
 * un-gzipped into another, read by a Response; and a BYOB read.
 */
async function streams(text: string) {
  const k = new Kernel();
  const [r, w] = k.pipe();
  const [r2, w2] = k.pipe();
  const [, , out] = await Promise.all([
    new Blob([text]).stream().pipeThrough(new CompressionStream('gzip')).pipeTo(writableOf(k, w)),
    readableOf(k, r).pipeThrough(new DecompressionStream('gzip')).pipeTo(writableOf(k, w2)),
    new Response(readableOf(k, r2)).text(),
  ]);
  const [r3, w3] = k.pipe();
  k.write(w3, new TextEncoder().encode('byob'));
  const { value } = await readableOf(k, r3).getReader({ mode: 'byob' }).read(new Uint8Array(3));
  k.destroy();
  return { same: out === text, byob: dec(value!), leaked: k.stats().pagesInUse };
}

Object.assign(globalThis, { splicekitChecks: { core, workers, guest, component, pipelineOneThread, pipelineWorkers, streams } });
