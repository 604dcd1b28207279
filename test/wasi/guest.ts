// A WASI host on a kernel with a plain WebAssembly.Memory standing in for a
// guest: tests call the imports as a guest would, with pointers into it.

import { Kernel } from '../../src/kernel.js';
import { WasiHost, type WasiOptions } from '../../src/wasi/host.js';

type Fn = (...args: (number | bigint)[]) => number;

export interface Guest {
  k: Kernel;
  host: WasiHost;
  /** wasi_snapshot_preview1 */
  w: Record<string, Fn>;
  /** the splicekit module */
  s: Record<string, Fn>;
  memory: WebAssembly.Memory;
  bytes(ptr: number, len: number): Uint8Array;
  dv(): DataView;
  /** Writes a string (no NUL) at ptr; returns its length. */
  str(ptr: number, s: string): number;
  /** Writes iovecs (u32 ptr, u32 len) at ptr. */
  iovs(ptr: number, list: [number, number][]): void;
  u32(ptr: number): number;
  u64(ptr: number): bigint;
}

export const PAGE = 65536;

export function guest(opts: WasiOptions & { pages?: number } = {}): Guest {
  const k = new Kernel();
  const host = new WasiHost(k, opts);
  host.preopen('.');
  const memory = new WebAssembly.Memory({ initial: opts.pages ?? 1 });
  host.bindMemory(memory);
  const imports = host.imports();
  const g: Guest = {
    k,
    host,
    memory,
    w: imports.wasi_snapshot_preview1 as Record<string, Fn>,
    s: imports.splicekit as Record<string, Fn>,
    bytes: (ptr, len) => new Uint8Array(memory.buffer, ptr, len),
    dv: () => new DataView(memory.buffer),
    str(ptr, s) {
      const b = new TextEncoder().encode(s);
      g.bytes(ptr, b.length).set(b);
      return b.length;
    },
    iovs(ptr, list) {
      list.forEach(([p, n], i) => {
        g.dv().setUint32(ptr + i * 8, p, true);
        g.dv().setUint32(ptr + i * 8 + 4, n, true);
      });
    },
    u32: (ptr) => g.dv().getUint32(ptr, true),
    u64: (ptr) => g.dv().getBigUint64(ptr, true),
  };
  return g;
}

export const enc = (s: string) => new TextEncoder().encode(s);
export const dec = (b: Uint8Array) => new TextDecoder().decode(b);
