// Regular files in memory with a page cache of pool pages (the page cache
// holds one reference on each page; pipes that splice a page take more).

import { PAGE_SIZE, SEEK_CUR, SEEK_END, SEEK_SET, O_APPEND } from '../constants.js';
import { emptyPipe, OpenFile } from './file.js';
import type { Kctx, Pos, Result } from './kctx.js';
import { EFBIG, EINVAL, ENOMEM, ENOSPC } from './kctx.js';

/** ext4's s_maxbytes with 4 KiB blocks (the oracle's filesystem): 16 TiB - 4 KiB. */
export const MAX_FILE_BYTES = 2 ** 44 - PAGE_SIZE;

/**
 * The pages the directory's files may hold, as a tmpfs's size= limit
 * (mm/shmem.c: shmem_inode_acct_blocks() fails ENOSPC past it). Linux's
 * default is half of RAM; here it is the pool's most pages less an
 * eighth, so a full directory still leaves pages for pipes and sockets:
 * a program's output, and its message saying the disk is full.
 */
export class PageQuota {
  used = 0;
  readonly limit: number;
  constructor(maxPages: number) {
    this.limit = maxPages - Math.ceil(maxPages / 8);
  }
}

export class Inode {
  /** File page number -> pool page. */
  readonly pages = new Map<number, number>();
  size = 0;
  /** Open descriptions plus the directory entry: the pages go when both are gone. */
  links = 1;
  opens = 0;

  constructor(readonly quota: PageQuota) {}

  /** Why no page could be had for a write: the directory is full (ENOSPC), else the pool is (ENOMEM). */
  noRoom(): Result {
    return this.quota.used >= this.quota.limit ? ENOSPC : ENOMEM;
  }

  /** Pool pages for file pages [first, last], allocating zeroed ones for holes, within the quota. */
  ensurePages(k: Kctx, first: number, last: number): number[] {
    const missing: number[] = [];
    for (let p = first; p <= last; p++) if (!this.pages.has(p)) missing.push(p);
    missing.length = Math.max(0, Math.min(missing.length, this.quota.limit - this.quota.used));
    if (missing.length > 0 && k.core.allocPages(k.args, missing.length) >= 0) {
      const list = new Uint32Array(k.mem.buffer, k.args, missing.length);
      missing.forEach((p, i) => this.pages.set(p, list[i]));
      this.quota.used += missing.length;
    } else {
      // Not all at once: one at a time, as write_begin takes them, until the pool runs out.
      for (const p of missing) {
        if (k.core.allocPages(k.args, 1) < 0) break;
        this.pages.set(p, new Uint32Array(k.mem.buffer, k.args, 1)[0]);
        this.quota.used++;
      }
    }
    const out: number[] = [];
    for (let p = first; p <= last && this.pages.has(p); p++) out.push(this.pages.get(p)!);
    return out;
  }

  /** Writes a page list into the args scratch and returns its address. */
  static putList(k: Kctx, pages: number[]): number {
    new Uint32Array(k.mem.buffer, k.args, pages.length).set(pages);
    return k.args;
  }

  truncate(k: Kctx, size: number): void {
    const keep = Math.ceil(size / PAGE_SIZE);
    for (const [p, page] of this.pages) {
      if (p >= keep) {
        k.core.pagePut(page);
        this.pages.delete(p);
        this.quota.used--;
      }
    }
    // Zero the tail of the last kept page so a later extension reads zeros.
    const last = this.pages.get(keep - 1);
    if (size % PAGE_SIZE !== 0 && last !== undefined) {
      const addr = pageAddr(k, last);
      k.mem.fill(0, addr + (size % PAGE_SIZE), addr + PAGE_SIZE);
    }
    this.size = size;
  }

  dropAll(k: Kctx): void {
    this.truncate(k, 0);
  }
}

export function pageAddr(k: Kctx, page: number): number {
  return k.pages + page * PAGE_SIZE;
}

/** Largest page-list chunk the args scratch holds. */
function chunkPages(k: Kctx): number {
  return Math.floor(k.argsSize / 4);
}

export class RegularFile extends OpenFile {
  pos = 0;
  constructor(
    readonly inode: Inode,
    flags: number,
  ) {
    super(flags);
    inode.opens++;
  }

  override get positional(): boolean {
    return true;
  }
  override get regular(): boolean {
    return true;
  }
  /** ext4's files take O_DIRECT (the recording machine's filesystem). */
  override get canODirect(): boolean {
    return true;
  }

  read(k: Kctx, dst: number, count: number, pos: Pos): Result {
    const n = Math.max(0, Math.min(count, this.inode.size - pos.value));
    if (n === 0) return 0;
    const r = this.copyPages(k, pos.value, n, dst, false);
    if (r < 0) return r;
    pos.value += r;
    return r;
  }

