// Loading a program for `splicekit exec`: read it, compile it, and check
// that it is a WASI command this host can link before anything runs, so
// that every way a program fails to start is one line and a shell's status:
// 127 when PROG does not exist, 126 when it exists but cannot run (a
// directory, not a WebAssembly module, not a WASI command, an import the
// host lacks or has with another type). WebAssembly would link a JS
// function to an import of any function type, so a wrong type is found
// here, from the module's bytes, or it would surface mid-run as a TypeError.

import { closeSync, fstatSync, openSync } from 'node:fs';
import { errorCode, readAll, strerror } from '../hostfd.js';
import { excerpt } from '../trace/lexer.js';
import { hostSignature, signature, type Signature } from './signatures.js';

/** A shell's statuses: the program does not exist, or cannot be run. */
export const NOT_FOUND = 127;
export const NOT_EXECUTABLE = 126;

export type Loaded = { module: WebAssembly.Module; bytes: Uint8Array<ArrayBuffer> } | { status: number; message: string };

/** Reads, compiles and checks `path`; never throws. */
export function loadCommand(path: string): Loaded {
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = readProgram(path);
  } catch (e) {
    const code = errorCode(e);
    return { status: code === 'ENOENT' ? NOT_FOUND : NOT_EXECUTABLE, message: strerror(code) };
  }
  const fail = (message: string): Loaded => ({ status: NOT_EXECUTABLE, message });
  if (bytes.length === 0) return fail('not a WebAssembly module (an empty file)');
  if (bytes.length < 8 || !MAGIC.every((b, i) => bytes[i] === b)) return fail('not a WebAssembly module');
  if (bytes[4] === 0x0d && bytes[6] === 0x01) {
    return fail('a WebAssembly component, not a core module (splicekit exec runs wasm32-wasi preview 1 commands)');
  }
  let module: WebAssembly.Module;
  try {
    module = new WebAssembly.Module(bytes);
  } catch (e) {
    return fail(`invalid WebAssembly module: ${v8Message(e)}`);
  }
  const why = checkCommand(module, bytes);
  return why === null ? { module, bytes } : fail(why);
}

/** V8's message without its `WebAssembly.Module(): ` prefix, on one line. */
export function v8Message(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.replace(/^WebAssembly\.\w+\(\): /, '').replace(/[\r\n]+/g, ' ');
}

const MAGIC = [0x00, 0x61, 0x73, 0x6d];

/**
 * The program's bytes. As execve(2), which runs only regular files, it
 * refuses a directory or a device (`/dev/zero` would never end); a pipe
 * (`<(curl …)`) is read to its end.
 */
