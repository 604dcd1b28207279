// The splice family (fs/splice.c, fs/read_write.c): splice, tee, vmsplice
// and sendfile, on the calling task.

import { MAX_RW_COUNT, O_APPEND, O_NONBLOCK, PAGE_SIZE, PIPE_DEF_BUFFERS, SPLICE_F_ALL, SPLICE_F_GIFT, SPLICE_F_NONBLOCK, UIO_MAXIOV } from '../constants.js';
import type { OpenFile } from '../files/file.js';
import { EBADF, EFAULT, EINVAL, ENOMEM, EOVERFLOW, ESPIPE, type Pos, type Result } from '../files/kctx.js';
import { MAX_FILE_BYTES } from '../files/memfs.js';
import type { IoVec, Offset } from '../types.js';
import { posOf, setPos, storePos } from './files.js';
import type { Task } from './task.js';

/** splice(2): SYSCALL_DEFINE6(splice), __do_splice(), do_splice() (fs/splice.c). */
export function splice(p: Task, fdIn: number, offIn: Offset | null, fdOut: number, offOut: Offset | null, len: number, flags: number): number {
  if (len === 0) return 0;
  if (flags & ~SPLICE_F_ALL) p.fail('splice', EINVAL);
  const fin = p.file(fdIn);
  const fout = p.file(fdOut);
  if (!fin || !fout) p.fail('splice', EBADF);
  const ipipe = fin.pipeRing();
  const opipe = fout.pipeRing();
  if ((ipipe !== undefined && offIn) || (opipe !== undefined && offOut)) p.fail('splice', ESPIPE);
  if (!fin.readable || !fout.writable) p.fail('splice', EBADF);
  len = Math.min(len, MAX_RW_COUNT);
  let nonblock = (flags & SPLICE_F_NONBLOCK) !== 0;
  if (ipipe !== undefined && opipe !== undefined) {
    if (ipipe === opipe) p.fail('splice', EINVAL);
    nonblock ||= ((fin.flags | fout.flags) & O_NONBLOCK) !== 0;
    return p.check('splice', p.core.splicePipeToPipe(ipipe, opipe, len, nonblock));
  }
  if (ipipe !== undefined) {
    if (offOut && !fout.positional) p.fail('splice', EINVAL);
    if (fout.flags & O_APPEND) p.fail('splice', EINVAL);
    const pos: Pos = offOut ? { value: offOut.value } : posOf(fout);
    // rw_verify_area(): a negative position, or one whose end overflows loff_t.
    if (pos.value < 0 || pos.value + len > Number.MAX_SAFE_INTEGER * 1024) p.fail('splice', EINVAL);
    nonblock ||= (fin.flags & O_NONBLOCK) !== 0;
    const r = fout.spliceWrite(p, ipipe, pos, len, nonblock);
    if (r >= 0) storePos(fout, pos, offOut);
    return p.check('splice', r);
  }
  if (opipe !== undefined) {
    if (offIn && !fin.positional) p.fail('splice', EINVAL);
    const pos: Pos = offIn ? { value: offIn.value } : posOf(fin);
    nonblock ||= (fout.flags & O_NONBLOCK) !== 0;
    const r = fileToPipe(p, fin, pos, opipe, len, nonblock);
    if (r >= 0) storePos(fin, pos, offIn);
    return p.check('splice', r);
  }
  return p.fail('splice', EINVAL);
}

/** splice_file_to_pipe(): wait_for_space(), then do_splice_read(). */
function fileToPipe(p: Task, fin: OpenFile, pos: Pos, r: number, len: number, nonblock: boolean): Result {
  const wait = p.core.waitForSpace(r, nonblock);
  if (wait !== 0) return wait;
  if (!fin.readable) return EBADF;
  if (len === 0) return 0;
  const room = p.core.maxUsage(r) - p.core.occupancy(r);
  len = Math.min(len, room * PAGE_SIZE);
  // vfs_splice_read(): rw_verify_area() refuses a negative position.
  if (pos.value < 0) return EINVAL;
  return fin.spliceRead(p, pos, r, len, nonblock);
}

/** tee(2): flags first, then len, then the fds (fs/splice.c). */
export function tee(p: Task, fdIn: number, fdOut: number, len: number, flags: number): number {
  if (flags & ~SPLICE_F_ALL) p.fail('tee', EINVAL);
  if (len === 0) return 0;
  const fin = p.file(fdIn);
  const fout = p.file(fdOut);
  if (!fin || !fout) p.fail('tee', EBADF);
  if (!fin.readable || !fout.writable) p.fail('tee', EBADF);
  const a = fin.pipeRing();
  const b = fout.pipeRing();
  if (a === undefined || b === undefined || a === b) p.fail('tee', EINVAL);
  const nonblock = (flags & SPLICE_F_NONBLOCK) !== 0 || ((fin.flags | fout.flags) & O_NONBLOCK) !== 0;
  return p.check('tee', p.core.tee(a, b, Math.min(len, MAX_RW_COUNT), nonblock));
}

