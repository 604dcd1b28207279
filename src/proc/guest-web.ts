// The entry of a guest's module Web Worker: started by one message.

import { runGuest } from './guest-start.js';
import type { GuestStart } from './spawn-with.js';

self.onmessage = (e: MessageEvent<GuestStart>) => {
  postMessage({ status: runGuest(e.data) });
};
