// Loads the Wasm data plane onto a memory and gives it a typed face.

import { CORE_SHARED_WASM, CORE_WASM } from './generated/core-wasm.js';

/** The core's exports (assembly/index.ts). Addresses and counts are u32. */
export interface CoreExports {
  init(npages: number, nuser: number, nrings: number): number;
  memoryNeeded(npages: number, nuser: number, nrings: number): number;
  attach(): number;
  setFlags(flags: number): void;
  setThreaded(): void;
  ringHeaders(): number;
  ringSlots(): number;
  ringCap(): number;
  refsAddr(): number;
  slotSize(): number;
  freeKernelPages(): number;
  freeUserPages(): number;
  userAlloc(count: number): number;
  userFree(firstPage: number, count: number): void;
  pageRefs(page: number): number;
  pagePut(page: number): void;
  pageGet(page: number): void;
  ringNew(slots: number): number;
  ringFree(r: number): void;
  ringOpen(r: number): void;
  ringShare(r: number): void;
  ringClose(r: number): void;
  ringResize(r: number, slots: number): number;
  ringBytes(r: number): number;
  ringHead(r: number): number;
  ringTail(r: number): number;
  ringFull(r: number): boolean;
  addReaders(r: number, delta: number): number;
  addWriters(r: number, delta: number): number;
  maxUsage(r: number): number;
  occupancy(r: number): number;
  readers(r: number): number;
  writers(r: number): number;
  seqAddr(r: number): number;
  waitersAddr(r: number): number;
  pipeWrite(r: number, src: number, len: number, nonblock: boolean, merge: boolean, newFlags: number): number;
  pipeRead(r: number, dst: number, len: number, nonblock: boolean): number;
  pipeToUser(r: number, iov: number, niov: number, nonblock: boolean): number;
  pipeDiscard(r: number, len: number, nonblock: boolean): number;
  splicePipeToPipe(a: number, b: number, len: number, nonblock: boolean): number;
  tee(a: number, b: number, len: number, nonblock: boolean): number;
  vmspliceToPipe(r: number, iov: number, niov: number, gift: boolean, nonblock: boolean, tag: number): number;
  addCachePages(r: number, list: number, n: number, off: number, len: number): number;
  addZeroPages(r: number, len: number): number;
  drainToPages(r: number, len: number, list: number, off: number): void;
  copyToPages(list: number, off: number, src: number, len: number): void;
  copyFromPages(list: number, off: number, dst: number, len: number): void;
  putPages(list: number, n: number): void;
  allocPages(list: number, n: number): number;
  waitForSpace(r: number, nonblock: boolean): number;
  move(a: number, b: number, len: number, limit: number, keep: number): number;
  cloneSlots(a: number, from: number, count: number, b: number): void;
  dropSlots(r: number, count: number): void;
  tagNew(): number;
  tagFree(tag: number): void;
  tagRefs(tag: number): number;
  completionPop(): number;
  completionSeqAddr(): number;
  compoundAlloc(count: number): number;
  addFragCopy(r: number, src: number, len: number): number;
  moveToSkb(a: number, b: number, len: number, maxFrags: number): number;
  prefixBytes(r: number, n: number): number;
  linearToPipe(rx: number, r: number, n: number, frag: number, fragOff: number, coalesce: boolean): number;
}

/** assembly/layout.ts: BLOCK, "would wait and moved nothing". */
export const BLOCK = -512;

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

export function instantiateCore(memory: WebAssembly.Memory, shared: boolean): CoreExports {
  const instance = new WebAssembly.Instance(coreModule(shared), { env: { memory } });
  return instance.exports as unknown as CoreExports;
}

/** WebAssembly pages (64 KiB) needed for `bytes`. */
export function wasmPages(bytes: number): number {
  return Math.ceil(bytes / 65536);
}

export const MAX_WASM_PAGES = 16384;
