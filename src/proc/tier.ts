// Guests in V8's optimising tier from their first instruction. V8 compiles
// Wasm with its baseline compiler (Liftoff) and moves a function to the
// optimising one (TurboFan) once it is hot, but only for its next call:
// there is no on-stack replacement for Wasm, and a C program's main loop is
// called once, so it would run as baseline code to its end. Without
// Liftoff every function is optimised when first called; measured on
// `producer | cat` (1 GiB) 1.8x the throughput. The flag is the process's,
// so it is the caller's choice (splicekit exec and npm run bench make it).

import { setFlagsFromString } from 'node:v8';

/** Compiles Wasm modules made from now on with the optimising tier only (Node; process-wide). */
export function optimizeGuestCode(): void {
  setFlagsFromString('--no-liftoff');
}