/**
 * vmsplice(2). On a pipe's write end the pipe references the iovecs' pages
 * (zero-copy: changing them before the reader reads changes what it reads);
 * on a read end the pipe's bytes are copied into them.
 */
export function vmsplice(p: Task, fd: number, iov: IoVec[], flags: number): number {
  return vmspliceTagged(p, fd, iov, flags, 0, false);
}

/** vmsplice; `tag` marks the slots for a release notification (`toPipeOnly`: no copy-out). */
export function vmspliceTagged(p: Task, fd: number, iov: IoVec[], flags: number, tag: number, toPipeOnly: boolean): number {
  if (flags & ~SPLICE_F_ALL) p.fail('vmsplice', EINVAL);
  const f = p.file(fd);
  if (!f || !(f.writable || f.readable)) p.fail('vmsplice', EBADF);
  if (iov.length > UIO_MAXIOV) p.fail('vmsplice', EINVAL);
  const spans = p.user.spans(iov);
  if (spans === undefined) p.fail('vmsplice', EFAULT);
  const total = iov.reduce((n, v) => n + v.length, 0);
  if (total === 0) return 0;
  const r = f.pipeRing();
  if (r === undefined) p.fail('vmsplice', EBADF);
  const nonblock = (flags & SPLICE_F_NONBLOCK) !== 0;
  if (f.writable) {
    const n = p.user.mapIn(spans, Math.min(total, MAX_RW_COUNT));
    return p.check('vmsplice', p.core.vmspliceToPipe(r, p.args, n, (flags & SPLICE_F_GIFT) !== 0, nonblock, tag));
  }
  if (toPipeOnly) p.fail('vmsplice', EBADF);
  if (p.user.hasLinear(spans)) {
    // The core copies within the machine's memory: through the staging area, then into the linear memory.
    const want = Math.min(total, p.stageSize);
    new Uint32Array(p.mem.buffer, p.args, 2).set([p.stage, want]);
    const got = p.core.pipeToUser(r, p.args, 1, nonblock);
    if (got > 0) p.user.scatter(spans, p.mem.subarray(p.stage, p.stage + got));
    return p.check('vmsplice', got);
  }
  const n = p.user.copyOutList(spans);
  const got = p.core.pipeToUser(r, p.args, n, nonblock);
  if (got > 0) p.user.markWritten(spans, got);
  return p.check('vmsplice', got);
}

/** sendfile(2): do_sendfile() (fs/read_write.c). */
export function sendfile(p: Task, outFd: number, inFd: number, off: Offset | null, count: number): number {
  const fin = p.file(inFd);
  if (!fin?.readable) p.fail('sendfile', EBADF);
  if (off && !fin.positional) p.fail('sendfile', ESPIPE);
  const pos: Pos = off ? { value: off.value } : posOf(fin);
  // rw_verify_area() on the input, before the output is looked at.
  if (pos.value < 0) p.fail('sendfile', EINVAL);
  count = Math.min(count, MAX_RW_COUNT);
  const fout = p.file(outFd);
  if (!fout?.writable) p.fail('sendfile', EBADF);
  // The smaller s_maxbytes of the two files bounds the input position:
  // ext4's for a regular file, MAX_LFS_FILESIZE (never reached) otherwise.
  if ((fin.regular || fout.regular) && pos.value + count > MAX_FILE_BYTES) {
    if (pos.value >= MAX_FILE_BYTES) p.fail('sendfile', EOVERFLOW);
    count = MAX_FILE_BYTES - pos.value;
  }
  const opipe = fout.pipeRing();
  const r = opipe !== undefined ? fileToPipe(p, fin, pos, opipe, count, (fout.flags & O_NONBLOCK) !== 0) : spliceDirect(p, fin, pos, fout, count);
  if (r >= 0) storePos(fin, pos, off);
  return p.check('sendfile', r);
}

/** do_splice_direct(): through an internal pipe, a pipe-full at a time. */
function spliceDirect(p: Task, fin: OpenFile, pos: Pos, fout: OpenFile, count: number): Result {
  if (fout.flags & O_APPEND) return EINVAL;
  // The input must be seekable (a file or /dev/zero, not a pipe or socket).
  if (!fin.positional) return EINVAL;
  if (count === 0) return 0;
  const ring = p.core.ringNew(PIPE_DEF_BUFFERS);
  if (ring < 0) return ENOMEM;
  p.core.addReaders(ring, 1);
  p.core.addWriters(ring, 1);
  const outPos = posOf(fout);
  let done = 0;
  let result: Result = 0;
  try {
    while (done < count) {
      const prev = pos.value;
      const got = fin.spliceRead(p, pos, ring, count - done, false);
      if (got <= 0) {
        result = got;
        break;
      }
      const put = fout.spliceWrite(p, ring, outPos, got, false);
      // A short write leaves the input at what was written (splice_direct_to_actor).
      if (put < got) pos.value = prev + Math.max(put, 0);
      if (put < 0) {
        result = put;
        break;
      }
      done += put;
      if (put < got) break;
    }
  } finally {
    p.core.ringFree(ring);
  }
  setPos(fout, outPos);
  return done > 0 ? done : result;
}
