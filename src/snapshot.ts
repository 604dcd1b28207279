// A picture of the kernel's state for people (the lab) and tests: every
// ring with its slots, every page in use with its holders, the fd table.

import { LAYOUT, type CoreExports } from './core.js';
import type { OpenFile } from './files/file.js';
import { DevFull, DevNull, DevZero } from './files/devices.js';
import { HostFile } from './files/hostfile.js';
import { Directory } from './files/directory.js';
import type { Inode } from './files/memfs.js';
import { RegularFile } from './files/memfs.js';
import { PipeEnd } from './files/pipe.js';
import { SocketEnd } from './files/socket.js';
import { UnixSocket } from './files/unix.js';

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
  kind: 'pipe-read' | 'pipe-write' | 'file' | 'socket' | 'null' | 'zero' | 'full' | 'directory' | 'notify';
  flags: number;
  ring?: number;
  /** A socket's type: SOCK_STREAM, SOCK_DGRAM or SOCK_SEQPACKET. */
  socketType?: number;
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

export interface ProcessView {
  pid: number;
  /** Its open fds, lowest first. */
  fds: FdView[];
}

export interface KernelSnapshot {
  rings: RingView[];
  /** The fds of the process the snapshot was taken from. */
  fds: FdView[];
  /** Every live process on the machine, oldest first. */
  processes: ProcessView[];
  files: { path: string; size: number; pages: number[] }[];
  userBuffers: { addr: number; length: number; firstPage: number; pages: number }[];
  pages: PageView[];
  pool: { total: number; inUse: number };
}

const OPS: SlotOps[] = ['anon', 'cache', 'user', 'default'];

/** What a snapshot reads: the machine, and its processes through `each`. */
export interface SnapshotSource {
  core: CoreExports;
  memory: WebAssembly.Memory;
  zeroPage: number;
  files: ReadonlyMap<string, Inode>;
  stats(): { pagesTotal: number; pagesInUse: number };
  /** Every live process: its pid, its open fds, its user memory runs. */
  processes(): SnapshotProcess[];
}

export interface SnapshotProcess {
  pid: number;
  fds: [number, OpenFile][];
  userRuns: { addr: number; length: number; first: number; count: number }[];
}

/** A ring as data: its indices, counts and occupied slots. */
export function ringView(s: Pick<SnapshotSource, 'core' | 'memory'>, ring: number, kind: RingView['kind']): RingView {
  const { core } = s;
  const head = core.ringHead(ring);
  const tail = core.ringTail(ring);
  const mask = core.ringSize(ring) - 1;
  const base = core.ringSlotBase(ring);
  const words = new Uint32Array(s.memory.buffer);
  const slots: SlotView[] = [];
  for (let i = tail; i !== head; i = (i + 1) >>> 0) {
    const at = (base + (i & mask) * LAYOUT.SL_SIZE) / 4;
    const f = words[at + LAYOUT.SL_FLAGS / 4];
    slots.push({
      index: i,
      page: words[at + LAYOUT.SL_PAGE / 4],
      offset: words[at + LAYOUT.SL_OFFSET / 4],
      len: words[at + LAYOUT.SL_LEN / 4],
      flags: f & 0xff,
      ops: OPS[(f & LAYOUT.OPS_MASK) >> 8],
    });
  }
  return { ring, kind, head, tail, maxUsage: core.maxUsage(ring), readers: core.readers(ring), writers: core.writers(ring), slots };
}

export function describeFd(fd: number, f: OpenFile, paths: Map<Inode, string>): FdView {
  if (f instanceof PipeEnd) return { fd, kind: f.isRead ? 'pipe-read' : 'pipe-write', flags: f.flags, ring: f.pipe.ring };
  if (f instanceof UnixSocket) return { fd, kind: 'socket', flags: f.flags, ring: f.rx, socketType: f.type };
  if (f instanceof RegularFile) return { fd, kind: 'file', flags: f.flags, path: paths.get(f.inode), pos: f.pos };
  if (f instanceof HostFile) return { fd, kind: 'file', flags: f.flags, path: f.name, pos: f.pos };
  if (f instanceof DevFull) return { fd, kind: 'full', flags: f.flags };
  if (f instanceof DevZero) return { fd, kind: 'zero', flags: f.flags };
  if (f instanceof DevNull) return { fd, kind: 'null', flags: f.flags };
  if (f instanceof Directory) return { fd, kind: 'directory', flags: f.flags };
  return { fd, kind: 'notify', flags: f.flags };
}

/** The machine's state as `viewer` (a process of it) sees it. */
export function takeSnapshot(s: SnapshotSource, viewer: { pid: number }): KernelSnapshot {
  const holders = new Map<number, string[]>();
  const hold = (page: number, who: string) => {
    const list = holders.get(page) ?? [];
    list.push(who);
    holders.set(page, list);
  };
  const paths = new Map<Inode, string>([...s.files].map(([p, i]) => [i, p]));
  const procs = s.processes();
  const processes = procs.map((p) => ({ pid: p.pid, fds: p.fds.map(([fd, f]) => describeFd(fd, f, paths)) }));
  const rings: RingView[] = [];
  const addRing = (r: number, kind: RingView['kind'], unackedOf?: number) => {
    if (rings.some((x) => x.ring === r)) return;
    const ring = ringView(s, r, kind);
    if (unackedOf !== undefined) ring.unackedOf = unackedOf;
    for (const slot of ring.slots) hold(slot.page, `ring ${ring.ring} slot ${slot.index}`);
    rings.push(ring);
  };
  for (const p of procs) {
    for (const [fd, f] of p.fds) {
      const v = describeFd(fd, f, paths);
      if (v.ring === undefined) continue;
      addRing(v.ring, v.kind === 'socket' ? 'socket' : 'pipe');
      // A TCP-like socket's sent-but-unacknowledged pages sit in a ring of their own.
      if (f instanceof SocketEnd && f.unacked >= 0) addRing(f.unacked, 'socket', fd);
    }
  }
  const userRuns = procs.flatMap((p) => p.userRuns);
  const files = [...s.files].map(([path, inode]) => {
    const pages = [...inode.pages].sort(([a], [b]) => a - b);
    for (const [n, page] of pages) hold(page, `file ${path} page ${n}`);
    return { path, size: inode.size, pages: pages.map(([, page]) => page) };
  });
  for (const run of userRuns) {
    for (let i = 0; i < run.count; i++) hold(run.first + i, `user buffer 0x${run.addr.toString(16)}`);
  }
  hold(s.zeroPage, 'zero page');
  const pages = [...holders].sort(([a], [b]) => a - b).map(([page, who]) => ({ page, refs: s.core.pageRefs(page), holders: who }));
  const st = s.stats();
  return {
    rings,
    fds: processes.find((p) => p.pid === viewer.pid)?.fds ?? [],
    processes,
    files,
    userBuffers: userRuns.map((r) => ({ addr: r.addr, length: r.length, firstPage: r.first, pages: r.count })),
    pages,
    pool: { total: st.pagesTotal, inUse: st.pagesInUse },
  };
}
