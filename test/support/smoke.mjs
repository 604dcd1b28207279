// The same small scenario on any JavaScript runtime: zero-copy vmsplice,
// tee, splice through the page cache, a trace, and the pool whole after.
// Prints one JSON line; the runtime matrix test compares them.
import { Kernel, O_CREAT, O_NONBLOCK, O_RDWR, parseTrace, runTrace } from '../../dist/src/index.js';

const enc = (s) => new TextEncoder().encode(s);
const dec = (b) => new TextDecoder().decode(b);
const out = { runtime: typeof Deno !== 'undefined' ? 'deno' : typeof Bun !== 'undefined' ? 'bun' : 'node' };

const k = new Kernel();
out.shared = k.shared;
const [r, w] = k.pipe(O_NONBLOCK);
const [r2, w2] = k.pipe(O_NONBLOCK);
const buf = k.alloc(4096);
buf.bytes.set(enc('before'));
k.vmsplice(w, [{ buf, offset: 0, length: 6 }], 0);
buf.bytes.set(enc('AFTER!'));
k.tee(r, w2, 6, 0);
out.vmsplice = dec(k.read(r, 6));
out.tee = dec(k.read(r2, 6));
const f = k.open('f', O_RDWR | O_CREAT);
k.write(f, enc('page cache'));
out.splice = k.splice(f, { value: 0 }, w, null, 100, 0);
out.read = dec(k.read(r, 100));
const trace = 'pipe p NONBLOCK\nwrite p.w "hi"\npipe q\ntee p.r q.w 10 NONBLOCK\nread q.r 10\n';
out.trace = runTrace(parseTrace(enc(trace), 'smoke.trace'), k).join('|');
k.destroy();
out.leaked = k.stats().pagesInUse;
console.log(JSON.stringify(out));
