// producer N | tee | wc -c (or sum), three WASI guests in three Workers on one
// kernel: prints {count, status, leaked, mibps} as JSON.
// Usage: node spawn-pipeline.mjs DIR BYTES [LAST] [-n] [--late]   (DIR holds
// producer.wasm, tee.wasm and LAST.wasm, default wc; -n: the producer waits for
// release notifications; --late: LAST starts 300 ms after the others, as a slow
// reader would, so tee's references are still in its pipe when the producer refills)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { F_SETPIPE_SZ, Kernel, O_WRONLY, spawn } from '../../dist/src/node.js';

const [dir, bytes] = [process.argv[2], process.argv[3]];
const mod = (name) => readFileSync(join(dir, `${name}.wasm`));
const k = new Kernel({ shared: true });
const [r1, w1] = k.pipe();
const [r2, w2] = k.pipe();
const [r3, w3] = k.pipe();
k.fcntl(w1, F_SETPIPE_SZ, 1 << 20);
k.fcntl(w2, F_SETPIPE_SZ, 1 << 20);
const last = process.argv[4]?.startsWith('-') ? 'wc' : (process.argv[4] ?? 'wc');
const notify = process.argv.includes('-n');
const late = process.argv.includes('--late');
const nul = k.open('/dev/null', O_WRONLY);
const start = performance.now();
const kids = [
  spawn(k, mod('producer'), { args: ['producer', ...(notify ? ['-n'] : []), bytes], stdout: w1, stderr: nul }),
  spawn(k, mod('tee'), { args: ['tee'], stdin: r1, stdout: w2, stderr: nul }),
];
if (late) await new Promise((resolve) => setTimeout(resolve, 300));
kids.push(spawn(k, mod(last), { args: [last], stdin: r2, stdout: w3, stderr: nul }));
for (const fd of [r1, w1, r2, w2, w3, nul]) k.close(fd);
const status = await Promise.all(kids.map((c) => c.exited));
const secs = (performance.now() - start) / 1000;
const count = new TextDecoder().decode(k.read(r3, 100)).trim();
k.close(r3);
k.destroy();
console.log(JSON.stringify({ count, status, leaked: k.stats().pagesInUse, mibps: Math.round(Number(bytes) / 1048576 / secs) }));
process.exit(0);
