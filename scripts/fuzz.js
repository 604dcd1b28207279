// `npm run fuzz -- [--calls N] [--seed S --path P]`: the hostile-input
// property (test/hostile.test.ts) with as many calls as asked (default
// 10^6); a failure prints the broken step, its world and the seed and path
// that replay it.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const FLAGS = { '--calls': 'SPLICEKIT_FUZZ_CALLS', '--seed': 'SPLICEKIT_FUZZ_SEED', '--path': 'SPLICEKIT_FUZZ_PATH' };
const env = { ...process.env, SPLICEKIT_FUZZ_CALLS: '1000000' };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) {
  const name = FLAGS[argv[i]];
  const value = argv[i + 1];
  if (!name || value === undefined) {
    console.error(`usage: npm run fuzz -- [--calls N] [--seed S --path P]  (got ${argv.slice(i).join(' ')})`);
    process.exit(2);
  }
  env[name] = value;
}
if (!/^[1-9][0-9]*$/.test(env.SPLICEKIT_FUZZ_CALLS)) {
  console.error(`npm run fuzz: --calls must be a positive integer, got ${env.SPLICEKIT_FUZZ_CALLS}`);
  process.exit(2);
}
const r = spawnSync(join(root, 'node_modules', '.bin', 'vitest'), ['run', 'test/hostile.test.ts'], { cwd: root, env, stdio: 'inherit' });
process.exit(r.status ?? 1);
