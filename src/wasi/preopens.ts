// Which directories a guest finds preopened. wasmtime preopens only what
// --dir names; splicekit also always preopens "." (the machine's own
// directory, unless a host directory is mounted there), so programs keep a
// scratch directory that leaves nothing behind, and "/dev", so that
// "/dev/null", "/dev/zero" and "/dev/full" open by their absolute paths
// (wasi-libc resolves a path by the preopen with the longest matching prefix).

import { normalizeMountPoint } from '../path.js';

/** The preopens every guest gets, in fd order from 3. */
export const DEFAULT_PREOPENS: readonly string[] = ['.', '/dev'];

/** The preopens for guests with mounts at `points`: ".", then each point once in order, then "/dev". */
export function preopenNames(points: readonly string[]): string[] {
  const seen = new Set(['.']);
  const names = ['.'];
  for (const p of points) {
    const key = normalizeMountPoint(p) ?? p;
    if (seen.has(key)) continue;
    seen.add(key);
    names.push(p);
  }
  return [...names, '/dev'];
}
