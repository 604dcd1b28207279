// A regular file of a mounted host directory. Its bytes stay on the host:
// no page cache, so read and write go straight to the host's file, and
// splice copies at the boundary, as copy_splice_read() and a plain
// write_iter do for filesystems without page-cache splicing (fs/splice.c).

import { MAX_RW_COUNT, O_APPEND, PAGE_SIZE, SEEK_CUR, SEEK_END, SEEK_SET } from '../constants.js';
import { emptyPipe, OpenFile } from './file.js';
import type { HostHandle } from './hostdir.js';
import type { Kctx, Pos, Result } from './kctx.js';
import { EINVAL, ENOMEM } from './kctx.js';
import { MAX_FILE_BYTES } from './memfs.js';

export class HostFile extends OpenFile {
  pos = 0;
  /** `name`: the path it was opened by, for describe() and stat. */
  constructor(
    private readonly handle: HostHandle,
    flags: number,
    readonly name: string,
  ) {
    super(flags);
  }

  override get positional(): boolean {
    return true;
  }
  override get regular(): boolean {
    return true;
  }

  get size(): number {
    return this.handle.size();
  }

  read(k: Kctx, dst: number, count: number, pos: Pos): Result {
    const r = this.handle.pread(k.mem.subarray(dst, dst + count), pos.value);
    if (r > 0) pos.value += r;
    return r;
  }

  write(k: Kctx, src: number, count: number, pos: Pos): Result {
    // generic_write_checks(): an empty write returns before O_APPEND moves the position.
    if (count === 0) return 0;
    if (this.flags & O_APPEND) pos.value = this.handle.size();
    const r = this.handle.pwrite(k.mem.subarray(src, src + count), pos.value);
    if (r > 0) pos.value += r;
    return r;
  }

  /** generic_file_llseek_size() with ext4's limit, as for the machine's own files. */
  override lseek(_k: Kctx, offset: number, whence: number): Result {
    let target: number;
    if (whence === SEEK_SET) target = offset;
    else if (whence === SEEK_CUR) target = this.pos + offset;
    else if (whence === SEEK_END) target = this.handle.size() + offset;
    else return EINVAL;
    if (target < 0 || target > MAX_FILE_BYTES) return EINVAL;
    this.pos = target;
    return target;
  }

  /** FIONREAD on a regular file: i_size - f_pos stored in an int (fs/ioctl.c). */
  override fionread(): Result {
    return Number(BigInt.asIntN(32, BigInt(this.handle.size() - this.pos)));
  }

  /** copy_splice_read(): read into fresh pages, as many as the pipe has room for. */
  override spliceRead(k: Kctx, pos: Pos, r: number, len: number): Result {
    const room = k.core.maxUsage(r) - k.core.occupancy(r);
    const n = Math.min(len, room * PAGE_SIZE, k.stageSize, MAX_RW_COUNT);
    const got = this.handle.pread(k.mem.subarray(k.stage, k.stage + n), pos.value);
    if (got <= 0) return got;
    const added = k.core.addCopiedPages(r, k.stage, got);
    if (added > 0) pos.value += added;
    return added;
  }

  /** iter_file_splice_write(): the pipe's bytes are copied out and written to the host's file. */
  override spliceWrite(k: Kctx, r: number, pos: Pos, len: number, nonblock: boolean): Result {
    const empty = emptyPipe(k, r, nonblock);
    if (empty !== undefined) return empty;
    const avail = k.core.ringBytes(r);
    // Through scratch pages: drainToPages consumes the ring as splice does (a packet whole, no discard).
    const n = Math.min(len, avail, k.stageSize, Math.floor(k.argsSize / 4) * PAGE_SIZE);
    const count = Math.ceil(n / PAGE_SIZE);
    if (k.core.allocPages(k.args, count) < 0) return ENOMEM;
    k.core.drainToPages(r, n, k.args, 0);
    k.core.copyFromPages(k.args, 0, k.stage, n);
    k.core.putPages(k.args, count);
    const w = this.handle.pwrite(k.mem.subarray(k.stage, k.stage + n), pos.value);
    if (w > 0) pos.value += w;
    return w;
  }

  override release(): void {
    this.handle.close();
  }
}
