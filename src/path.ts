// Path resolution for the one process's view: a flat directory (the trace's
// private directory, its cwd) plus /dev/null and /dev/zero.

import { O_CREAT } from './constants.js';
import { EISDIR, ENOENT, ENOTDIR, type Result } from './files/kctx.js';

export type Resolved =
  | { kind: 'dir' }
  | { kind: 'dev'; name: 'null' | 'zero' }
  | { kind: 'file'; name: string; trailingSlash: boolean };

const DEVICES = new Set(['null', 'zero']);

/**
 * Resolves `path` (path_openat's walk, for what this model has): "." and
 * repeated slashes vanish, ".." climbs, a trailing slash demands a
 * directory. `isFile(name)` says whether a regular file of that name exists.
 */
export function resolvePath(path: string, flags: number, isFile: (name: string) => boolean): Resolved | Result {
  if (path === '') return ENOENT;
  const absolute = path.startsWith('/');
  const trailingSlash = path.endsWith('/');
  const parts: string[] = [];
  for (const c of path.split('/')) {
    if (c === '' || c === '.') continue;
    if (c === '..') {
      if (parts.length === 0) return ENOENT; // above the private directory: nothing of ours
      parts.pop();
    } else {
      parts.push(c);
    }
  }
  if (absolute) {
    if (parts.length === 2 && parts[0] === 'dev' && DEVICES.has(parts[1])) {
      if (trailingSlash) return flags & O_CREAT ? EISDIR : ENOTDIR;
      return { kind: 'dev', name: parts[1] as 'null' | 'zero' };
    }
    return ENOENT;
  }
  if (parts.length === 0) return { kind: 'dir' };
  if (parts.length > 1) return isFile(parts[0]) ? ENOTDIR : ENOENT;
  const name = parts[0];
  if (trailingSlash) {
    // "f/" must be a directory: creating one that way is EISDIR.
    if (flags & O_CREAT) return EISDIR;
    return isFile(name) ? ENOTDIR : ENOENT;
  }
  return { kind: 'file', name, trailingSlash };
}
