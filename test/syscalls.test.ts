// The syscall table is the one definition of every call: each surface that
// offers the calls comes from it or is checked against it here, so a
// surface that drifts from the table fails.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kernel } from './support/kernels.js';
import { instantiateCore } from '../src/core.js';
import { ERRNO, InvalidArgument } from '../src/errors.js';
import { Channel } from '../src/proc/channel.js';
import { decodeArgs, decodeResult, encodeArgs, encodeResult, finish, writeBack } from '../src/proc/codec.js';
import { RemoteProcess } from '../src/proc/remote.js';
import { Process } from '../src/process.js';
import type { ArgWire, ResultWire } from '../src/syscalls/args.js';
import { DEFS, SYSCALL_NAMES, type SyscallName } from '../src/syscalls/table.js';
import { OP_SYSCALLS } from '../src/trace/run.js';
import { GUEST_REACH } from '../src/wasi/host.js';
import { GUEST_IMPORTS, splicekitCalls } from '../src/wasi/splicekit.js';
import { WasiContext } from '../src/wasi/context.js';
import { WIT_CALLS, witSyscalls } from '../src/wit/host.js';
import type { IoVec, UserBuffer } from '../src/types.js';

const ROOT = join(import.meta.dirname, '..');

describe('a process', () => {
  it('has every call of the table as a method, and awaitable forms of exactly the calls that can wait', () => {
    const k = kernel();
    for (const name of SYSCALL_NAMES) {
      expect(typeof (Process.prototype as unknown as Record<string, unknown>)[name], name).toBe('function');
      expect(typeof (RemoteProcess.prototype as unknown as Record<string, unknown>)[name], name).toBe('function');
    }
    const blocking = SYSCALL_NAMES.filter((n) => DEFS[n].blocks !== false);
    expect(Object.keys(k.async).sort()).toEqual([...blocking].sort());
    expect(blocking).toEqual(expect.arrayContaining(['read', 'write', 'splice', 'tee', 'vmsplice', 'sendfile']));
  });

  it('checks every argument against its type before anything happens', () => {
    const k = kernel();
    const before = { ...k.stats() };
    for (const name of SYSCALL_NAMES) {
      const n = DEFS[name].args.length;
      for (let i = 0; i < n; i++) {
        const args: unknown[] = Array(n).fill(undefined);
        args[i] = Symbol('not a value of any C type');
        const call = () => (k[name] as (...a: unknown[]) => unknown).apply(k, args);
        expect(call, `${name} argument ${i + 1}`).toThrow(InvalidArgument);
      }
    }
    expect(k.stats()).toEqual(before);
  });

  it("says what was wrong, in Node's terms", () => {
    const k = kernel();
    const [r] = k.pipe();
    expect(() => k.read('3' as unknown as number, 1)).toThrow(/read: argument 1 must be an integer/);
    expect(() => k.read(r, -1)).toThrow(/read: argument 2 must be an integer from 0/);
    expect(() => k.lseek(r, Number.NaN, 0)).toThrow(/lseek: argument 2 must be a safe integer, got NaN/);
    expect(() => k.splice(r, Object.freeze({ value: 1 }), r, null, 1, 0)).toThrow(/offset whose value can be written/);
    try {
      k.close(1.5);
    } catch (e) {
      expect(e).toMatchObject({ code: 'ERR_INVALID_ARG_TYPE', syscall: 'close' });
    }
    expect.assertions(5);
  });
});

