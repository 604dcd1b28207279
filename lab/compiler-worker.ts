// The lab's C compiler, in a Worker: clang and wasm-ld from @yowasp/clang
// (LLVM built for WebAssembly, with a wasm32-wasip1 sysroot). The toolchain
// (about 100 MB) is fetched and compiled on the first request only;
// include/splicekit.h is in the program's include path.

import { commands, Exit, runLLVM } from '@yowasp/clang';
import header from '../include/splicekit.h?raw';
import { type CompileRequest, type CompilerMessage, PROGRAM_FILE } from '../src/lab/compiler.js';

/** `wasm32-wasip1`: this sysroot's triple (plain `wasm32-wasi` finds no libc here). */
const FLAGS = ['--target=wasm32-wasip1', '-O2', '-Wall', '-Iinclude', '-fno-color-diagnostics'];

/** This Worker's scope (the lab's types are the page's, whose postMessage takes a target origin). */
const scope = self as unknown as { postMessage(m: unknown, transfer: Transferable[]): void; onmessage: (e: MessageEvent<CompileRequest>) => void };

let loaded: Promise<unknown> | undefined;
const post = (m: CompilerMessage) => scope.postMessage(m, m.kind === 'done' && m.wasm ? [m.wasm.buffer as ArrayBuffer] : []);

scope.onmessage = async (e) => {
  const { id, source } = e.data;
  try {
    // No arguments: only fetch and compile the toolchain (the first compile's wait, with progress).
    loaded ??= Promise.resolve(
      runLLVM(undefined, {}, { fetchProgress: ({ totalLength, doneLength }) => post({ kind: 'progress', id, done: doneLength, total: totalLength }) }),
    );
    await loaded;
  } catch (err) {
    loaded = undefined;
    post({ kind: 'failed', id, message: `the compiler could not be loaded: ${err instanceof Error ? err.message : String(err)}` });
    return;
  }
  let stderr = '';
  const decoder = new TextDecoder();
  const collect = (bytes: Uint8Array | null) => {
    stderr += bytes ? decoder.decode(bytes, { stream: true }) : decoder.decode();
  };
  const started = performance.now();
  try {
    const files = { [PROGRAM_FILE]: source, include: { 'splicekit.h': header } };
    const out = await commands.clang([...FLAGS, PROGRAM_FILE, '-o', 'program.wasm'], files, { stdout: collect, stderr: collect });
    const wasm = out?.['program.wasm'];
    post({ kind: 'done', id, status: 0, stderr, wasm: wasm instanceof Uint8Array ? wasm : undefined, ms: performance.now() - started });
  } catch (err) {
    if (!(err instanceof Exit)) {
      post({ kind: 'failed', id, message: err instanceof Error ? err.message : String(err) });
      return;
    }
    post({ kind: 'done', id, status: err.code, stderr, ms: performance.now() - started });
  }
};
