// RUNS pipelines producer N | tee | sum, one after another on one machine:
// prints how many ended with every status 0 and the right count, how many
// met ENOMEM, and the pages left after destroy().
// Usage: node spawn-many.mjs DIR RUNS BYTES
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kernel, spawn } from '../../dist/src/node.js';
import { runPipeline } from '../../dist/src/proc/pipeline.js';

const [dir, runs, bytes] = process.argv.slice(2);
const program = (name) => readFileSync(join(dir, `${name}.wasm`));
const k = new Kernel({ shared: true });
const cmds = [['producer', bytes], ['tee'], ['sum']].map(([name, ...args]) => ({ program: program(name), args: [name, ...args] }));
let ok = 0;
let enomem = 0;
for (let i = 0; i < Number(runs); i++) {
  let out = '';
  let err = '';
  const sink = (f) => ({
    async write(d) {
      f(new TextDecoder().decode(d));
      return true;
    },
  });
  const r = await runPipeline(k, cmds, {
    stdin: { read: async () => null },
    stdout: sink((s) => {
      out += s;
    }),
    stderr: sink((s) => {
      err += s;
    }),
    spawn,
  });
  if (err.includes('Out of memory') || err.includes('ENOMEM')) enomem++;
  if (r.statuses.every((s) => s === 0) && out.startsWith(`${bytes} `)) ok++;
}
k.destroy();
console.log(JSON.stringify({ ok, enomem, leaked: k.stats().pagesInUse }));
process.exit(0);
