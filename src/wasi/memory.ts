// Bounds-checked access to a guest's linear memory. Every pointer and
// length a guest passes goes through here: one outside the memory (or whose
// end overflows 32 bits) throws Fault, which the call returns as EFAULT.

export class Fault extends Error {
  constructor(
    readonly ptr: number,
    readonly len: number,
  ) {
    super(`bad guest address ${ptr}+${len}`);
    this.name = 'Fault';
  }
}

/** One iovec (witx `iovec`/`ciovec`: u32 buf, u32 buf_len). */
export interface GuestIov {
  ptr: number;
  len: number;
}

/** A guest i32 as unsigned; a host-computed non-negative number as is. */
const u32 = (n: number) => (n < 0 ? n >>> 0 : n);

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8enc = new TextEncoder();

export class GuestMemory {
  private mem: WebAssembly.Memory | undefined;

  bind(memory: WebAssembly.Memory): void {
    this.mem = memory;
  }

  /** The buffer now: memory.grow replaces it, so never keep one across calls. */
  private get buffer(): ArrayBuffer {
    if (!this.mem) throw new Fault(0, 0);
    return this.mem.buffer as ArrayBuffer;
  }

  /**
   * Throws Fault unless [ptr, ptr+len) lies inside the memory. Wasm i32s
   * arrive signed (an address >= 2^31 is negative); lengths the host
   * computes (count * 8) may exceed 2^32 and must not wrap.
   */
  check(ptr: number, len: number): number {
    const p = ptr >>> 0;
    const n = u32(len);
    if (p + n > this.buffer.byteLength) throw new Fault(p, n);
    return p;
  }

  bytes(ptr: number, len: number): Uint8Array {
    return new Uint8Array(this.buffer, this.check(ptr, len), u32(len));
  }

  private view(ptr: number, len: number): DataView {
    return new DataView(this.buffer, this.check(ptr, len), len);
  }

  u8(ptr: number): number {
    return this.view(ptr, 1).getUint8(0);
  }
  u16(ptr: number): number {
    return this.view(ptr, 2).getUint16(0, true);
  }
  u32(ptr: number): number {
    return this.view(ptr, 4).getUint32(0, true);
  }
  u64(ptr: number): bigint {
    return this.view(ptr, 8).getBigUint64(0, true);
  }
  i64(ptr: number): bigint {
    return this.view(ptr, 8).getBigInt64(0, true);
  }

  setU8(ptr: number, v: number): void {
    this.view(ptr, 1).setUint8(0, v);
  }
  setU16(ptr: number, v: number): void {
    this.view(ptr, 2).setUint16(0, v, true);
  }
  setU32(ptr: number, v: number): void {
    this.view(ptr, 4).setUint32(0, v >>> 0, true);
  }
  setI32(ptr: number, v: number): void {
    this.view(ptr, 4).setInt32(0, v, true);
  }
  setU64(ptr: number, v: bigint | number): void {
    this.view(ptr, 8).setBigUint64(0, BigInt.asUintN(64, BigInt(v)), true);
  }
  setI64(ptr: number, v: bigint | number): void {
    this.view(ptr, 8).setBigInt64(0, BigInt.asIntN(64, BigInt(v)), true);
  }

  /** A UTF-8 string of `len` bytes (WASI passes paths as pointer and length). */
  string(ptr: number, len: number): string | undefined {
    try {
      // A copy: TextDecoder refuses views of a shared memory.
      return utf8.decode(this.bytes(ptr, len).slice());
    } catch (e) {
      if (e instanceof Fault) throw e;
      return undefined; // not UTF-8: the caller answers EILSEQ
    }
  }

  /**
   * The `count` iovecs at `ptr`, each checked against the memory: readv(2)
   * and writev(2) check every iovec before moving any byte.
   */
  iovs(ptr: number, count: number): GuestIov[] {
    const n = count >>> 0;
    const view = this.view(ptr, n * 8);
    const out: GuestIov[] = [];
    for (let i = 0; i < n; i++) {
      const iov = { ptr: view.getUint32(i * 8, true), len: view.getUint32(i * 8 + 4, true) };
      this.check(iov.ptr, iov.len);
      out.push(iov);
    }
    return out;
  }

  /** Copies the iovecs' bytes out, as one array (a single iovec is a view, not a copy). */
  gather(iovs: GuestIov[]): Uint8Array {
    const parts = iovs.filter((v) => v.len > 0);
    if (parts.length === 1) return this.bytes(parts[0].ptr, parts[0].len);
    const total = parts.reduce((n, v) => n + v.len, 0);
    const out = new Uint8Array(total);
    let at = 0;
    for (const v of parts) {
      out.set(this.bytes(v.ptr, v.len), at);
      at += v.len;
    }
    return out;
  }

  /** Copies `data` into the iovecs in order; returns the bytes placed. */
  scatter(iovs: GuestIov[], data: Uint8Array): number {
    let at = 0;
    for (const v of iovs) {
      if (at >= data.length) break;
      const n = Math.min(v.len, data.length - at);
      this.bytes(v.ptr, n).set(data.subarray(at, at + n));
      at += n;
    }
    return at;
  }

  /** Writes NUL-terminated strings and their pointers (args_get, environ_get). */
  putStrings(strings: readonly string[], ptrs: number, buf: number): void {
    const encoded = strings.map((s) => utf8enc.encode(`${s}\0`));
    const total = encoded.reduce((n, b) => n + b.length, 0);
    this.check(ptrs, strings.length * 4);
    this.check(buf, total);
    let at = buf >>> 0;
    encoded.forEach((b, i) => {
      this.setU32((ptrs >>> 0) + i * 4, at);
      this.bytes(at, b.length).set(b);
      at += b.length;
    });
  }
}

/** The UTF-8 byte size of NUL-terminated strings (args_sizes_get, environ_sizes_get). */
export function stringsSize(strings: readonly string[]): number {
  return strings.reduce((n, s) => n + utf8enc.encode(s).length + 1, 0);
}
