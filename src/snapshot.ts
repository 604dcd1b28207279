// A picture of the kernel's state for people (the lab) and tests: every
// ring with its slots, every page in use with its holders, the fd table.

import type { CoreExports } from './core.js';
import type { OpenFile } from './files/file.js';
import { DevNull, DevZero } from './files/devices.js';
import { Directory } from './files/directory.js';
import type { Inode } from './files/memfs.js';
import { RegularFile } from './files/memfs.js';
import { PipeEnd } from './files/pipe.js';
import { SocketEnd } from './files/socket.js';

export type SlotOps = 'anon' | 'cache' | 'user' | 'default';

export interface SlotView {
  /** Free-running index (head/tail count these). */
  index: number;
  page: number;
  offset: number;
  len: number;
  /** Linux pipe_buffer flags: GIFT 0x04, PACKET 0x08, CAN_MERGE 0x10. */
  flags: number;
  /** Which pipe_buf_operations: who made the buffer. */
  ops: SlotOps;
}

export interface RingView {
  ring: number;
  kind: 'pipe' | 'socket';
  head: number;
  tail: number;
  maxUsage: number;
  readers: number;
  writers: number;
  slots: SlotView[];
  /** For a TCP-like socket's retransmit ring: the socket fd whose unacknowledged data it holds. */
  unackedOf?: number;
}

export interface FdView {
  fd: number;
  kind: 'pipe-read' | 'pipe-write' | 'file' | 'socket' | 'null' | 'zero' | 'directory' | 'notify';
  flags: number;
  ring?: number;
  path?: string;
  pos?: number;
  size?: number;
}

export interface PageView {
  page: number;
  refs: number;
  /** e.g. "ring 3 slot 17", "file data page 0", "user buffer 0x2000", "zero page". */
  holders: string[];
}

export interface KernelSnapshot {
  rings: RingView[];
  fds: FdView[];
  files: { path: string; size: number; pages: number[] }[];
  userBuffers: { addr: number; length: number; firstPage: number; pages: number }[];
  pages: PageView[];
  pool: { total: number; inUse: number };
}

const OPS: SlotOps[] = ['anon', 'cache', 'user', 'default'];

export interface SnapshotSource {
  core: CoreExports;
  memory: WebAssembly.Memory;
  zeroPage: number;
  fds: ReadonlyMap<number, OpenFile>;
  files: ReadonlyMap<string, Inode>;
  userRuns: { addr: number; length: number; first: number; count: number }[];
  pool: { total: number; inUse: number };
}

function ringView(s: SnapshotSource, ring: number, kind: RingView['kind']): RingView {
  const { core } = s;
  const head = core.ringHead(ring);
  const tail = core.ringTail(ring);
  const size = kind === 'pipe' ? core.maxUsage(ring) : core.ringCap();
  const words = new Uint32Array(s.memory.buffer);
  const slots: SlotView[] = [];
  for (let i = tail; i !== head; i = (i + 1) >>> 0) {
    const at = (core.ringSlots() + (ring * core.ringCap() + (i & (size - 1))) * core.slotSize()) / 4;
    const f = words[at + 3];
    slots.push({ index: i, page: words[at], offset: words[at + 1], len: words[at + 2], flags: f & 0xff, ops: OPS[(f >> 8) & 3] });
  }
  return { ring, kind, head, tail, maxUsage: core.maxUsage(ring), readers: core.readers(ring), writers: core.writers(ring), slots };
}

export function describeFd(fd: number, f: OpenFile, paths: Map<Inode, string>): FdView {
  if (f instanceof PipeEnd) return { fd, kind: f.isRead ? 'pipe-read' : 'pipe-write', flags: f.flags, ring: f.pipe.ring };
  if (f instanceof SocketEnd) return { fd, kind: 'socket', flags: f.flags, ring: f.rx };
  if (f instanceof RegularFile) return { fd, kind: 'file', flags: f.flags, path: paths.get(f.inode), pos: f.pos };
  if (f instanceof DevZero) return { fd, kind: 'zero', flags: f.flags };
  if (f instanceof DevNull) return { fd, kind: 'null', flags: f.flags };
  if (f instanceof Directory) return { fd, kind: 'directory', flags: f.flags };
  return { fd, kind: 'notify', flags: f.flags };
}

export function takeSnapshot(s: SnapshotSource): KernelSnapshot {
  const holders = new Map<number, string[]>();
  const hold = (page: number, who: string) => {
    const list = holders.get(page) ?? [];
    list.push(who);
    holders.set(page, list);
  };
  const paths = new Map<Inode, string>([...s.files].map(([p, i]) => [i, p]));
  const fds = [...s.fds].sort(([a], [b]) => a - b).map(([fd, f]) => describeFd(fd, f, paths));
  const rings: RingView[] = [];
  const addRing = (r: number, kind: RingView['kind'], unackedOf?: number) => {
    if (rings.some((x) => x.ring === r)) return;
    const ring = ringView(s, r, kind);
    if (unackedOf !== undefined) ring.unackedOf = unackedOf;
    for (const slot of ring.slots) hold(slot.page, `ring ${ring.ring} slot ${slot.index}`);
    rings.push(ring);
  };
  for (const v of fds) {
    if (v.ring === undefined) continue;
    addRing(v.ring, v.kind === 'socket' ? 'socket' : 'pipe');
    // A TCP-like socket's sent-but-unacknowledged pages sit in a ring of their own.
    const f = s.fds.get(v.fd);
    if (f instanceof SocketEnd && f.unacked >= 0) addRing(f.unacked, 'socket', v.fd);
  }
  const files = [...s.files].map(([path, inode]) => {
    const pages = [...inode.pages].sort(([a], [b]) => a - b);
    for (const [n, page] of pages) hold(page, `file ${path} page ${n}`);
    return { path, size: inode.size, pages: pages.map(([, page]) => page) };
  });
  for (const run of s.userRuns) {
    for (let i = 0; i < run.count; i++) hold(run.first + i, `user buffer 0x${run.addr.toString(16)}`);
  }
  hold(s.zeroPage, 'zero page');
  const pages = [...holders].sort(([a], [b]) => a - b).map(([page, who]) => ({ page, refs: s.core.pageRefs(page), holders: who }));
  return {
    rings,
    fds,
    files,
    userBuffers: s.userRuns.map((r) => ({ addr: r.addr, length: r.length, firstPage: r.first, pages: r.count })),
    pages,
    pool: s.pool,
  };
}
