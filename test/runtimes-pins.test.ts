// The pinned versions (test/runtimes/versions.json), the fetched runtimes,
// the README and package.json agree: every pin is exact, each fetched binary reports its pin,
// npm recorded the integrity it checked for every tarball it installed, and the
// repository's own install carries nothing that only the matrix needs.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fetched, kindOf, runtime, VERSIONS } from '../scripts/runtimes/catalog.mjs';

const ROOT = join(import.meta.dirname, '..');
const MATRIX_ONLY = ['bun', 'deno', 'miniflare', 'workerd', 'node'];

describe('pinned runtimes', () => {
  it('the matrix pins Node 22, 24 and 26, Deno, Bun and miniflare (workerd), each to an exact version', () => {
    expect(Object.keys(VERSIONS).sort()).toEqual(['bun', 'deno', 'miniflare', 'node22', 'node24', 'node26']);
    for (const [name, version] of Object.entries(VERSIONS)) {
      expect(version, name).toMatch(/^\d+\.\d+\.\d+$/);
      if (kindOf(name) === 'node') expect(version.split('.')[0], name).toBe(name.slice('node'.length));
    }
  });

  for (const name of Object.keys(VERSIONS)) {
    it(`${name}: the fetched binary reports ${VERSIONS[name]}, its package is that version, each tarball was checked by integrity`, () => {
      const rt = fetched(name);
      expect(rt, `${name} is not fetched: npm run runtimes`).not.toBeNull();
      const { expected, package: pkg } = runtime(name);
      const first = spawnSync(rt!.bin, ['--version'], { encoding: 'utf8', timeout: 30_000 }).stdout.split('\n')[0];
      expect(first === expected || first.startsWith(`${expected} `), `${first} is not ${expected}`).toBe(true);
      const installed = JSON.parse(readFileSync(join(rt!.dir, 'node_modules', pkg, 'package.json'), 'utf8'));
      expect([rt!.version, installed.version]).toEqual([VERSIONS[name], VERSIONS[name]]);
      expect(Object.keys(rt!.integrity)).toContain(pkg);
      for (const sri of Object.values(rt!.integrity)) expect(sri).toMatch(/^sha512-[A-Za-z0-9+/]+=*$/);
    });
  }
});

describe('the README', () => {
  it("Runtimes table names each pinned version (and workerd's)", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Runtimes'), readme.indexOf('\n## ', readme.indexOf('## Runtimes') + 1));
    for (const [name, version] of Object.entries(VERSIONS)) expect(section, name).toContain(version);
    expect(section).toContain(runtime('miniflare').expected);
  });
});

describe('the repository install', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

  it('lists none of the runtimes in its dependencies: npm run runtimes fetches them', () => {
    for (const field of ['dependencies', 'devDependencies', 'optionalDependencies']) {
      expect(
        Object.keys(pkg[field] ?? {}).filter((d) => MATRIX_ONLY.includes(d)),
        field,
      ).toEqual([]);
    }
  });

  it('npm test fetches them before running the tests', () => {
    expect(pkg.scripts.test).toMatch(/npm run runtimes && vitest run$/);
  });

  it('keeps .runtimes/ out of git', () => {
    const r = spawnSync('git', ['check-ignore', '-q', '.runtimes/x'], { cwd: ROOT });
    expect(r.status).toBe(0);
  });
});
