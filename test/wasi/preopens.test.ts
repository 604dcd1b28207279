// Preopens beyond ".": "/dev" and mounted host directories, reached by
// path_open relative to their fds, and directories opened inside them
// resolving paths where they are.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeDirectory } from '../../src/node-directory.js';
import { guest, dec, type Guest } from './guest.js';

const E = { SUCCESS: 0, NOSPC: 51, NOENT: 44, NOTCAPABLE: 76, PERM: 63, ISDIR: 31 };
const RIGHT = { READ: 1n << 1n, WRITE: 1n << 6n };
const OFLAGS = { CREAT: 1, DIRECTORY: 2 };

let g: Guest;
let host: string;
beforeEach(() => {
  host = mkdtempSync(join(tmpdir(), 'splicekit-preopens-'));
  g = guest();
});
/** Every test ends with the pool whole again. */
afterEach(() => {
  g.k.destroy();
  expect(g.k.stats().pagesInUse).toBe(0);
  rmSync(host, { recursive: true, force: true });
});

/** path_open(dirfd, path, ...) -> [errno, fd]. */
function open(dirfd: number, path: string, oflags: number, rights: bigint): [number, number] {
  const len = g.str(1000, path);
  const e = g.w.path_open(dirfd, 0, 1000, len, oflags, rights, 0n, 0, 996);
  return [e, g.u32(996)];
}

function write(fd: number, s: string): number {
  const len = g.str(2000, s);
  g.iovs(1900, [[2000, len]]);
  return g.w.fd_write(fd, 1900, 1, 1996);
}

function read(fd: number, n: number): string {
  g.iovs(1900, [[3000, n]]);
  expect(g.w.fd_read(fd, 1900, 1, 1996)).toBe(E.SUCCESS);
  return dec(g.bytes(3000, g.u32(1996)));
}

/** fd_prestat_dir_name of fd. */
function prestatName(fd: number): string {
  expect(g.w.fd_prestat_get(fd, 800)).toBe(E.SUCCESS);
  const len = g.u32(804);
  expect(g.w.fd_prestat_dir_name(fd, 900, len)).toBe(E.SUCCESS);
  return dec(g.bytes(900, len));
}

describe('preopens', () => {
  it('"/dev": the devices by name below it; /dev/full fails every write ENOSPC', () => {
    const dev = g.host.preopen('/dev');
    expect(prestatName(dev)).toBe('/dev');
    const [e, full] = open(dev, 'full', 0, RIGHT.READ | RIGHT.WRITE);
    expect(e).toBe(E.SUCCESS);
    expect(write(full, 'x')).toBe(E.NOSPC);
    expect(read(full, 3)).toBe('\0\0\0');
    expect(open(dev, 'nothing', 0, RIGHT.READ)[0]).toBe(E.NOENT);
    expect(open(dev, '../dev/null', 0, RIGHT.READ)[0]).toBe(E.NOTCAPABLE);
  });

  it('a mounted host directory, and a directory opened in it resolving paths below itself', () => {
    mkdirSync(join(host, 'sub'));
    writeFileSync(join(host, 'sub', 'f'), 'in sub');
    g.k.mount('/data', nodeDirectory(host));
    const data = g.host.preopen('/data');
    expect(prestatName(data)).toBe('/data');
    const [e, sub] = open(data, 'sub', OFLAGS.DIRECTORY, RIGHT.READ);
    expect(e).toBe(E.SUCCESS);
    const [e2, f] = open(sub, 'f', 0, RIGHT.READ);
    expect(e2).toBe(E.SUCCESS);
    expect(read(f, 100)).toBe('in sub');
    const [e3, n] = open(sub, 'new', OFLAGS.CREAT, RIGHT.WRITE);
    expect(e3).toBe(E.SUCCESS);
    expect(write(n, 'made')).toBe(E.SUCCESS);
    expect(readFileSync(join(host, 'sub', 'new'), 'utf8')).toBe('made');
    // fd_renumber carries the directory's place with it.
    expect(g.w.fd_renumber(sub, f)).toBe(E.SUCCESS);
    expect(open(f, 'f', 0, RIGHT.READ)[0]).toBe(E.SUCCESS);
    const len = g.str(1000, 'new');
    expect(g.w.path_unlink_file(f, 1000, len)).toBe(E.SUCCESS);
    expect(() => readFileSync(join(host, 'sub', 'new'))).toThrow(/ENOENT/);
    expect(open(f, '../../x', 0, RIGHT.READ)[0]).toBe(E.NOTCAPABLE);
  });
});
