// Path resolution (fs/namei.c link_path_walk, for what this model has): the
// process's cwd is its private directory, holding its files; above it an
// unknown parent; "/" holds "dev" (with "null", "zero" and "full") and that parent.

import { O_ACCMODE, O_CREAT, O_RDONLY, O_TRUNC } from './constants.js';
import { EISDIR, ENOENT, ENOTDIR, type Result } from './files/kctx.js';
import { ERRNO } from './errors.js';

const ENAMETOOLONG = -ERRNO.ENAMETOOLONG;
/** include/uapi/linux/limits.h */
const PATH_MAX = 4096;
const NAME_MAX = 255;

/** The devices of /dev this model has (drivers/char/mem.c's devlist, in part). */
export const DEV_NAMES = ['null', 'zero', 'full'] as const;
export type DevName = (typeof DEV_NAMES)[number];
const isDevName = (c: string): c is DevName => (DEV_NAMES as readonly string[]).includes(c);

type Node =
  | { kind: 'dir'; where: 'cwd' | 'parent' | 'root' | 'dev' }
  | { kind: 'file'; name: string }
  | { kind: 'dev'; name: DevName }
  | { kind: 'missing'; name: string };

export type Resolved =
  | { kind: 'dir' }
  | { kind: 'dev'; name: DevName }
  | { kind: 'file'; name: string; create: boolean };

const encoder = new TextEncoder();

/** One step of the walk from directory `at` by component `c`. */
function step(at: Node & { kind: 'dir' }, c: string, isFile: (name: string) => boolean): Node {
  if (c === '.') return at;
  if (c === '..') {
    if (at.where === 'cwd') return { kind: 'dir', where: 'parent' };
    return { kind: 'dir', where: 'root' };
  }
  if (at.where === 'cwd') return isFile(c) ? { kind: 'file', name: c } : { kind: 'missing', name: c };
  if (at.where === 'root' && c === 'dev') return { kind: 'dir', where: 'dev' };
  if (at.where === 'dev' && isDevName(c)) return { kind: 'dev', name: c };
  return { kind: 'missing', name: '' }; // elsewhere: nothing this process made
}

/**
 * getname(): the path as the kernel copies it in (a NUL ends it, as in a C
 * string), or ENOENT for an empty one, ENAMETOOLONG for one of PATH_MAX
 * bytes or more. open(2) does this before it takes an fd.
 */
export function getname(path: string): string | Result {
  const nul = path.indexOf('\0');
  if (nul >= 0) path = path.slice(0, nul);
  if (path === '') return ENOENT;
  if (encoder.encode(path).length >= PATH_MAX) return ENAMETOOLONG;
  return path;
}

/**
 * Resolves `path` for open(2) with `flags`; `isFile(name)` says whether the
 * cwd holds a file of that name.
 */
export function resolvePath(path: string, flags: number, isFile: (name: string) => boolean): Resolved | Result {
  const name = getname(path);
  if (typeof name === 'number') return name;
  path = name;
  const parts = path.split('/').filter((c) => c !== '');
  let node: Node = { kind: 'dir', where: path.startsWith('/') ? 'root' : 'cwd' };
  for (const c of parts) {
    if (encoder.encode(c).length > NAME_MAX) return ENAMETOOLONG;
    if (node.kind === 'missing') return ENOENT;
    if (node.kind !== 'dir') return ENOTDIR;
    node = step(node, c, isFile);
  }
  const trailingSlash = path.endsWith('/');
  const create = (flags & O_CREAT) !== 0;
  switch (node.kind) {
    case 'dir':
      // may_open(): a directory opens for reading only; O_TRUNC asks to write.
      if ((flags & O_ACCMODE) !== O_RDONLY || create || flags & O_TRUNC) return EISDIR;
      return { kind: 'dir' };
    case 'missing':
      if (trailingSlash) return create ? EISDIR : ENOENT;
      if (!create || node.name === '') return ENOENT;
      return { kind: 'file', name: node.name, create: true };
    case 'file':
      if (trailingSlash) return create ? EISDIR : ENOTDIR;
      return { kind: 'file', name: node.name, create: false };
    case 'dev':
      if (trailingSlash) return create ? EISDIR : ENOTDIR;
      return node;
  }
}
