// A Cloudflare Worker (workerd): the core comes in as a compiled module, as
// workerd compiles no Wasm at run time; one thread, no waiting.
import core from '../../build/core.wasm';
import * as api from '../../dist/src/index.js';
import { coreScenario } from './scenario.mjs';

api.useCoreModule(false, core);

export default {
  async fetch() {
    return Response.json({ runtime: 'workerd', ...coreScenario(api, { shared: false }) });
  },
};
