// poll_oneoff for one thread: fd readiness comes from kernel.poll; with
// nothing ready the host may move data (HostIo.wait), else the call sleeps
// until its earliest clock subscription is due. With neither, nothing can
// ever become ready while the guest waits, so it returns EAGAIN.

import { FIONREAD, POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT } from '../constants.js';
import { EVENT, EVENTRW_HANGUP, EVENTTYPE, SUBCLOCK_ABSTIME, SUBSCRIPTION } from './abi.js';
import { clockNow, sleepNs } from './clock.js';
import type { WasiContext } from './context.js';
import { E } from './errno.js';

type Sub =
  | { userdata: bigint; type: typeof EVENTTYPE.CLOCK; clock: number; deadline: bigint | undefined }
  | { userdata: bigint; type: typeof EVENTTYPE.FD_READ | typeof EVENTTYPE.FD_WRITE; fd: number };

interface Event {
  userdata: bigint;
  type: number;
  error: number;
  nbytes: number;
  flags: number;
}

export function pollCalls(ctx: WasiContext) {
  const { kernel: k, mem: m } = ctx;

  const parse = (ptr: number, i: number): Sub | undefined => {
    const at = (ptr >>> 0) + i * SUBSCRIPTION.SIZE;
    const userdata = m.u64(at + SUBSCRIPTION.USERDATA);
    const type = m.u8(at + SUBSCRIPTION.TAG);
    if (type === EVENTTYPE.FD_READ || type === EVENTTYPE.FD_WRITE) {
      return { userdata, type, fd: m.u32(at + SUBSCRIPTION.FD) };
    }
    if (type !== EVENTTYPE.CLOCK) return undefined;
    const clock = m.u32(at + SUBSCRIPTION.CLOCK_ID);
    const timeout = m.u64(at + SUBSCRIPTION.TIMEOUT);
    const now = clockNow(clock);
    const abs = (m.u16(at + SUBSCRIPTION.FLAGS) & SUBCLOCK_ABSTIME) !== 0;
    return { userdata, type, clock, deadline: now === undefined ? undefined : abs ? timeout : now + timeout };
  };

  /** The event a subscription has now, if any. */
  const check = (s: Sub): Event | undefined => {
    const ev = { userdata: s.userdata, type: s.type, error: 0, nbytes: 0, flags: 0 };
    if (s.type === EVENTTYPE.CLOCK) {
      if (s.deadline === undefined) return { ...ev, error: E.INVAL };
      return clockNow(s.clock)! >= s.deadline ? ev : undefined;
    }
    const read = s.type === EVENTTYPE.FD_READ;
    const got = k.poll([{ fd: s.fd, events: read ? POLLIN : POLLOUT }], 0)[0];
    if (got & POLLNVAL) return { ...ev, error: E.BADF };
    if (!(got & ((read ? POLLIN : POLLOUT) | POLLHUP | POLLERR))) return undefined;
    // wasi-libc's poll() turns an error other than BADF/PIPE into POLLERR, the bit Linux sets.
    if (got & POLLERR) return { ...ev, error: E.IO };
    return { ...ev, flags: got & POLLHUP ? EVENTRW_HANGUP : 0, nbytes: read ? readable(s.fd) : 0 };
  };

  /** Bytes ready to read (FIONREAD where the fd answers it). */
  const readable = (fd: number): number => {
    try {
      return Math.max(0, k.ioctl(fd, FIONREAD));
    } catch {
      return 0;
    }
  };

  const put = (out: number, i: number, e: Event): void => {
    const at = (out >>> 0) + i * EVENT.SIZE;
    m.bytes(at, EVENT.SIZE).fill(0);
    m.setU64(at + EVENT.USERDATA, e.userdata);
    m.setU16(at + EVENT.ERROR, e.error);
    m.setU8(at + EVENT.TYPE, e.type);
    m.setU64(at + EVENT.NBYTES, e.nbytes);
    m.setU16(at + EVENT.FLAGS, e.flags);
  };

  return {
    poll_oneoff: (inPtr: number, outPtr: number, nsubs: number, nevents: number) =>
      ctx.run('wasi', null, () => {
        const n = nsubs >>> 0;
        if (n === 0) return E.INVAL;
        m.check(inPtr, n * SUBSCRIPTION.SIZE);
        m.check(outPtr, n * EVENT.SIZE);
        m.check(nevents, 4);
        const subs: Sub[] = [];
        for (let i = 0; i < n; i++) {
          const s = parse(inPtr, i);
          if (!s) return E.INVAL;
          subs.push(s);
        }
        const fds = subs.flatMap((s) => ('fd' in s ? [s.fd] : []));
        for (;;) {
          const events = subs.map(check).filter((e): e is Event => e !== undefined);
          if (events.length > 0) {
            events.forEach((e, i) => put(outPtr, i, e));
            m.setU32(nevents, events.length);
            return E.SUCCESS;
          }
          if (fds.length > 0 && ctx.io.wait?.(fds)) continue;
          const waits = subs.flatMap((s) => ('deadline' in s && s.deadline !== undefined ? [s.deadline - clockNow(s.clock)!] : []));
          if (waits.length === 0) return E.AGAIN;
          // biome-ignore lint/complexity/useMathMinMax: the deadlines are bigints, which Math.min does not take.
          sleepNs(waits.reduce((a, b) => (a < b ? a : b)));
        }
      }),
  };
}
