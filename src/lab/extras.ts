// What the lab shows of splicekit's extensions beyond kernel.snapshot():
// the "unacked" rings of TCP-like sockets (pages sent but not yet
// acknowledged), and the release notifications a trace asked for.

import { POLLIN } from '../constants.js';
import { SocketEnd } from '../files/socket.js';
import type { Process } from '../process.js';
import { ringView, type KernelSnapshot } from '../snapshot.js';
import type { Bindings } from '../trace/run.js';

/** An unacked ring: the references a TCP-like socket end keeps to what it sent. */
export interface UnackedRing {
  ring: number;
  /** The fd of the sending end. */
  senderFd: number;
  /** ms of the kernel's clock from sending to the acknowledgement. */
  ackDelay: number;
}

/** One id a notify fd handed out, and whether every page reference it made is gone. */
export interface TrackedView {
  id: number;
  line: number;
  released: boolean;
  /** The user pages the vmsplice mapped. */
  pages: number[];
}

export interface NotifyView {
  fd: number;
  ids: TrackedView[];
  /** Released ids wait to be read (poll gives IN). */
  pending: boolean;
}

/**
 * The TCP-like sockets' unacked rings. kernel.snapshot() lists rings through
 * fds, and no fd names these, so they are found on the socket ends (the lab
 * looking inside the process's fd table, read-only).
 */
export function unackedRings(kernel: Process): UnackedRing[] {
  const out: UnackedRing[] = [];
  for (const [fd, f] of kernel.fds.entries()) {
    if (!(f instanceof SocketEnd) || f.unacked < 0 || f.closed || out.some((u) => u.ring === f.unacked)) continue;
    out.push({ ring: f.unacked, senderFd: fd, ackDelay: f.ackDelay ?? 0 });
  }
  return out;
}

/** Adds the unacked rings, their slots as page holders, and pages only they hold, unless the snapshot has them. */
export function withUnacked(kernel: Process, snap: KernelSnapshot, unacked: UnackedRing[]): KernelSnapshot {
  const missing = unacked.filter((u) => !snap.rings.some((r) => r.ring === u.ring));
  if (missing.length === 0) return snap;
  const pages = new Map(snap.pages.map((p) => [p.page, { ...p, holders: [...p.holders] }]));
  const rings = [...snap.rings];
  for (const u of missing) {
    const ring = ringView(kernel.machine, u.ring, 'socket');
    rings.push(ring);
    for (const s of ring.slots) {
      const p = pages.get(s.page) ?? { page: s.page, refs: kernel.core.pageRefs(s.page), holders: [] };
      // Rings first, as the snapshot lists holders.
      const at = p.holders.findIndex((h) => !h.startsWith('ring '));
      p.holders.splice(at < 0 ? p.holders.length : at, 0, `ring ${u.ring} slot ${s.index}`);
      pages.set(s.page, p);
    }
  }
  return { ...snap, rings, pages: [...pages.values()].sort((a, b) => a.page - b.page) };
}

/** Every notify fd still open, with the ids the trace got through it. */
export function notifyViews(kernel: Process, names: Bindings, snap: KernelSnapshot): NotifyView[] {
  const out: NotifyView[] = [];
  for (const [fd, tracked] of names.tracked) {
    if (kernel.describe(fd)?.kind !== 'notify') continue;
    const ids = tracked.map((t) => ({
      id: t.id,
      line: t.line,
      // isReleased delivers completions first, as every syscall's return does: no result changes.
      released: kernel.isReleased(fd, t.id),
      pages: userPages(snap, t.iov),
    }));
    const pending = (kernel.poll([{ fd, events: POLLIN }])[0]! & POLLIN) !== 0;
    out.push({ fd, ids, pending });
  }
  return out;
}

function userPages(snap: KernelSnapshot, iov: { addr: number; offset: number; length: number }[]): number[] {
  const out: number[] = [];
  for (const v of iov) {
    const buf = snap.userBuffers.find((b) => b.addr === v.addr);
    if (!buf || v.length === 0) continue;
    for (let i = Math.floor(v.offset / 4096); i <= Math.floor((v.offset + v.length - 1) / 4096); i++) {
      if (!out.includes(buf.firstPage + i)) out.push(buf.firstPage + i);
    }
  }
  return out;
}
