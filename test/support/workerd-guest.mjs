// A WASI guest (wc -c) in a Cloudflare Worker (workerd), in one thread:
// stdin a pipe already written and closed, stdout a pipe.
import core from '../../build/core.wasm';
import wc from '../../build/workerd-wc.wasm';
import { Kernel, O_NONBLOCK, WasiHost, useCoreModule } from '../../dist/src/index.js';

useCoreModule(false, core);

export default {
  async fetch() {
    const k = new Kernel({ shared: false });
    const [inR, inW] = k.pipe();
    const [outR, outW] = k.pipe(O_NONBLOCK);
    k.write(inW, new TextEncoder().encode('hello workerd\n'));
    k.close(inW);
    k.dup2(inR, 0);
    k.dup2(outW, 1);
    k.close(inR);
    k.close(outW);
    const host = new WasiHost(k, { args: ['wc'] });
    host.preopen('.');
    const status = host.start(new WebAssembly.Instance(wc, host.imports()));
    k.close(1);
    const stdout = new TextDecoder().decode(k.read(outR, 100));
    k.destroy();
    return Response.json({ stdout, status, leaked: k.stats().pagesInUse });
  },
};