describe('the call channel carries every argument and result type of the table', () => {
  /** A sample value of each argument type, and how to compare it after the trip. */
  function sample(wire: ArgWire, p: Process, buf: UserBuffer): unknown {
    switch (wire) {
      case 'num':
        return 7;
      case 'loff':
        return { value: 42 };
      case 'bytes':
        return Uint8Array.from([1, 2, 3]);
      case 'dest':
        return buf.bytes.subarray(8, 24);
      case 'str':
        return 'päth/ü';
      case 'iovecs':
        return [
          { buf, offset: 1, length: 2 },
          { buf, offset: 4096, length: 9 },
        ] satisfies IoVec[];
      case 'pollfds':
        return [
          { fd: 3, events: 1 },
          { fd: -1, events: 4 },
        ];
      case 'buffer':
        return buf;
      case 'json':
        return { ackDelay: 5 };
    }
    return p;
  }

  it('arguments of every call arrive as sent, in/out offsets come back', () => {
    const k = kernel({ shared: true });
    const p = k.process();
    const staging = p.alloc(1 << 16);
    const buf = p.alloc(8192);
    const ch = Channel.create();
    for (const name of SYSCALL_NAMES) {
      const wires = DEFS[name].args.map((a) => a.wire);
      const args = wires.map((w) => sample(w, p, buf));
      const pending = encodeArgs(ch, wires, args, staging, k.memory);
      const got = decodeArgs(ch, wires, p, staging);
      wires.forEach((w, i) => {
        if (w === 'buffer') expect(got[i], name).toBe(buf);
        else if (w === 'iovecs')
          expect(
            (got[i] as IoVec[]).map((v) => [v.buf, v.offset, v.length]),
            name,
          ).toEqual([
            [buf, 1, 2],
            [buf, 4096, 9],
          ]);
        else if (w === 'bytes' || w === 'dest') expect([...(got[i] as Uint8Array)], name).toEqual([...(args[i] as Uint8Array)]);
        else expect(got[i], name).toEqual(args[i]);
      });
      // The kernel's side moves the offsets; the caller's objects take the new values.
      for (const a of got) if (a && typeof a === 'object' && 'value' in a) (a as { value: number }).value += 100;
      writeBack(ch, wires, got);
      finish(ch, pending, staging, 0);
      wires.forEach((w, i) => {
        if (w === 'loff') expect(args[i], name).toEqual({ value: 142 });
      });
    }
  });

  it('results of every call arrive as returned', () => {
    const k = kernel({ shared: true });
    const p = k.process();
    const staging = p.alloc(1 << 16);
    const [r, w] = p.pipe();
    p.write(w, Uint8Array.from([9, 8, 7]));
    const samples: Record<ResultWire, unknown> = {
      num: 5,
      void: undefined,
      bool: true,
      pair: [3, 4],
      nums: [1, 0, 32],
      bytes: Uint8Array.from([5, 6]),
      buffer: p.alloc(100),
      countId: { count: 10, id: 2 },
      loan: p.vmspliceLoan(r, 100, 0),
      json: p.describe(r),
    };
    const ch = Channel.create();
    let released = 0;
    for (const name of SYSCALL_NAMES) {
      const wire = DEFS[name].returns.wire;
      encodeResult(ch, wire, samples[wire], staging);
      const got = decodeResult(ch, wire, { memory: k.memory, staging, releaseLoan: () => released++ });
      if (wire === 'bytes') expect([...(got as Uint8Array)], name).toEqual([5, 6]);
      else if (wire === 'buffer') expect([(got as UserBuffer).addr, (got as UserBuffer).length], name).toEqual([(samples.buffer as UserBuffer).addr, 100]);
      else if (wire === 'loan') {
        const loan = got as { handle: number; count: number; views: Uint8Array[]; release(): void };
        expect([loan.count, [...loan.views[0]]], name).toEqual([3, [9, 8, 7]]);
        loan.release();
        loan.release();
        expect(released, 'a loan is released once').toBe(1);
      } else expect(got, name).toEqual(samples[wire]);
    }
    (samples.loan as { release(): void }).release();
  });
});

