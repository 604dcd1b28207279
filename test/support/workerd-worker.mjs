// A Cloudflare Worker (workerd): the core comes in as a compiled module, as
// workerd compiles no Wasm at run time; one thread, no waiting.
import core from '../../build/core.wasm';
import { Kernel, O_CREAT, O_NONBLOCK, O_RDWR, parseTrace, runTrace, useCoreModule } from '../../dist/src/index.js';

useCoreModule(false, core);
const enc = (s) => new TextEncoder().encode(s);
const dec = (b) => new TextDecoder().decode(b);

export default {
  async fetch() {
    const k = new Kernel({ shared: false });
    const [r, w] = k.pipe(O_NONBLOCK);
    const [r2, w2] = k.pipe(O_NONBLOCK);
    const buf = k.alloc(4096);
    buf.bytes.set(enc('before'));
    k.vmsplice(w, [{ buf, offset: 0, length: 6 }], 0);
    buf.bytes.set(enc('AFTER!'));
    k.tee(r, w2, 6, 0);
    const out = { runtime: 'workerd', shared: k.shared, vmsplice: dec(k.read(r, 6)), tee: dec(k.read(r2, 6)) };
    const f = k.open('f', O_RDWR | O_CREAT);
    k.write(f, enc('page cache'));
    out.splice = k.splice(f, { value: 0 }, w, null, 100, 0);
    out.read = dec(k.read(r, 100));
    const trace = 'pipe p NONBLOCK\nwrite p.w "hi"\npipe q\ntee p.r q.w 10 NONBLOCK\nread q.r 10\n';
    out.trace = runTrace(parseTrace(enc(trace), 'smoke.trace'), k).join('|');
    k.destroy();
    out.leaked = k.stats().pagesInUse;
    return Response.json(out);
  },
};
