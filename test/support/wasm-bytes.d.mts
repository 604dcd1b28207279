// Types of wasm-bytes.mjs (a plain module, so runtimes without TypeScript can load it).

/** Value type bytes: i32, i64, f32, f64. */
export const T: { i32: number; i64: number; f32: number; f64: number };

export interface ImportSpec {
  module: string;
  name: string;
  kind?: 'func' | 'memory' | 'global' | 'table';
  params?: number[];
  results?: number[];
}

export interface FuncSpec {
  params?: number[];
  results?: number[];
  export?: string;
  /** The code's bytes without locals or the final end (default: unreachable). */
  body?: number[];
}

export interface ModuleSpec {
  imports?: ImportSpec[];
  funcs?: FuncSpec[];
  /** Export memory 0 under this name; null for none. */
  memory?: string | null;
  globals?: string[];
  start?: number;
  data?: { offset: number; bytes: number[] | Uint8Array };
}

export function wasmModule(spec?: ModuleSpec): Uint8Array<ArrayBuffer>;
