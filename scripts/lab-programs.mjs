// The programs the lab's pipeline lessons run (lab/pipelines/*.pipeline
// name them; their source is examples/c), compiled for wasm32-wasi into
// lab/pipelines/wasm/ (git-ignored: output, not source) by @yowasp/clang,
// the lab's own in-page compiler, so no system toolchain is needed and
// every machine gets the same bytes. Skipped when the sources, the header
// and the compiler hash as they did for the files there (wasm/.inputs).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './inputs.mjs';

const DIR = join(ROOT, 'lab/pipelines');
const OUT = join(DIR, 'wasm');
const STAMP = join(OUT, '.inputs');
/** `wasm32-wasip1`: the sysroot's triple; `-s`: stripped, as the page fetches them. */
const FLAGS = ['--target=wasm32-wasip1', '-O2', '-s', '-Iinclude'];

/** Builds what is missing or stale; the lessons' parser comes from dist/ (built before). */
export async function buildLabPrograms() {
  const { collectPipelineLessons } = await import(pathToFileURL(join(ROOT, 'dist/src/lab/pipeline-lessons.js')).href);
  const files = Object.fromEntries(
    readdirSync(DIR)
      .filter((f) => /^\d\d-/.test(f))
      .map((f) => [f, readFileSync(join(DIR, f), 'utf8')]),
  );
  const names = [...new Set(collectPipelineLessons(files).flatMap((l) => l.runs.flatMap((r) => r.commands.map((c) => c.name))))].sort();
  const header = readFileSync(join(ROOT, 'include/splicekit.h'), 'utf8');
  const sources = Object.fromEntries(names.map((n) => [n, readFileSync(join(ROOT, 'examples/c', `${n}.c`), 'utf8')]));
  const version = JSON.parse(readFileSync(join(ROOT, 'node_modules/@yowasp/clang/package.json'), 'utf8')).version;
  const hash = createHash('sha256').update(JSON.stringify({ FLAGS, header, sources, version })).digest('hex');
  const current = existsSync(STAMP) && readFileSync(STAMP, 'utf8') === hash && names.every((n) => existsSync(join(OUT, `${n}.wasm`)));
  if (current) return;
  const { commands } = await import('@yowasp/clang');
  mkdirSync(OUT, { recursive: true });
  const quiet = { fetchProgress: () => {} };
  for (const name of names) {
    const files = { [`${name}.c`]: sources[name], include: { 'splicekit.h': header } };
    const out = await commands.clang([...FLAGS, `${name}.c`, '-o', `${name}.wasm`], files, quiet);
    writeFileSync(join(OUT, `${name}.wasm`), out[`${name}.wasm`]);
  }
  writeFileSync(STAMP, hash);
  console.error(`build: ${names.join(', ')} for the lab's pipelines (lab/pipelines/wasm/)`);
}
