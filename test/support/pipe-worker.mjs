// A Worker (node:worker_threads) that uses one pipe end: see pipeRole.
import { parentPort, workerData } from 'node:worker_threads';
import { PipeClient } from '../../dist/src/index.js';
import { pipeRole } from './scenario.mjs';

parentPort.postMessage(pipeRole(PipeClient.attach(workerData.handle), workerData));
