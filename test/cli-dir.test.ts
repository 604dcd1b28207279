// `splicekit exec --dir HOST[::GUEST]`: the host directory preopened for the
// program (and for every program of a pipeline), what it writes left on the
// host after exit; the option's usage errors; and --help saying so.

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIsCurrent } from '../scripts/inputs.mjs';
import { build, EXAMPLES, HAVE_WASI_CLANG, ROOT } from './wasi/toolchain.js';

const CLI = join(ROOT, 'bin/splicekit.js');
const dir = mkdtempSync(join(tmpdir(), 'splicekit-cli-dir-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(() => {
  if (!buildIsCurrent()) throw new Error('dist/ was not built from the sources as they are: run npm run build');
});

function splicekit(args: string[], cwd = dir) {
  const r = spawnSync('node', [CLI, ...args], { cwd, input: '' });
  return { status: r.status, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** A fresh, empty host directory. */
function fresh(name: string): string {
  const d = join(dir, name);
  mkdirSync(d);
  return d;
}

describe('splicekit exec --dir', () => {
  it('says so in --help', () => {
    const help = splicekit(['--help']).stdout;
    expect(help).toContain('splicekit exec [--memory SIZE] [--dir HOST[::GUEST]]... PROG.wasm [ARGS...]');
    expect(help).toContain("splicekit exec [--memory SIZE] [--pipefail] [--dir HOST[::GUEST]]... 'PROG [ARGS] | PROG [ARGS] ...'");
    expect(help).toMatch(/--dir HOST\[::GUEST\], as wasmtime's,\nalso preopens the host directory HOST as GUEST/);
    expect(help).toMatch(/ENOTCAPABLE for \.\. past the preopen,\nEPERM through a symlink/);
    expect(help).toMatch(/"\/dev" \(null, zero and full, so\n\/dev\/null opens by its absolute path\)/);
  });

  it('usage errors: a missing value, a HOST that is no directory, a GUEST that cannot be one', () => {
    const r = splicekit(['exec', '--dir']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('splicekit exec: --dir needs HOST or HOST::GUEST\n');
    const missing = join(dir, 'nothing');
    expect(splicekit(['exec', '--dir', missing, 'x.wasm']).stderr).toMatch(new RegExp(`^splicekit exec: --dir ${missing}: ${missing}: no such directory\\n`));
    expect(splicekit(['exec', `--dir=${dir}::/dev/x`, 'x.wasm']).stderr).toMatch(/cannot be a guest directory/);
    expect(splicekit(['exec', '--dir', `${dir}::/`, 'x.wasm']).status).toBe(2);
    expect(splicekit(['exec', '--dir', `${dir}::..`, 'x.wasm']).status).toBe(2);
  });

  it.runIf(HAVE_WASI_CLANG)(
    'a program\'s files are on the host after it exits, by HOST::GUEST, by HOST, and as "."',
    async () => {
      const { wasm } = await build('files', dir, join(ROOT, 'test/wasi/c'));
      for (const [args, where] of [
        [['--dir', `${fresh('a')}::out`, wasm, 'out'], join(dir, 'a')],
        [['--dir', fresh('b'), wasm, join(dir, 'b')], join(dir, 'b')],
        [['--dir', '.', wasm, '.'], fresh('c')],
      ] as const) {
        const r = splicekit(['exec', ...args], where);
        expect(r.stderr).toBe('');
        expect(r.status).toBe(0);
        expect(r.stdout).toContain('write /dev/full: -1 ENOSPC\n');
        expect(readdirSync(where).sort()).toEqual(['copy', 'data', 'spliced']);
        expect(readFileSync(join(where, 'copy'), 'utf8')).toBe('written by the program\n');
      }
    },
    60_000,
  );

  it.runIf(HAVE_WASI_CLANG)(
    'in a pipeline every program has the directory (with the other options, in any order)',
    async () => {
      const [{ wasm: files }, { wasm: cat }] = await Promise.all([build('files', dir, join(ROOT, 'test/wasi/c')), build('cat', dir, EXAMPLES)]);
      const host = fresh('p');
      const r = splicekit(['exec', '--pipefail', '--dir', `${host}::out`, '--memory=96M', `${files} out | ${cat}`]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('splice pipe -> spliced again: 5\n');
      // A guest in a Worker opens the devices by absolute path too.
      expect(r.stdout).toContain('write /dev/full: -1 ENOSPC\n');
      expect(r.stdout).toContain('open /dev/nothing: -1 ENOENT\n');
      expect(readFileSync(join(host, 'spliced'), 'utf8')).toBe('by the program\ntail\n');
    },
    60_000,
  );
});