  write(k: Kctx, src: number, count: number, pos: Pos): Result {
    // generic_write_checks(): an empty write returns before O_APPEND moves the position.
    if (count === 0) return 0;
    if (this.flags & O_APPEND) pos.value = this.inode.size;
    if (pos.value >= MAX_FILE_BYTES) return EFBIG;
    count = Math.min(count, MAX_FILE_BYTES - pos.value);
    // What the page cache took: all of it, or what fit before the pool ran out.
    const r = this.copyPages(k, pos.value, count, src, true);
    if (r < 0) return r;
    pos.value += r;
    if (pos.value > this.inode.size) this.inode.size = pos.value;
    return r;
  }

  /** Copies between `addr` and the page cache, a chunk of pages at a time. */
  private copyPages(k: Kctx, off: number, len: number, addr: number, toFile: boolean): Result {
    let done = 0;
    while (done < len) {
      const at = off + done;
      const first = Math.floor(at / PAGE_SIZE);
      const n = Math.min(len - done, chunkPages(k) * PAGE_SIZE - (at % PAGE_SIZE));
      const last = Math.floor((at + n - 1) / PAGE_SIZE);
      const pages = this.inode.ensurePages(k, first, last);
      // Out of pages midway: what was copied counts (generic_perform_write), else ENOSPC or ENOMEM.
      const m = Math.min(n, pages.length * PAGE_SIZE - (at % PAGE_SIZE));
      if (m <= 0) return done > 0 ? done : this.inode.noRoom();
      const list = Inode.putList(k, pages);
      if (toFile) k.core.copyToPages(list, at % PAGE_SIZE, addr + done, m);
      else k.core.copyFromPages(list, at % PAGE_SIZE, addr + done, m);
      done += m;
      if (m < n) break;
    }
    return done;
  }

  /** generic_file_llseek_size() with ext4's limit. */
  override lseek(_k: Kctx, offset: number, whence: number): Result {
    let target: number;
    if (whence === SEEK_SET) target = offset;
    else if (whence === SEEK_CUR) target = this.pos + offset;
    else if (whence === SEEK_END) target = this.inode.size + offset;
    else return EINVAL;
    if (target < 0 || target > MAX_FILE_BYTES) return EINVAL;
    this.pos = target;
    return target;
  }

  /** FIONREAD on a regular file: i_size - f_pos stored in an int (fs/ioctl.c). */
  override fionread(): Result {
    return Number(BigInt.asIntN(32, BigInt(this.inode.size - this.pos)));
  }

  /** filemap_splice_read(): page-cache pages go into the ring by reference. */
  override spliceRead(k: Kctx, pos: Pos, r: number, len: number): Result {
    if (pos.value >= this.inode.size) return 0;
    const room = k.core.maxUsage(r) - k.core.occupancy(r);
    const end = Math.min(this.inode.size, pos.value + Math.min(len, room * PAGE_SIZE));
    if (end <= pos.value) return 0;
    const first = Math.floor(pos.value / PAGE_SIZE);
    const pages = this.inode.ensurePages(k, first, Math.floor((end - 1) / PAGE_SIZE));
    const len2 = Math.min(end - pos.value, pages.length * PAGE_SIZE - (pos.value % PAGE_SIZE));
    if (len2 <= 0) return ENOMEM;
    const n = k.core.addCachePages(r, Inode.putList(k, pages), pages.length, pos.value % PAGE_SIZE, len2);
    if (n > 0) pos.value += n;
    return n;
  }

  /** iter_file_splice_write(): the pipe's bytes are copied into the page cache. */
  override spliceWrite(k: Kctx, r: number, pos: Pos, len: number, nonblock: boolean): Result {
    const empty = emptyPipe(k, r, nonblock);
    if (empty !== undefined) return empty;
    const avail = k.core.ringBytes(r);
    let n = Math.min(len, avail);
    if (pos.value >= MAX_FILE_BYTES) return EFBIG;
    n = Math.min(n, MAX_FILE_BYTES - pos.value);
    let done = 0;
    while (done < n) {
      const at = pos.value + done;
      const m = Math.min(n - done, chunkPages(k) * PAGE_SIZE - (at % PAGE_SIZE));
      const pages = this.inode.ensurePages(k, Math.floor(at / PAGE_SIZE), Math.floor((at + m - 1) / PAGE_SIZE));
      const got = Math.min(m, pages.length * PAGE_SIZE - (at % PAGE_SIZE));
      if (got <= 0) break;
      k.core.drainToPages(r, got, Inode.putList(k, pages), at % PAGE_SIZE);
      done += got;
      if (got < m) break;
    }
    if (done === 0) return this.inode.noRoom();
    pos.value += done;
    if (pos.value > this.inode.size) this.inode.size = pos.value;
    return done;
  }

  override release(k: Kctx): void {
    if (--this.inode.opens === 0 && this.inode.links === 0) this.inode.dropAll(k);
  }
}
