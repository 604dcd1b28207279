// A WASI guest (wc -c) in a Cloudflare Worker (workerd), in one thread.
import core from '../../build/core.wasm';
import wc from '../../build/workerd-wc.wasm';
import * as api from '../../dist/src/index.js';
import { guestScenario } from './scenario.mjs';

api.useCoreModule(false, core);

export default {
  async fetch() {
    return Response.json(guestScenario(api, wc, 'hello workerd\n', { shared: false }));
  },
};
