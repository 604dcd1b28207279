// The entry of a guest's worker_threads Worker.

import { parentPort, workerData } from 'node:worker_threads';
import { runGuest } from './guest-start.js';
import type { GuestStart } from './spawn-with.js';

parentPort?.postMessage({ status: runGuest(workerData as GuestStart) });