function readProgram(path: string): Uint8Array<ArrayBuffer> {
  const fd = openSync(path, 'r');
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    if (!st.isFile() && !st.isFIFO()) throw Object.assign(new Error('not a regular file'), { code: 'EACCES' });
    return readAll(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Why `module` is not a WASI command this host can link, or null: it must
 * export a memory "memory" and a function "_start" of type () -> (), and
 * import only functions of wasi_snapshot_preview1 and splicekit, each with
 * the type the host gives it.
 */
export function checkCommand(module: WebAssembly.Module, bytes: Uint8Array): string | null {
  const shape = readShape(bytes);
  const exports = new Map(WebAssembly.Module.exports(module).map((e) => [e.name, e.kind]));
  const memory = exports.get('memory');
  if (memory === undefined) return 'not a WASI command: it exports no memory';
  if (memory !== 'memory') return `not a WASI command: its export "memory" is a ${kindName(memory)}, not a memory`;
  const start = exports.get('_start');
  if (start === undefined) {
    const reactor = exports.get('_initialize') === 'function' ? ' (it exports _initialize: a reactor, not a command)' : '';
    return `not a WASI command: it exports no _start function${reactor}`;
  }
  if (start !== 'function') return `not a WASI command: its export "_start" is a ${kindName(start)}, not a function`;
  const startType = shape?.exportedFunction('_start');
  if (startType && startType !== '() -> ()') return `not a WASI command: its _start has type ${startType}, not () -> ()`;

  const imports = WebAssembly.Module.imports(module);
  for (const [i, imp] of imports.entries()) {
    const what = excerpt(`${imp.module}.${imp.name}`, '');
    const want = hostSignature(imp.module, imp.name);
    if (want === undefined) return `unresolved import ${what} (a ${kindName(imp.kind)}): splicekit has no such import`;
    if (imp.kind !== 'function') return `import ${what} is a ${kindName(imp.kind)}; splicekit's is a function of type ${want}`;
    const got = shape?.importedFunction(i);
    if (got && got !== want) return `import ${what} has type ${got}; splicekit's has type ${want}`;
  }
  return null;
}

const kindName = (kind: string): string => (kind === 'function' ? 'function' : kind === 'tag' ? 'tag (exception)' : kind);

/** What a module's bytes say about its functions' types. */
interface Shape {
  /** The type of import `i` (in WebAssembly.Module.imports order), if it is a function. */
  importedFunction(i: number): Signature | undefined;
  /** The type of the function exported as `name`. */
  exportedFunction(name: string): Signature | undefined;
}

class Unreadable extends Error {}

/**
 * Reads the type, import, function and export sections of a module that
 * compiled. Returns null for a construct it does not know (GC types, say):
 * then only kinds and names are checked.
 */
function readShape(bytes: Uint8Array): Shape | null {
  const r = new Reader(bytes);
  const types: (Signature | null)[] = [];
  const importTypes: (Signature | undefined)[] = [];
  const funcs: (Signature | null)[] = [];
  const exports = new Map<string, number>();
  try {
    r.at = 8;
    while (r.at < bytes.length) {
      const id = r.u8();
      const size = r.u32();
      const end = r.at + size;
      if (id === 1) {
        for (let n = r.u32(); n > 0; n--) {
          if (r.u8() !== 0x60) throw new Unreadable();
          const params = r.vec(() => r.valtype());
          const results = r.vec(() => r.valtype());
          types.push(signature(params, results));
        }
      } else if (id === 2) {
        for (let n = r.u32(); n > 0; n--) {
          r.name();
          r.name();
          const kind = r.u8();
          if (kind === 0x00) {
            const t = types[r.u32()] ?? null;
            importTypes.push(t ?? undefined);
            funcs.push(t);
          } else {
            importTypes.push(undefined);
            if (kind === 0x01) {
              r.valtype();
              r.limits();
            } else if (kind === 0x02) r.limits();
            else if (kind === 0x03) {
              r.valtype();
              r.u8();
            } else if (kind === 0x04) {
              r.u8();
              r.u32();
            } else throw new Unreadable();
          }
        }
      } else if (id === 3) {
        for (let n = r.u32(); n > 0; n--) funcs.push(types[r.u32()] ?? null);
      } else if (id === 7) {
        for (let n = r.u32(); n > 0; n--) {
          const name = r.name();
          const kind = r.u8();
          const index = r.u32();
          if (kind === 0x00) exports.set(name, index);
        }
      }
      r.at = end;
    }
  } catch {
    return null;
  }
  return {
    importedFunction: (i) => importTypes[i],
    exportedFunction: (name) => {
      const index = exports.get(name);
      return index === undefined ? undefined : (funcs[index] ?? undefined);
    },
  };
}

const VALTYPES: Record<number, string> = {
  127: 'i32',
  126: 'i64',
  125: 'f32',
  124: 'f64',
  123: 'v128',
  112: 'funcref',
  111: 'externref',
};

class Reader {
  at = 0;
  private readonly utf8 = new TextDecoder();
  constructor(private readonly b: Uint8Array) {}

  u8(): number {
    if (this.at >= this.b.length) throw new Unreadable();
    return this.b[this.at++]!;
  }

  /** An unsigned LEB128 (a u64 of memory64 limits too: only its low bits are kept). */
  u32(): number {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = this.u8();
      if (shift < 32) value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return value;
      if (shift > 63) throw new Unreadable();
    }
  }

  vec<T>(item: () => T): T[] {
    const out: T[] = [];
    for (let n = this.u32(); n > 0; n--) out.push(item());
    return out;
  }

  name(): string {
    const n = this.u32();
    if (this.at + n > this.b.length) throw new Unreadable();
    const s = this.utf8.decode(this.b.subarray(this.at, this.at + n));
    this.at += n;
    return s;
  }

  valtype(): string {
    const t = VALTYPES[this.u8()];
    if (t === undefined) throw new Unreadable();
    return t;
  }

  limits(): void {
    const flags = this.u8();
    this.u32();
    if (flags & 1) this.u32();
  }
}
