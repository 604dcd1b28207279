// A Web Worker that uses one pipe end: see pipeRole (test/support/scenario.mjs).
import { PipeClient } from '../../src/index.js';
import { pipeRole } from '../support/scenario.mjs';

self.onmessage = (e: MessageEvent) => {
  postMessage(pipeRole(PipeClient.attach(e.data.handle), e.data));
};
