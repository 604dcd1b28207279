// kill: a guest (cat) blocked reading a pipe nobody writes is killed; its
// fds close, so its stdout's reader sees EOF and its stdin's writer EPIPE.
// Usage: node spawn-kill.mjs CAT.wasm
import { readFileSync } from 'node:fs';
import { Kernel, O_NONBLOCK, spawn } from '../../dist/src/node.js';

const k = new Kernel({ shared: true });
const [inR, inW] = k.pipe();
const [outR, outW] = k.pipe(O_NONBLOCK);
const cat = spawn(k, new WebAssembly.Module(readFileSync(process.argv[2])), { args: ['cat'], stdin: inR, stdout: outW });
k.close(inR);
k.close(outW);
k.write(inW, new TextEncoder().encode('before kill\n'));
// Wait until cat has copied it: then it is blocked reading again.
let got = '';
while (!got.includes('\n')) {
  await new Promise((r) => setTimeout(r, 5));
  try { got += new TextDecoder().decode(k.read(outR, 100)); } catch { /* EAGAIN: not yet */ }
}
await cat.kill();
const eof = k.read(outR, 100).length;
let epipe = 'none';
try { k.write(inW, new TextEncoder().encode('x')); } catch (e) { epipe = e.code; }
k.close(outR);
k.close(inW);
k.destroy();
console.log(JSON.stringify({ got, eof, epipe, leaked: k.stats().pagesInUse }));
process.exit(0);
