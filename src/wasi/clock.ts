// clock_time_get, clock_res_get, and the clocks poll_oneoff waits on.
// performance.now() serves both Node and browsers; CPU-time clocks are
// approximated by the monotonic clock (one guest, one thread).

import { CLOCK } from './abi.js';
import type { WasiContext } from './context.js';
import { E } from './errno.js';

const ORIGIN_NS = BigInt(Math.round(performance.timeOrigin * 1e3)) * 1000n;
const RESOLUTION_NS = 1000n;

/** The time of clock `id` in nanoseconds, or undefined for an unknown clock. */
export function clockNow(id: number): bigint | undefined {
  const mono = BigInt(Math.round(performance.now() * 1e6));
  switch (id) {
    case CLOCK.REALTIME:
      return ORIGIN_NS + mono;
    case CLOCK.MONOTONIC:
    case CLOCK.PROCESS_CPUTIME_ID:
    case CLOCK.THREAD_CPUTIME_ID:
      return mono;
    default:
      return undefined;
  }
}

const sleeper = typeof SharedArrayBuffer === 'function' ? new Int32Array(new SharedArrayBuffer(4)) : undefined;

/** Sleeps this thread (the guest is synchronous): Atomics.wait where allowed, else a busy wait. */
export function sleepNs(ns: bigint): void {
  const ms = Number(ns) / 1e6;
  if (ms <= 0) return;
  try {
    if (sleeper) {
      Atomics.wait(sleeper, 0, 0, ms);
      return;
    }
  } catch {
    // A browser's main thread may not wait.
  }
  const end = performance.now() + ms;
  while (performance.now() < end);
}

export function clockCalls(ctx: WasiContext) {
  const m = ctx.mem;
  return {
    clock_time_get: (id: number, _precision: bigint, ptr: number) =>
      ctx.run('wasi', null, () => {
        m.check(ptr, 8);
        const t = clockNow(id);
        if (t === undefined) return E.INVAL;
        m.setU64(ptr, t);
        return E.SUCCESS;
      }),
    clock_res_get: (id: number, ptr: number) =>
      ctx.run('wasi', null, () => {
        m.check(ptr, 8);
        if (clockNow(id) === undefined) return E.INVAL;
        m.setU64(ptr, RESOLUTION_NS);
        return E.SUCCESS;
      }),
  };
}
