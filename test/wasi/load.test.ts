// Loading a program for `splicekit exec` (src/wasi/load.ts): every way a
// program cannot start is a message and a shell's status, found before it
// runs; the import types it checks are the host's.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Kernel } from '../../src/kernel.js';
import { WasiHost } from '../../src/wasi/host.js';
import { checkCommand, loadCommand } from '../../src/wasi/load.js';
import { HOST_FUNCTIONS, signature } from '../../src/wasi/signatures.js';
import { T, wasmModule } from '../support/wasm-bytes.mjs';
import { build, EXAMPLES, HAVE_WASI_CLANG, ROOT } from './toolchain.js';

const dir = mkdtempSync(join(tmpdir(), 'splicekit-load-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const P1 = 'wasi_snapshot_preview1';
const start = { export: '_start', body: [] };

/** loadCommand of `bytes` written to a file. */
function load(bytes: Uint8Array) {
  const path = join(dir, `m${Math.random().toString(36).slice(2)}.wasm`);
  writeFileSync(path, bytes);
  const loaded = loadCommand(path);
  return 'status' in loaded ? loaded : 'ok';
}

describe('the import types', () => {
  it('name every function the host offers, and no other', () => {
    const k = new Kernel();
    try {
      const offered = new WasiHost(k).imports();
      expect(Object.keys(HOST_FUNCTIONS).sort()).toEqual(Object.keys(offered).sort());
      for (const [module, fns] of Object.entries(offered)) {
        expect(Object.keys(HOST_FUNCTIONS[module]!).sort(), module).toEqual(Object.keys(fns).sort());
      }
    } finally {
      k.destroy();
    }
  });

  it('have as many parameters as the host function takes, where it names them', () => {
    const k = new Kernel();
    try {
      for (const [module, fns] of Object.entries(new WasiHost(k).imports())) {
        for (const [name, f] of Object.entries(fns)) {
          const params = /^\((.*)\) ->/.exec(HOST_FUNCTIONS[module]![name]!)![1]!;
          const count = params === '' ? 0 : params.split(', ').length;
          // The ENOSYS stubs take no parameters at all: () => ENOSYS.
          if ((f as () => unknown).length > 0) expect((f as () => unknown).length, `${module}.${name}`).toBe(count);
        }
      }
    } finally {
      k.destroy();
    }
  });

  it('render as (params) -> result', () => {
    expect(signature([], [])).toBe('() -> ()');
    expect(signature(['i32', 'i64'], ['i32'])).toBe('(i32, i64) -> i32');
    expect(signature(['i32'], ['i32', 'i32'])).toBe('(i32) -> (i32, i32)');
  });
});

describe.runIf(HAVE_WASI_CLANG)('programs clang builds for wasm32-wasi', () => {
  it('pass the checks: the C examples, and a guest of the splicekit module', async () => {
    for (const [name, src] of [
      ['cat', EXAMPLES],
      ['tee', EXAMPLES],
      ['syscalls', join(ROOT, 'test/wasi/c')],
    ] as const) {
      const { wasm } = await build(name, dir, src);
      expect(loadCommand(wasm), name).toMatchObject({ module: expect.any(WebAssembly.Module) });
    }
  }, 60_000);
});

describe('programs that cannot start', () => {
  const cases: [string, Uint8Array, string][] = [
    ['an empty file', new Uint8Array(0), 'not a WebAssembly module (an empty file)'],
    ['text', new TextEncoder().encode('#!/bin/sh\necho hi\n'), 'not a WebAssembly module'],
    [
      'a component',
      Uint8Array.from([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0]),
      'a WebAssembly component, not a core module (splicekit exec runs wasm32-wasi preview 1 commands)',
    ],
    [
      'a truncated module',
      wasmModule({ funcs: [start] }).subarray(0, 20),
      'invalid WebAssembly module: section (code 5, "Memory") extends past end of the module (length 3, remaining bytes 0) @+18',
    ],
    ['no memory', wasmModule({ memory: null, funcs: [start] }), 'not a WASI command: it exports no memory'],
    [
      'a function named memory',
      wasmModule({ memory: null, funcs: [{ export: 'memory', body: [] }, start] }),
      'not a WASI command: its export "memory" is a function, not a memory',
    ],
    ['no _start', wasmModule({}), 'not a WASI command: it exports no _start function'],
    [
      'a reactor',
      wasmModule({ funcs: [{ export: '_initialize', body: [] }] }),
      'not a WASI command: it exports no _start function (it exports _initialize: a reactor, not a command)',
    ],
    ['a global _start', wasmModule({ globals: ['_start'] }), 'not a WASI command: its export "_start" is a global, not a function'],
    ['a _start with a parameter', wasmModule({ funcs: [{ ...start, params: [T.i32] }] }), 'not a WASI command: its _start has type (i32) -> (), not () -> ()'],
    [
      'a _start with a result',
      wasmModule({ funcs: [{ ...start, results: [T.i32], body: [0x41, 0x00] }] }),
      'not a WASI command: its _start has type () -> i32, not () -> ()',
    ],
    [
      'an import the host lacks',
      wasmModule({ imports: [{ module: P1, name: 'fd_frob', params: [T.i32], results: [T.i32] }], funcs: [start] }),
      'unresolved import wasi_snapshot_preview1.fd_frob (a function): splicekit has no such import',
    ],
    [
      'an import from another module',
      wasmModule({ imports: [{ module: 'env', name: 'f' }], funcs: [start] }),
      'unresolved import env.f (a function): splicekit has no such import',
    ],
    [
      "a name on Object's prototype",
      wasmModule({ imports: [{ module: P1, name: 'toString' }], funcs: [start] }),
      'unresolved import wasi_snapshot_preview1.toString (a function): splicekit has no such import',
    ],
    [
      'an imported memory',
      wasmModule({ imports: [{ module: 'env', name: 'memory', kind: 'memory' }], funcs: [start] }),
      'unresolved import env.memory (a memory): splicekit has no such import',
    ],
    [
      'a global where the host has a function',
      wasmModule({ imports: [{ module: P1, name: 'fd_write', kind: 'global' }], funcs: [start] }),
      "import wasi_snapshot_preview1.fd_write is a global; splicekit's is a function of type (i32, i32, i32, i32) -> i32",
    ],
    [
      'a function of another type',
      wasmModule({ imports: [{ module: P1, name: 'fd_seek', params: [T.i32, T.i32, T.i32, T.i32], results: [T.i32] }], funcs: [start] }),
      "import wasi_snapshot_preview1.fd_seek has type (i32, i32, i32, i32) -> i32; splicekit's has type (i32, i64, i32, i32) -> i32",
    ],
    [
      'proc_exit with a result',
      wasmModule({ imports: [{ module: P1, name: 'proc_exit', params: [T.i32], results: [T.i32] }], funcs: [start] }),
      "import wasi_snapshot_preview1.proc_exit has type (i32) -> i32; splicekit's has type (i32) -> ()",
    ],
    [
      'a splicekit call of another type',
      wasmModule({ imports: [{ module: 'splicekit', name: 'splice', params: [T.i32, T.i64, T.i32, T.i64, T.i32, T.i32], results: [T.i32] }], funcs: [start] }),
      "import splicekit.splice has type (i32, i64, i32, i64, i32, i32) -> i32; splicekit's has type (i32, i32, i32, i32, i32, i32) -> i32",
    ],
    [
      'a long import name',
      wasmModule({ imports: [{ module: 'env', name: `\n${'x'.repeat(100)}` }], funcs: [start] }),
      `unresolved import env.\\x0a${'x'.repeat(35)}… (105 bytes) (a function): splicekit has no such import`,
    ],
  ];
  for (const [what, bytes, message] of cases) {
    it(`${what}: 126`, () => {
      expect(load(bytes)).toEqual({ status: 126, message });
    });
  }

  it("accepts right ones: imports of the host's types, and an ENOSYS call too", () => {
    const imports = [
      { module: P1, name: 'fd_write', params: [T.i32, T.i32, T.i32, T.i32], results: [T.i32] },
      { module: P1, name: 'fd_seek', params: [T.i32, T.i64, T.i32, T.i32], results: [T.i32] },
      { module: P1, name: 'proc_exit', params: [T.i32] },
      { module: P1, name: 'sock_shutdown', params: [T.i32, T.i32], results: [T.i32] },
      { module: 'splicekit', name: 'tee', params: [T.i32, T.i32, T.i32, T.i32], results: [T.i32] },
    ];
    expect(load(wasmModule({ imports, funcs: [start] }))).toBe('ok');
  });

  it('a file that does not exist: 127; a directory, a device, a path through a file: 126', () => {
    expect(loadCommand(join(dir, 'nope.wasm'))).toEqual({ status: 127, message: 'No such file or directory' });
    mkdirSync(join(dir, 'd.wasm'));
    expect(loadCommand(join(dir, 'd.wasm'))).toEqual({ status: 126, message: 'Is a directory' });
    expect(loadCommand('/dev/zero')).toEqual({ status: 126, message: 'Permission denied' });
    writeFileSync(join(dir, 'plain'), '');
    expect(loadCommand(join(dir, 'plain/x.wasm'))).toEqual({ status: 126, message: 'Not a directory' });
  });

  it('checkCommand says null for a command', () => {
    const bytes = wasmModule({ funcs: [start] });
    expect(checkCommand(new WebAssembly.Module(bytes), bytes)).toBeNull();
  });
});
