// Loads the Wasm data plane onto a memory and gives it a typed face.

import { CORE_EXPORTS, LAYOUT, type CoreExports } from './generated/core-abi.js';
import { CORE_SHARED_WASM, CORE_WASM } from './generated/core-wasm.js';

export type { CoreExports } from './generated/core-abi.js';
export { LAYOUT } from './generated/core-abi.js';

/** assembly/layout.ts: BLOCK, "would wait and moved nothing". */
export const BLOCK = LAYOUT.BLOCK;

const modules = new Map<boolean, WebAssembly.Module>();

function decode(base64: string): Uint8Array {
  if (typeof atob === 'function') return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return new Uint8Array(Buffer.from(base64, 'base64'));
}

/** The compiled core for a shared or an unshared memory (compiled once). */
export function coreModule(shared: boolean): WebAssembly.Module {
  let m = modules.get(shared);
  if (!m) {
    m = new WebAssembly.Module(decode(shared ? CORE_SHARED_WASM : CORE_WASM) as BufferSource);
    modules.set(shared, m);
  }
  return m;
}

/**
 * Supplies a compiled core: for runtimes that may not compile Wasm from
 * bytes at run time (workerd), which import build/core.wasm as a module.
 */
export function useCoreModule(shared: boolean, module: WebAssembly.Module): void {
  modules.set(shared, module);
}

/** Compiles both variants off the main thread (browsers limit synchronous compiles). */
export async function precompileCore(): Promise<void> {
  for (const shared of [false, true]) {
    if (!modules.has(shared)) {
      modules.set(shared, await WebAssembly.compile(decode(shared ? CORE_SHARED_WASM : CORE_WASM) as BufferSource));
    }
  }
}

export function sharedMemoryAvailable(): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== false;
}

/** Whether an instance's exports are the core's: every export CoreExports names is a function. */
function isCore(e: WebAssembly.Exports): e is WebAssembly.Exports & CoreExports {
  return CORE_EXPORTS.every((name) => typeof e[name] === 'function');
}

/**
 * Copies `len` bytes at `off` in a foreign page (a page of a process's own
 * memory: LAYOUT.FOREIGN | space << SPACE_SHIFT | page) into the core's
 * memory at `dst`. The core calls it inside its critical sections: it must
 * not block or throw.
 */
export type ForeignCopy = (dst: number, page: number, off: number, len: number) => void;

/** Where no process memory is known: a foreign page there is a host bug. */
const noForeignMemory: ForeignCopy = (_dst, page) => {
  throw new Error(`no memory known for foreign page 0x${(page >>> 0).toString(16)}`);
};

export function instantiateCore(memory: WebAssembly.Memory, shared: boolean, foreignCopy: ForeignCopy = noForeignMemory): CoreExports {
  const { exports } = new WebAssembly.Instance(coreModule(shared), { env: { memory, foreignCopy } });
  if (!isCore(exports)) throw new TypeError('the module given as the core lacks some of its exports');
  return exports;
}

/** WebAssembly pages (64 KiB) needed for `bytes`. */
export function wasmPages(bytes: number): number {
  return Math.ceil(bytes / 65536);
}

/** The most a machine's memory may grow to: 2 GiB, so every address is a positive i32 (asconfig.json's maximumMemory). */
export const MAX_WASM_PAGES = 32768;
