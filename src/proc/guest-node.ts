// The entry of a guest's worker_threads Worker. Process memories made after
// it started arrive on its port, which it reads while it runs.

import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { runGuest } from './guest-start.js';
import type { GuestStart } from './spawn-with.js';

const { start, spaces } = workerData as { start: GuestStart; spaces: MessagePort };

/** Every space announced since the last look. */
function learn(): [number, WebAssembly.Memory][] {
  const out: [number, WebAssembly.Memory][] = [];
  for (let m = receiveMessageOnPort(spaces); m !== undefined; m = receiveMessageOnPort(spaces)) out.push(m.message as [number, WebAssembly.Memory]);
  return out;
}

parentPort?.postMessage({ status: runGuest(start, learn) });
spaces.close();
