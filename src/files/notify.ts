// A release-notification fd: reads return which vmsplice ids have had
// every page reference dropped, as ranges [lo, hi] of ids (like the
// MSG_ZEROCOPY completions of sockets), so an event loop can poll it.

import { O_NONBLOCK, O_RDONLY, POLLIN } from '../constants.js';
import { OpenFile } from './file.js';
import type { Kctx, Pos, Result } from './kctx.js';
import { BLOCK, EAGAIN, EBADF, EINVAL } from './kctx.js';

/** One record: u32 lo, u32 hi (little-endian), ids lo..hi all released. */
export const NOTIFY_RECORD = 8;

export class NotifyFile extends OpenFile {
  /** The id the next tracked vmsplice gets. */
  nextId = 0;
  private readonly outstanding = new Set<number>();
  private readonly ranges: [number, number][] = [];
  private readonly waiters = new Map<number, (() => void)[]>();

  constructor(flags: number) {
    super(O_RDONLY | (flags & O_NONBLOCK));
  }

  track(): number {
    const id = this.nextId++;
    this.outstanding.add(id);
    return id;
  }

  /** The last id tracked made no reference after all: it is not handed out. */
  untrack(id: number): void {
    this.outstanding.delete(id);
    if (id === this.nextId - 1) this.nextId--;
  }

  isReleased(id: number): boolean {
    return id < this.nextId && !this.outstanding.has(id);
  }

  complete(id: number): void {
    this.outstanding.delete(id);
    const last = this.ranges[this.ranges.length - 1];
    if (last && id === last[1] + 1) last[1] = id;
    else this.ranges.push([id, id]);
    for (const wake of this.waiters.get(id) ?? []) wake();
    this.waiters.delete(id);
  }

  whenReleased(id: number): Promise<void> {
    if (this.isReleased(id)) return Promise.resolve();
    return new Promise((resolve) => {
      const list = this.waiters.get(id) ?? [];
      list.push(resolve);
      this.waiters.set(id, list);
    });
  }

  read(k: Kctx, dst: number, count: number, _pos: Pos): Result {
    if (count < NOTIFY_RECORD) return EINVAL;
    if (this.ranges.length === 0) return this.flags & O_NONBLOCK ? EAGAIN : BLOCK;
    const n = Math.min(this.ranges.length, Math.floor(count / NOTIFY_RECORD));
    const out = new DataView(k.mem.buffer, dst, n * NOTIFY_RECORD);
    this.ranges.splice(0, n).forEach(([lo, hi], i) => {
      out.setUint32(i * NOTIFY_RECORD, lo, true);
      out.setUint32(i * NOTIFY_RECORD + 4, hi, true);
    });
    return n * NOTIFY_RECORD;
  }

  write(): Result {
    return EBADF;
  }

  override poll(): number {
    return this.ranges.length > 0 ? POLLIN : 0;
  }
}
