// A component guest (AssemblyScript, core module for `world program` in
// wit/splicekit.wit): imports the syscalls through the canonical ABI and
// exports `run`. It pipes a message, tees it to a second pipe, splices the
// original on, and reads both back. Returns 0 when every step is right.

const IFACE = "splicekit:kernel/syscalls@0.1.0";

// Canonical ABI lowering: a result<T, errno> comes back through a pointer
// (tag byte at +0, payload aligned after it); flags are one byte; lists are
// (pointer, length); options are (tag, value).
@external("splicekit:kernel/syscalls@0.1.0", "pipe")
declare function sysPipe(flags: i32, ret: usize): void;
@external("splicekit:kernel/syscalls@0.1.0", "write")
declare function sysWrite(fd: u32, ptr: usize, len: usize, ret: usize): void;
@external("splicekit:kernel/syscalls@0.1.0", "read")
declare function sysRead(fd: u32, count: u64, ret: usize): void;
@external("splicekit:kernel/syscalls@0.1.0", "tee")
declare function sysTee(fdIn: u32, fdOut: u32, len: u64, flags: i32, ret: usize): void;
@external("splicekit:kernel/syscalls@0.1.0", "splice")
declare function sysSplice(fdIn: u32, offInTag: i32, offIn: u64, fdOut: u32, offOutTag: i32, offOut: u64, len: u64, flags: i32, ret: usize): void;

// Memory: a bump allocator above the data, for results and for the lists
// the host writes into us (cabi_realloc).
let top: usize = 65536;

export function cabi_realloc(oldPtr: usize, oldSize: usize, align: usize, newSize: usize): usize {
  top = (top + align - 1) & ~(align - 1);
  const p = top;
  top += newSize;
  if (top > <usize>memory.size() << 16) memory.grow(<i32>((top >> 16) + 1 - memory.size()));
  if (oldPtr != 0) memory.copy(p, oldPtr, min(oldSize, newSize));
  return p;
}

const RET: usize = 1024;
const NONBLOCK: i32 = 1; // splice-flags: move=1<<0, nonblock=1<<1; pipe-flags: nonblock=1<<0

function ok(): bool { return load<u8>(RET) == 0; }

function pipe(flags: i32, fds: usize): bool {
  sysPipe(flags, RET);
  if (!ok()) return false;
  store<u32>(fds, load<u32>(RET + 4));
  store<u32>(fds + 4, load<u32>(RET + 8));
  return true;
}

/** Reads up to `count` bytes from fd; compares them with `len` bytes at `want`. */
function readIs(fd: u32, want: usize, len: usize): bool {
  sysRead(fd, 100, RET);
  if (!ok()) return false;
  const ptr = <usize>load<u32>(RET + 4);
  const n = <usize>load<u32>(RET + 8);
  if (n != len) return false;
  for (let i: usize = 0; i < n; i++) if (load<u8>(ptr + i) != load<u8>(want + i)) return false;
  return true;
}

export function run(): u32 {
  const msg = "hello, component";
  const len = <usize>String.UTF8.byteLength(msg);
  const text = cabi_realloc(0, 0, 1, len);
  String.UTF8.encodeUnsafe(changetype<usize>(msg), msg.length, text);
  const a = cabi_realloc(0, 0, 4, 8);
  const b = cabi_realloc(0, 0, 4, 8);
  const c = cabi_realloc(0, 0, 4, 8);
  if (!pipe(0, a) || !pipe(NONBLOCK, b) || !pipe(NONBLOCK, c)) return 1;
  sysWrite(load<u32>(a + 4), text, len, RET);
  if (!ok() || load<u64>(RET + 8) != <u64>len) return 2;
  sysTee(load<u32>(a), load<u32>(b + 4), 100, 1 << 1, RET);
  if (!ok() || load<u64>(RET + 8) != <u64>len) return 3;
  sysSplice(load<u32>(a), 0, 0, load<u32>(c + 4), 0, 0, 100, 0, RET);
  if (!ok() || load<u64>(RET + 8) != <u64>len) return 4;
  if (!readIs(load<u32>(b), text, len)) return 5;
  if (!readIs(load<u32>(c), text, len)) return 6;
  // An error comes back as err(errno): reading the empty nonblocking pipe is EAGAIN.
  sysRead(load<u32>(c), 1, RET);
  if (load<u8>(RET) != 1) return 7;
  return 0;
}
