// A Worker (node:worker_threads) that uses one pipe end: see pipeRole and pipeRecords.
import { parentPort, workerData } from 'node:worker_threads';
import { PipeClient } from '../../dist/src/index.js';
import { pipeRecords, pipeRole } from './scenario.mjs';

const scenario = workerData.role === 'writer' || workerData.role === 'records' ? pipeRecords : pipeRole;
parentPort.postMessage(scenario(PipeClient.attach(workerData.handle), workerData));
