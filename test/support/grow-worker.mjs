// A Worker that writes `bytes` bytes into its pipe end (a PipeClient) and
// closes it: its own core instance takes the pages, growing the pool.
import { parentPort, workerData } from 'node:worker_threads';
import { PipeClient } from '../../dist/src/index.js';
import { growByte } from './grow-byte.mjs';

const end = PipeClient.attach(workerData.handle);
const wrote = end.write(Uint8Array.from({ length: workerData.bytes }, (_, i) => growByte(i)));
end.close();
parentPort.postMessage({ wrote });
