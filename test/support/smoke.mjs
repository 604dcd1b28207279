// The core scenario on this runtime; prints one JSON line.
import * as api from '../../dist/src/index.js';
import { coreScenario } from './scenario.mjs';

const runtime = typeof Deno !== 'undefined' ? 'deno' : typeof Bun !== 'undefined' ? 'bun' : 'node';
console.log(JSON.stringify({ runtime, ...coreScenario(api) }));
