// The splice family (fs/splice.c): splice, tee, vmsplice and sendfile.

import { MAX_RW_COUNT, O_APPEND, O_NONBLOCK, PAGE_SIZE, PIPE_DEF_BUFFERS, SPLICE_F_ALL, SPLICE_F_GIFT, SPLICE_F_NONBLOCK, UIO_MAXIOV } from '../constants.js';
import type { OpenFile } from '../files/file.js';
import { EBADF, EFAULT, EINVAL, ENOMEM, EOVERFLOW, ESPIPE, type Pos, type Result } from '../files/kctx.js';
import { MAX_FILE_BYTES } from '../files/memfs.js';
import type { IoVec, Offset } from '../types.js';
import { FileCalls } from './files.js';


export abstract class SpliceCalls extends FileCalls {
  /** splice(2): SYSCALL_DEFINE6(splice), __do_splice(), do_splice() (fs/splice.c). */
  splice(fdIn: number, offIn: Offset | null, fdOut: number, offOut: Offset | null, len: number, flags: number): number {
    if (len === 0) return 0;
    if (flags & ~SPLICE_F_ALL) return this.check('splice', EINVAL);
    const fin = this.file(fdIn);
    const fout = this.file(fdOut);
    if (!fin || !fout) return this.check('splice', EBADF);
    const ipipe = fin.pipeRing();
    const opipe = fout.pipeRing();
    if ((ipipe !== undefined && offIn) || (opipe !== undefined && offOut)) return this.check('splice', ESPIPE);
    if (!fin.readable || !fout.writable) return this.check('splice', EBADF);
    len = Math.min(len, MAX_RW_COUNT);
    let nonblock = (flags & SPLICE_F_NONBLOCK) !== 0;
    if (ipipe !== undefined && opipe !== undefined) {
      if (ipipe === opipe) return this.check('splice', EINVAL);
      nonblock ||= ((fin.flags | fout.flags) & O_NONBLOCK) !== 0;
      return this.check('splice', this.core.splicePipeToPipe(ipipe, opipe, len, nonblock));
    }
    if (ipipe !== undefined) {
      if (offOut && !fout.positional) return this.check('splice', EINVAL);
      if (fout.flags & O_APPEND) return this.check('splice', EINVAL);
      const pos: Pos = offOut ? { value: offOut.value } : this.posOf(fout);
      if (pos.value + len > Number.MAX_SAFE_INTEGER * 1024) return this.check('splice', EINVAL);
      nonblock ||= (fin.flags & O_NONBLOCK) !== 0;
      const r = fout.spliceWrite(this, ipipe, pos, len, nonblock);
      if (r >= 0) this.storePos(fout, pos, offOut);
      return this.check('splice', r);
    }
    if (opipe !== undefined) {
      if (offIn && !fin.positional) return this.check('splice', EINVAL);
      const pos: Pos = offIn ? { value: offIn.value } : this.posOf(fin);
      nonblock ||= (fout.flags & O_NONBLOCK) !== 0;
      const r = this.fileToPipe(fin, pos, opipe, len, nonblock);
      if (r >= 0) this.storePos(fin, pos, offIn);
      return this.check('splice', r);
    }
    return this.check('splice', EINVAL);
  }

  /** splice_file_to_pipe(): wait_for_space(), then do_splice_read(). */
  protected fileToPipe(fin: OpenFile, pos: Pos, r: number, len: number, nonblock: boolean): Result {
    const wait = this.core.waitForSpace(r, nonblock);
    if (wait !== 0) return wait;
    if (!fin.readable) return EBADF;
    if (len === 0) return 0;
    const room = this.core.maxUsage(r) - this.core.occupancy(r);
    len = Math.min(len, room * PAGE_SIZE);
    return fin.spliceRead(this, pos, r, len, nonblock);
  }

  /** tee(2): flags first, then len, then the fds (fs/splice.c). */
  tee(fdIn: number, fdOut: number, len: number, flags: number): number {
    if (flags & ~SPLICE_F_ALL) return this.check('tee', EINVAL);
    if (len === 0) return 0;
    const fin = this.file(fdIn);
    const fout = this.file(fdOut);
    if (!fin || !fout) return this.check('tee', EBADF);
    if (!fin.readable || !fout.writable) return this.check('tee', EBADF);
    const a = fin.pipeRing();
    const b = fout.pipeRing();
    if (a === undefined || b === undefined || a === b) return this.check('tee', EINVAL);
    const nonblock = (flags & SPLICE_F_NONBLOCK) !== 0 || ((fin.flags | fout.flags) & O_NONBLOCK) !== 0;
    return this.check('tee', this.core.tee(a, b, Math.min(len, MAX_RW_COUNT), nonblock));
  }