describe('guests: the splicekit module, the C header and the table agree', () => {
  it('the module has exactly GUEST_IMPORTS, with their C arity; each names a call of the table', () => {
    const k = kernel();
    const calls = splicekitCalls(new WasiContext(k));
    expect(Object.keys(calls).sort()).toEqual(Object.keys(GUEST_IMPORTS).sort());
    for (const [name, { syscall, params }] of Object.entries(GUEST_IMPORTS)) {
      expect((calls as Record<string, (...a: number[]) => number>)[name]!.length, name).toBe(params.length);
      if (syscall !== null) expect(SYSCALL_NAMES, name).toContain(syscall);
    }
  });

  it('include/splicekit.h imports exactly GUEST_IMPORTS, with the same C parameter types', () => {
    const header = readFileSync(join(ROOT, 'include/splicekit.h'), 'utf8');
    const declared = new Map<string, string[]>();
    for (const m of header.matchAll(/^SPLICEKIT_IMPORT\((\w+)\) int __splicekit_\w+\(([^)]*)\);/gm)) {
      // A parameter's type is all but its name: "loff_t *off_in" -> "loff_t *".
      const types = m[2]!.split(',').map((p) =>
        p
          .trim()
          .replace(/\s*\b\w+$/, '')
          .replace(/\*\s*$/, '*')
          .replace(/(\w)\*$/, '$1 *'),
      );
      declared.set(m[1]!, types);
    }
    expect([...declared.keys()].sort()).toEqual(Object.keys(GUEST_IMPORTS).sort());
    for (const [name, { params }] of Object.entries(GUEST_IMPORTS)) expect(declared.get(name), name).toEqual([...params]);
  });

  it('include/splicekit.h maps every errno of the table to its wasi-libc name (none falls to EIO)', () => {
    const header = readFileSync(join(ROOT, 'include/splicekit.h'), 'utf8');
    const body = header.slice(header.indexOf('static inline int splicekit_errno'), header.indexOf('default: return EIO;'));
    const mapped = new Map<number, string>();
    for (const m of body.matchAll(/((?:case \d+: )+)return (E\w+);/g)) {
      for (const c of m[1]!.matchAll(/case (\d+):/g)) mapped.set(Number(c[1]), m[2]!);
    }
    // wasi-libc spells two of Linux's names as one, and has no ENODATA (the default, EIO, stands in).
    const renamed: Record<string, string> = { EOPNOTSUPP: 'ENOTSUP', ESOCKTNOSUPPORT: 'ENOTSUP', ENODATA: 'EIO' };
    for (const [name, n] of Object.entries(ERRNO)) expect(mapped.get(n) ?? 'EIO', name).toBe(renamed[name] ?? name);
  });

  it("every call of the table reaches a guest one way, or is the host's own tool", () => {
    const viaModule = Object.values(GUEST_IMPORTS).flatMap((g) => (g.syscall === null ? [] : [g.syscall]));
    const ways = [...viaModule, ...GUEST_REACH.preview1, ...GUEST_REACH.host] as SyscallName[];
    expect(new Set(ways)).toEqual(new Set(SYSCALL_NAMES));
    // The two WASI ways do not overlap the host's own.
    for (const name of GUEST_REACH.host)
      expect((viaModule as string[]).includes(name) || (GUEST_REACH.preview1 as readonly string[]).includes(name), name).toBe(false);
  });
});

describe('the WIT host and the trace runner are table calls', () => {
  it('every WIT function is implemented, on a call of the table', () => {
    const k = kernel();
    expect(Object.keys(witSyscalls(k)).sort()).toEqual(Object.keys(WIT_CALLS).sort());
    for (const call of Object.values(WIT_CALLS)) expect(SYSCALL_NAMES).toContain(call);
    const wit = readFileSync(join(ROOT, 'wit/splicekit.wit'), 'utf8');
    const funcs = [...wit.matchAll(/^\s*([a-z][a-z0-9-]*): func\(/gm)].map((m) => m[1]!.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()));
    expect(funcs.filter((f) => f !== 'run').sort()).toEqual(Object.keys(WIT_CALLS).sort());
  });

  it('every trace operation makes a call of the table (or none: show, tick)', () => {
    for (const [op, call] of Object.entries(OP_SYSCALLS)) {
      if (call === null) expect(['show', 'tick'], op).toContain(op);
      else expect(SYSCALL_NAMES, op).toContain(call);
    }
  });
});

describe("the host's view of the core", () => {
  it('names every export of the compiled core, and only those', () => {
    const generated = readFileSync(join(ROOT, 'src/generated/core-abi.ts'), 'utf8');
    const iface = generated.slice(generated.indexOf('interface CoreExports'), generated.indexOf('\n}\n'));
    const declared = [...iface.matchAll(/^ {2}(\w+)\(/gm)].map((m) => m[1]!).sort();
    const memory = new WebAssembly.Memory({ initial: 2, maximum: 16384 });
    const exports = Object.keys(instantiateCore(memory, false))
      .filter((n) => n !== 'memory')
      .sort();
    expect(declared).toEqual(exports);
  });
});
