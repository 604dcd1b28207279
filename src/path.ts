// Path resolution (fs/namei.c link_path_walk, for what this model has): the
// process's cwd is its private directory, holding its files; above it an
// unknown parent; "/" holds "dev" (with "null", "zero" and "full") and that
// parent; host directories mounted (Kernel.mount) at "." or elsewhere
// take over their names.

import { O_ACCMODE, O_CREAT, O_RDONLY, O_TRUNC } from './constants.js';
import { EISDIR, ENOENT, ENOTDIR, type Result } from './files/kctx.js';
import { ERRNO } from './errors.js';
import type { HostDirectory } from './files/hostdir.js';

const ENAMETOOLONG = -ERRNO.ENAMETOOLONG;
/** include/uapi/linux/limits.h */
const PATH_MAX = 4096;
const NAME_MAX = 255;

/** The devices of /dev this model has (drivers/char/mem.c's devlist, in part). */
export const DEV_NAMES = ['null', 'zero', 'full'] as const;
export type DevName = (typeof DEV_NAMES)[number];
const isDevName = (c: string): c is DevName => (DEV_NAMES as readonly string[]).includes(c);

/**
 * A directory by its lexical name: "." the cwd, ".." its parent, "/" the
 * root, "/dev", and the directories on the way to a mount point ("./a",
 * "/x/y"), which exist only to lead there.
 */
type Key = string;

type Node =
  | { kind: 'dir'; key: Key }
  | { kind: 'host'; mount: Key; dir: HostDirectory; rel: string[] }
  | { kind: 'file'; name: string }
  | { kind: 'dev'; name: DevName }
  | { kind: 'missing'; name: string };

export type Resolved =
  | { kind: 'dir' }
  | { kind: 'dev'; name: DevName }
  | { kind: 'file'; name: string; create: boolean }
  /** A path in a mounted host directory: `rel` below it, `name` the whole path for describe(). */
  | { kind: 'host'; dir: HostDirectory; rel: string; name: string };

/** Mount points by key (see normalizeMountPoint). */
export type Mounts = ReadonlyMap<Key, HostDirectory>;

const encoder = new TextEncoder();

const childKey = (key: Key, c: string): Key => (key === '/' ? `/${c}` : `${key}/${c}`);

/** The lexical parent: the cwd's is an unknown directory whose own parent is taken to be "/". */
function parentKey(key: Key): Key {
  if (key === '.') return '..';
  if (key === '..' || key === '/') return '/';
  const cut = key.lastIndexOf('/');
  return cut <= 0 ? '/' : key.slice(0, cut);
}

/** The directory named `key`: a mount's root where one is mounted. */
function nodeAt(key: Key, mounts: Mounts): Node {
  const dir = mounts.get(key);
  return dir ? { kind: 'host', mount: key, dir, rel: [] } : { kind: 'dir', key };
}

/**
 * One step of the walk from directory `at` by component `c`. Inside a
 * mount the walk is lexical ("a/.." is the mount's root whatever "a" is on
 * the host): the host directory never sees "..", and ".." at its root
 * leaves it as it leads into it.
 */
function step(at: Node & ({ kind: 'dir' } | { kind: 'host' }), c: string, isFile: (name: string) => boolean, mounts: Mounts): Node {
  if (c === '.') return at;
  if (at.kind === 'host') {
    if (c !== '..') return { ...at, rel: [...at.rel, c] };
    return at.rel.length > 0 ? { ...at, rel: at.rel.slice(0, -1) } : nodeAt(parentKey(at.mount), mounts);
  }
  if (c === '..') return nodeAt(parentKey(at.key), mounts);
  const key = childKey(at.key, c);
  if (mounts.has(key)) return nodeAt(key, mounts);
  for (const point of mounts.keys()) if (point.startsWith(`${key}/`)) return { kind: 'dir', key };
  if (at.key === '.') return isFile(c) ? { kind: 'file', name: c } : { kind: 'missing', name: c };
  if (at.key === '/' && c === 'dev') return { kind: 'dir', key: '/dev' };
  if (at.key === '/dev' && isDevName(c)) return { kind: 'dev', name: c };
  return { kind: 'missing', name: '' }; // elsewhere: nothing this process made
}

/**
 * A mount point as its key: "." or "./a/b" for one relative to the cwd,
 * "/x/y" for an absolute one ("." and ".." taken lexically); undefined for
 * one that cannot be a mount here: "/", anything in /dev, or a relative
 * one that climbs out of the cwd (the cwd's parent is unknown).
 */
export function normalizeMountPoint(point: string): Key | undefined {
  if (point === '' || point.includes('\0')) return undefined;
  const abs = point.startsWith('/');
  const parts: string[] = [];
  for (const c of point.split('/')) {
    if (c === '' || c === '.') continue;
    if (c !== '..') parts.push(c);
    else if (parts.length > 0) parts.pop();
    else if (!abs) return undefined;
  }
  if (!abs) return ['.', ...parts].join('/');
  if (parts.length === 0 || parts[0] === 'dev') return undefined;
  return `/${parts.join('/')}`;
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
 * cwd holds a file of that name; `mounts` are the host directories mounted.
 */
export function resolvePath(path: string, flags: number, isFile: (name: string) => boolean, mounts: Mounts = new Map()): Resolved | Result {
  const name = getname(path);
  if (typeof name === 'number') return name;
  path = name;
  const parts = path.split('/').filter((c) => c !== '');
  let node: Node = nodeAt(path.startsWith('/') ? '/' : '.', mounts);
  for (const c of parts) {
    if (encoder.encode(c).length > NAME_MAX) return ENAMETOOLONG;
    if (node.kind === 'missing') return ENOENT;
    if (node.kind !== 'dir' && node.kind !== 'host') return ENOTDIR;
    node = step(node, c, isFile, mounts);
  }
  const trailingSlash = path.endsWith('/');
  const create = (flags & O_CREAT) !== 0;
  switch (node.kind) {
    case 'host': {
      // The host checks the rest (a trailing slash included) as its own open(2) does.
      const rel = node.rel.join('/') + (trailingSlash && node.rel.length > 0 ? '/' : '');
      const shown = node.mount === '.' ? rel : node.rel.length > 0 ? `${node.mount}/${rel}` : node.mount;
      return { kind: 'host', dir: node.dir, rel, name: shown.replace(/^\.\//, '') || '.' };
    }
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
