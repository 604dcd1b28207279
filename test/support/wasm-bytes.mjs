// A tiny WebAssembly module writer, for tests that need small modules of a
// precise shape (a bad import, a missing export, a `_start` of the wrong
// type) as bytes, without a toolchain.

const I32 = 0x7f,
  I64 = 0x7e,
  F32 = 0x7d,
  F64 = 0x7c;
export const T = { i32: I32, i64: I64, f32: F32, f64: F64 };

const uleb = (n) => {
  const out = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
};
const sleb = (n) => {
  const out = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) return [...out, b];
    out.push(b | 0x80);
  }
};
const str = (s) => {
  const b = [...new TextEncoder().encode(s)];
  return [...uleb(b.length), ...b];
};
const vec = (items) => [...uleb(items.length), ...items.flat()];
const section = (id, body) => (body.length === 0 ? [] : [id, ...uleb(body.length), ...body]);

/**
 * Builds a module. `imports`: { module, name, kind: 'func', params, results }
 * or { module, name, kind: 'memory' | 'global' | 'table' }. `funcs`: defined
 * functions { params, results, export?, body? }, `body` being the code's
 * bytes without locals or the final end (default: `unreachable`).
 * `memory`: export memory 0 (a one-page memory of its own, unless one is
 * imported) under this name (default 'memory', null for none). `globals`: names of exported i32 constant globals.
 * `start`: the index of a start function. `data`: { offset, bytes } to
 * place in memory 0 when instantiated.
 */
export function wasmModule({ imports = [], funcs = [], memory = 'memory', globals = [], start, data } = {}) {
  const types = [];
  const typeOf = (params = [], results = []) => {
    const key = `${params}|${results}`;
    let i = types.findIndex((t) => t.key === key);
    if (i < 0) i = types.push({ key, bytes: [0x60, ...vec(params), ...vec(results)] }) - 1;
    return i;
  };
  const importBytes = imports.map((im) => {
    const head = [...str(im.module), ...str(im.name)];
    switch (im.kind ?? 'func') {
      case 'func':
        return [...head, 0x00, ...uleb(typeOf(im.params, im.results))];
      case 'table':
        return [...head, 0x01, 0x70, 0x00, 0x00];
      case 'memory':
        return [...head, 0x02, 0x00, 0x01];
      case 'global':
        return [...head, 0x03, I32, 0x00];
      default:
        throw new Error(`bad import kind ${im.kind}`);
    }
  });
  // An imported memory is memory 0, and the one exported.
  const importsMemory = imports.some((im) => im.kind === 'memory');
  const funcImports = imports.filter((im) => (im.kind ?? 'func') === 'func').length;
  const funcTypes = funcs.map((f) => uleb(typeOf(f.params, f.results)));
  const exports = [];
  if (memory !== null) exports.push([...str(memory), 0x02, 0x00]);
  funcs.forEach((f, i) => {
    if (f.export) exports.push([...str(f.export), 0x00, ...uleb(funcImports + i)]);
  });
  globals.forEach((g, i) => exports.push([...str(g), 0x03, ...uleb(i)]));
  // No locals, then the code (default `unreachable`), then end.
  const bodies = funcs.map((f) => {
    const code = [0x00, ...(f.body ?? [0x00]), 0x0b];
    return [...uleb(code.length), ...code];
  });
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, types.length ? vec(types.map((t) => t.bytes)) : []),
    ...section(2, importBytes.length ? vec(importBytes) : []),
    ...section(3, funcTypes.length ? vec(funcTypes) : []),
    ...section(5, memory !== null && !importsMemory ? [0x01, 0x00, 0x01] : []),
    ...section(6, globals.length ? vec(globals.map(() => [I32, 0x00, 0x41, 0x00, 0x0b])) : []),
    ...section(7, exports.length ? vec(exports) : []),
    ...section(8, start === undefined ? [] : uleb(start)),
    ...section(10, bodies.length ? vec(bodies) : []),
    ...section(11, data ? [0x01, 0x00, 0x41, ...sleb(data.offset), 0x0b, ...uleb(data.bytes.length), ...data.bytes] : []),
  ]);
}
