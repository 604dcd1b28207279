// Kernel.mount with nodeDirectory: a host directory's files opened, read,
// written, spliced and sent straight on the host, and paths that would
// lead out of it refused.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { O_APPEND, O_CREAT, O_EXCL, O_RDONLY, O_RDWR, O_WRONLY, SEEK_SET } from '../src/constants.js';
import { InvalidArgument } from '../src/errors.js';
import { Kernel } from '../src/kernel.js';
import { nodeDirectory } from '../src/node-directory.js';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const errno = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as { code: string }).code;
  }
  return 'no error';
};

let host: string;
let outside: string;
let k: Kernel;
beforeEach(() => {
  host = mkdtempSync(join(tmpdir(), 'splicekit-mount-'));
  outside = mkdtempSync(join(tmpdir(), 'splicekit-outside-'));
  k = new Kernel();
});
/** Every test ends with the pool whole again. */
afterEach(() => {
  k.destroy();
  expect(k.stats().pagesInUse).toBe(0);
  rmSync(host, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

describe('Kernel.mount(point, nodeDirectory(hostPath))', () => {
  it("a file written through the machine is on the host, and the host's files read through it", () => {
    k.mount('out', nodeDirectory(host));
    const fd = k.open('out/a.txt', O_WRONLY | O_CREAT);
    expect(k.write(fd, enc('written by the machine\n'))).toBe(23);
    k.close(fd);
    expect(readFileSync(join(host, 'a.txt'), 'utf8')).toBe('written by the machine\n');
    writeFileSync(join(host, 'b.txt'), 'from the host');
    const b = k.open('out/b.txt', O_RDONLY);
    expect(dec(k.read(b, 100))).toBe('from the host');
    expect(k.describe(b)).toMatchObject({ kind: 'file', path: 'out/b.txt', size: 13, pos: 13 });
    expect(errno(() => k.open('out/b.txt', O_WRONLY | O_CREAT | O_EXCL))).toBe('EEXIST');
    expect(errno(() => k.open('out/none', O_RDONLY))).toBe('ENOENT');
    expect(errno(() => k.open('out', O_WRONLY))).toBe('EISDIR');
    // The machine's own directory is untouched beside the mount.
    expect(errno(() => k.open('a.txt', O_RDONLY))).toBe('ENOENT');
  });

  it('lseek, O_APPEND and FIONREAD on a host file', () => {
    k.mount('/data', nodeDirectory(host));
    writeFileSync(join(host, 'f'), '0123456789');
    const fd = k.open('/data/f', O_RDWR | O_APPEND);
    expect(k.lseek(fd, 4, SEEK_SET)).toBe(4);
    expect(k.fionread(fd)).toBe(6);
    expect(k.write(fd, enc('ab'))).toBe(2);
    expect(k.lseek(fd, 0, 1)).toBe(12);
    expect(readFileSync(join(host, 'f'), 'utf8')).toBe('0123456789ab');
  });

  it('splice and sendfile to and from host files copy at the boundary', () => {
    k.mount('.', nodeDirectory(host));
    writeFileSync(join(host, 'src'), 'x'.repeat(10_000));
    const src = k.open('src', O_RDONLY);
    const dst = k.open('dst', O_WRONLY | O_CREAT);
    const [r, w] = k.pipe();
    expect(k.splice(src, null, w, null, 100_000, 0)).toBe(10_000);
    expect(k.splice(r, null, dst, null, 100_000, 0)).toBe(10_000);
    const off = { value: 9_000 };
    expect(k.sendfile(dst, src, off, 5_000)).toBe(1_000);
    expect(off.value).toBe(10_000);
    // sendfile from a host file into a pipe, and from the machine's /dev/zero into a host file.
    expect(k.sendfile(w, src, { value: 0 }, 3)).toBe(3);
    expect(dec(k.read(r, 10))).toBe('xxx');
    expect(k.sendfile(dst, k.open('/dev/zero', O_RDONLY), null, 10)).toBe(10);
    for (const fd of [src, dst, r, w]) k.close(fd);
    expect(readFileSync(join(host, 'dst'), 'latin1')).toBe(`${'x'.repeat(11_000)}${'\0'.repeat(10)}`);
  });

  it('unlink removes the host file; a directory is EISDIR', () => {
    k.mount('out', nodeDirectory(host));
    mkdirSync(join(host, 'sub'));
    writeFileSync(join(host, 'sub', 'gone'), '');
    k.unlink('out/sub/gone');
    expect(errno(() => readFileSync(join(host, 'sub', 'gone')))).toBe('ENOENT');
    expect(errno(() => k.unlink('out/sub'))).toBe('EISDIR');
    expect(errno(() => k.unlink('out/sub/gone'))).toBe('ENOENT');
  });

  it('".." is lexical and leaves the mount as it came in; symlinks that lead out are EPERM', () => {
    k.mount('out', nodeDirectory(host));
    writeFileSync(join(outside, 'secret'), 'secret');
    mkdirSync(join(host, 'sub'));
    writeFileSync(join(host, 'in'), 'inside');
    symlinkSync(join(outside, 'secret'), join(host, 'abs'));
    symlinkSync(join('..', '..', outside.split('/').pop()!, 'secret'), join(host, 'sub', 'rel'));
    symlinkSync(join(outside, 'nothing'), join(host, 'dangling'));
    symlinkSync(outside, join(host, 'dirlink'));
    symlinkSync('in', join(host, 'ok'));
    expect(errno(() => k.open('out/abs', O_RDONLY))).toBe('EPERM');
    expect(errno(() => k.open('out/sub/rel', O_RDONLY))).toBe('EPERM');
    expect(errno(() => k.open('out/dangling', O_WRONLY | O_CREAT))).toBe('EPERM');
    expect(errno(() => k.open('out/dirlink/new', O_WRONLY | O_CREAT))).toBe('EPERM');
    // unlink removes a symlink itself, wherever it points: never the file behind it.
    k.unlink('out/abs');
    expect(readFileSync(join(outside, 'secret'), 'utf8')).toBe('secret');
    expect(errno(() => k.unlink('out/dirlink/secret'))).toBe('EPERM');
    // ".." never reaches the host: "sub/../in" is "in", and "out/.." is the machine's own directory.
    const fd = k.open('out/sub/../ok', O_RDONLY);
    expect(dec(k.read(fd, 10))).toBe('inside');
    expect(k.describe(k.open('out/..', O_RDONLY))?.kind).toBe('directory');
    expect(readFileSync(join(outside, 'secret'), 'utf8')).toBe('secret');
  });

  it('mount points: "/" and /dev cannot be mounted over, nor a relative point above the cwd', () => {
    const dir = nodeDirectory(host);
    for (const point of ['/', '/dev', '/dev/x', '..', '../x', '']) {
      expect(() => k.mount(point, dir), point).toThrow(InvalidArgument);
    }
    expect(() => k.mount('x', {} as never)).toThrow(InvalidArgument);
    k.mount('/a/b', dir);
    // The directories on the way exist only to lead there.
    expect(k.describe(k.open('/a', O_RDONLY))?.kind).toBe('directory');
    expect(errno(() => k.open('/a/c', O_RDONLY))).toBe('ENOENT');
    expect(k.write(k.open('/a/b/../b/f', O_WRONLY | O_CREAT), enc('f'))).toBe(1);
    expect(readFileSync(join(host, 'f'), 'utf8')).toBe('f');
  });
});