  /**
   * vmsplice(2). On a pipe's write end the pipe references the iovecs' pages
   * (zero-copy: changing them before the reader reads changes what it reads);
   * on a read end the pipe's bytes are copied into them.
   */
  vmsplice(fd: number, iov: IoVec[], flags: number): number {
    return this.vmspliceTagged(fd, iov, flags, 0, false);
  }

  /** vmsplice; `tag` marks the slots for a release notification (`toPipeOnly`: no copy-out). */
  protected vmspliceTagged(fd: number, iov: IoVec[], flags: number, tag: number, toPipeOnly: boolean): number {
    if (flags & ~SPLICE_F_ALL) return this.check('vmsplice', EINVAL);
    const f = this.file(fd);
    if (!f || !(f.writable || f.readable)) return this.check('vmsplice', EBADF);
    if (iov.length > UIO_MAXIOV) return this.check('vmsplice', EINVAL);
    const spans = this.user.spans(iov);
    if (spans === undefined) return this.check('vmsplice', EFAULT);
    const total = iov.reduce((n, v) => n + v.length, 0);
    if (total === 0) return 0;
    const r = f.pipeRing();
    if (r === undefined) return this.check('vmsplice', EBADF);
    const nonblock = (flags & SPLICE_F_NONBLOCK) !== 0;
    if (f.writable) {
      const n = this.user.mapIn(spans, Math.min(total, MAX_RW_COUNT));
      return this.check('vmsplice', this.core.vmspliceToPipe(r, this.args, n, (flags & SPLICE_F_GIFT) !== 0, nonblock, tag));
    }
    if (toPipeOnly) return this.check('vmsplice', EBADF);
    const n = this.user.copyOutList(spans);
    const got = this.core.pipeToUser(r, this.args, n, nonblock);
    if (got > 0) this.user.markWritten(spans, got);
    return this.check('vmsplice', got);
  }

  /** sendfile(2): do_sendfile() (fs/read_write.c). */
  sendfile(outFd: number, inFd: number, off: Offset | null, count: number): number {
    const fin = this.file(inFd);
    if (!fin || !fin.readable) return this.check('sendfile', EBADF);
    if (off && !fin.positional) return this.check('sendfile', ESPIPE);
    const pos: Pos = off ? { value: off.value } : this.posOf(fin);
    count = Math.min(count, MAX_RW_COUNT);
    const fout = this.file(outFd);
    if (!fout || !fout.writable) return this.check('sendfile', EBADF);
    // The smaller s_maxbytes of the two files bounds the input position:
    // ext4's for a regular file, MAX_LFS_FILESIZE (never reached) otherwise.
    if ((fin.regular || fout.regular) && pos.value + count > MAX_FILE_BYTES) {
      if (pos.value >= MAX_FILE_BYTES) return this.check('sendfile', EOVERFLOW);
      count = MAX_FILE_BYTES - pos.value;
    }
    const opipe = fout.pipeRing();
    let r: Result;
    if (opipe !== undefined) {
      r = this.fileToPipe(fin, pos, opipe, count, (fout.flags & O_NONBLOCK) !== 0);
    } else {
      r = this.spliceDirect(fin, pos, fout, count);
    }
    if (r >= 0) this.storePos(fin, pos, off);
    return this.check('sendfile', r);
  }

  /** do_splice_direct(): through an internal pipe, a pipe-full at a time. */
  protected spliceDirect(fin: OpenFile, pos: Pos, fout: OpenFile, count: number): Result {
    if (fout.flags & O_APPEND) return EINVAL;
    // The input must be seekable (a file or /dev/zero, not a pipe or socket).
    if (!fin.positional) return EINVAL;
    if (count === 0) return 0;
    const ring = this.core.ringNew(PIPE_DEF_BUFFERS);
    if (ring < 0) return ENOMEM;
    this.core.addReaders(ring, 1);
    this.core.addWriters(ring, 1);
    const outPos = this.posOf(fout);
    let done = 0;
    let result: Result = 0;
    try {
      while (done < count) {
        const prev = pos.value;
        const got = fin.spliceRead(this, pos, ring, count - done, false);
        if (got <= 0) { result = got; break; }
        const put = fout.spliceWrite(this, ring, outPos, got, false);
        // A short write leaves the input at what was written (splice_direct_to_actor).
        if (put < got) pos.value = prev + Math.max(put, 0);
        if (put < 0) { result = put; break; }
        done += put;
        if (put < got) break;
      }
    } finally {
      this.core.ringFree(ring);
    }
    this.setPos(fout, outPos);
    return done > 0 ? done : result;
  }
}
