// `splicekit exec --dir HOST[::GUEST]`, as wasmtime's option: the host
// directory HOST mounted at GUEST (HOST itself when no GUEST is given) and
// preopened for the guest under that name.

import { statSync } from 'node:fs';
import type { Kernel } from '../kernel.js';
import { nodeDirectory } from '../node-directory.js';
import { normalizeMountPoint } from '../path.js';

export interface DirMapping {
  /** The directory on the host. */
  host: string;
  /** Where the guest finds it (its preopen's name, the machine's mount point). */
  guest: string;
}

/** `HOST[::GUEST]` as a mapping, or a message saying what is wrong with it. */
export function parseDir(arg: string): DirMapping | string {
  const cut = arg.indexOf('::');
  const host = cut < 0 ? arg : arg.slice(0, cut);
  const guest = cut < 0 ? arg : arg.slice(cut + 2);
  if (host === '' || guest === '') return `--dir ${arg}: expected HOST or HOST::GUEST`;
  if (normalizeMountPoint(guest) === undefined) return `--dir ${arg}: ${guest} cannot be a guest directory (not /, /dev, or above .)`;
  let dir = false;
  try {
    dir = statSync(host).isDirectory();
  } catch {
    return `--dir ${arg}: ${host}: no such directory`;
  }
  if (!dir) return `--dir ${arg}: ${host}: not a directory`;
  return { host, guest };
}

/** Mounts each mapping on `k`; returns the names to preopen (see preopenNames). */
export function mountDirs(k: Kernel, dirs: readonly DirMapping[]): string[] {
  for (const d of dirs) k.mount(d.guest, nodeDirectory(d.host));
  return dirs.map((d) => d.guest);
}
