// Builds the component guest (examples/component/guest.ts) the way a user
// would: AssemblyScript core module, jco's embed (WIT of `world program`)
// and new, then jco's transpile to JavaScript.

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { transpileBytes } from '@bytecodealliance/jco-transpile';
import { componentEmbed, componentNew } from '@bytecodealliance/jco-transpile/wasm-tools';

export const ROOT = join(import.meta.dirname, '..', '..');

/** Writes the transpiled component into `dir`; returns the path of its JS module. */
export async function buildComponent(dir: string): Promise<string> {
  const core = join(dir, 'guest-core.wasm');
  execFileSync(join(ROOT, 'node_modules/.bin/asc'), ['--config', join(ROOT, 'examples/component/asconfig.json'), '--outFile', core]);
  // witSource, not witPath: the WASI shim under jco reads no paths reliably.
  const wit = readFileSync(join(ROOT, 'wit/splicekit.wit'), 'utf8');
  const embedded = await componentEmbed({ binary: readFileSync(core), witSource: wit, world: 'program' });
  const component = await componentNew(embedded);
  writeFileSync(join(dir, 'program.wasm'), component);
  const { files } = await transpileBytes(component, { name: 'program', instantiation: { tag: 'async' } });
  for (const [name, bytes] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), bytes);
  }
  return join(dir, 'program.js');
}
