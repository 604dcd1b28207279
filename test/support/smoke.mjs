// The core scenario on this runtime; prints one JSON line.
import * as api from '../../dist/src/index.js';
import { coreScenario } from './scenario.mjs';

const [runtime, version] =
  typeof Deno !== 'undefined' ? ['deno', Deno.version.deno] : typeof Bun !== 'undefined' ? ['bun', Bun.version] : ['node', process.versions.node];
console.log(JSON.stringify({ runtime, version, ...coreScenario(api) }));
