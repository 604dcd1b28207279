// args_get, args_sizes_get, environ_get, environ_sizes_get, proc_exit,
// sched_yield, random_get.

import type { WasiContext } from './context.js';
import { ProcExit } from './context.js';
import { E } from './errno.js';
import { stringsSize } from './memory.js';

/** crypto.getRandomValues fills at most 65536 bytes per call. */
const RANDOM_CHUNK = 65536;

export function procCalls(ctx: WasiContext, args: readonly string[], env: readonly string[]) {
  const m = ctx.mem;
  const sizes = (list: readonly string[], countPtr: number, sizePtr: number) =>
    ctx.run('wasi', null, () => {
      m.check(countPtr, 4);
      m.check(sizePtr, 4);
      m.setU32(countPtr, list.length);
      m.setU32(sizePtr, stringsSize(list));
      return E.SUCCESS;
    });
  const strings = (list: readonly string[], ptrs: number, buf: number) =>
    ctx.run('wasi', null, () => {
      m.putStrings(list, ptrs, buf);
      return E.SUCCESS;
    });
  return {
    args_sizes_get: (count: number, size: number) => sizes(args, count, size),
    args_get: (ptrs: number, buf: number) => strings(args, ptrs, buf),
    environ_sizes_get: (count: number, size: number) => sizes(env, count, size),
    environ_get: (ptrs: number, buf: number) => strings(env, ptrs, buf),
    proc_exit: (status: number): never => {
      throw new ProcExit(status >>> 0);
    },
    // One thread: yielding lets the host move data (it is someone else's turn).
    sched_yield: () =>
      ctx.run('wasi', null, () => {
        ctx.io.wait?.([]);
        return E.SUCCESS;
      }),
    random_get: (ptr: number, len: number) =>
      ctx.run('wasi', null, () => {
        const dst = m.bytes(ptr, len);
        // A private buffer: getRandomValues refuses views of a shared memory.
        const chunk = new Uint8Array(Math.min(dst.length, RANDOM_CHUNK));
        for (let at = 0; at < dst.length; at += RANDOM_CHUNK) {
          const n = Math.min(RANDOM_CHUNK, dst.length - at);
          crypto.getRandomValues(chunk.subarray(0, n));
          dst.set(chunk.subarray(0, n), at);
        }
        return E.SUCCESS;
      }),
  };
}
