// What the build reads, hashed: a build whose inputs hash as the last one's
// did (dist/.inputs, written last by scripts/build.js) is up to date.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Where the build keeps the hash of the inputs it was made from. */
export const STAMP = join(ROOT, 'dist', '.inputs');

/** A hash of sources, configuration and the locked tool versions (src/generated is output). */
export function inputsHash() {
  const h = createHash('sha256');
  const walk = (d) => readdirSync(d, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((e) => (e.isDirectory() ? (e.name === 'generated' ? [] : walk(join(d, e.name))) : [join(d, e.name)]));
  const files = [
    ...['assembly', 'src', 'wit'].flatMap((d) => walk(join(ROOT, d))),
    ...['scripts/build.js', 'scripts/inputs.mjs', 'tsconfig.json', 'asconfig.json', 'package.json', 'package-lock.json'].map((f) => join(ROOT, f)),
  ];
  for (const f of files) h.update(relative(ROOT, f)).update('\0').update(readFileSync(f)).update('\0');
  return h.digest('hex');
}

/** What the build makes besides dist/, which a skipped build must still find. */
const OUTPUTS = ['build/core.wasm', 'build/core-shared.wasm', 'src/generated/core-wasm.ts', 'src/generated/core-abi.ts'];

/** Whether dist/ (and the rest of the build's output) was built from inputs that hash to `hash`. */
export function buildIsCurrent(hash = inputsHash()) {
  return existsSync(STAMP) && readFileSync(STAMP, 'utf8') === hash && OUTPUTS.every((f) => existsSync(join(ROOT, f)));
}
