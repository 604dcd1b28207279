// How a call crosses the channel, from the syscall table's types: the
// guest's side encodes arguments and decodes the result; the kernel's side
// decodes arguments onto the process and encodes what the call returned.
// Numbers go in the channel's Float64 slots (arguments from slot 0, the
// result from RESULT_AT); strings and lists in its byte area; bytes a call
// reads or writes in the process's staging buffer in the machine's memory.

import { EFAULT } from '../files/kctx.js';
import type { Loan } from '../loan.js';
import type { Process } from '../process.js';
import type { ArgWire, ResultWire } from '../syscalls/args.js';
import type { IoVec, Offset, PollFd, UserBuffer } from '../types.js';
import { NUMS, type Channel } from './channel.js';

/** The result's numbers start here; the arguments' fill the slots before. */
const RESULT_AT = 24;

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Staging memory both sides see: a user buffer of the process. */
export interface Staging {
  addr: number;
  bytes: Uint8Array;
}

/** Raised on the guest's side for a value the channel cannot carry. */
export class ChannelLimit extends RangeError {}

/** A cursor over the numbers and the byte area. */
class Cursor {
  at = 0;
  /** From slot `n` up to `limit` (the arguments' end, or the channel's). */
  constructor(
    readonly ch: Channel,
    public n = 0,
    private readonly limit = RESULT_AT,
  ) {}

  num(v: number): void {
    if (this.n >= this.limit) throw new ChannelLimit('too many numbers for the channel');
    this.ch.nums[this.n++] = v;
  }

  take(): number {
    return this.ch.nums[this.n++];
  }

  /** Numbers in the byte area (8-aligned): a count, then the values. */
  list(values: number[]): void {
    this.at = (this.at + 7) & ~7;
    const need = (values.length + 1) * 8;
    if (this.at + need > this.ch.bytes.length) throw new ChannelLimit('list too long for the channel');
    const f = new Float64Array(this.ch.bytes.buffer, this.ch.bytes.byteOffset + this.at, values.length + 1);
    f[0] = values.length;
    f.set(values, 1);
    this.num(this.at);
    this.at += need;
  }

  takeList(): Float64Array {
    const at = this.take();
    const n = new Float64Array(this.ch.bytes.buffer, this.ch.bytes.byteOffset + at, 1)[0];
    return new Float64Array(this.ch.bytes.buffer, this.ch.bytes.byteOffset + at + 8, n);
  }

  str(s: string | undefined): void {
    if (s === undefined) {
      this.num(-1);
      this.num(0);
      return;
    }
    const b = enc.encode(s);
    if (this.at + b.length > this.ch.bytes.length) throw new ChannelLimit('string too long for the channel');
    this.ch.bytes.set(b, this.at);
    this.num(b.length);
    this.num(this.at);
    this.at += b.length;
  }

  takeStr(): string | undefined {
    const len = this.take();
    const at = this.take();
    // TextDecoder does not read shared memory: copy out first.
    return len < 0 ? undefined : dec.decode(this.ch.bytes.slice(at, at + len));
  }
}

// ---- the guest's side ----------------------------------------------------------

/** What the guest's side keeps of a call's arguments to finish it after the reply. */
export interface Pending {
  /** In/out offsets and the number slot of their value. */
  offsets: [Offset, number][];
  /** A destination read through staging: copy the result's bytes there. */
  dest?: Uint8Array;
}

export function encodeArgs(ch: Channel, wires: readonly ArgWire[], args: readonly unknown[], staging: Staging, memory: WebAssembly.Memory): Pending {
  const c = new Cursor(ch);
  const pending: Pending = { offsets: [] };
  wires.forEach((wire, i) => {
    const v = args[i];
    switch (wire) {
      case 'num':
        c.num(v === undefined ? NaN : (v as number));
        break;
      case 'loff': {
        const o = v as Offset | null;
        c.num(o ? 1 : 0);
        if (o) pending.offsets.push([o, c.n]);
        c.num(o ? o.value : 0);
        break;
      }
      case 'bytes': {
        const b = v as Uint8Array;
        if (b.length > staging.bytes.length) throw new ChannelLimit(`${b.length} bytes are more than the staging buffer holds`);
        staging.bytes.set(b);
        c.num(b.length);
        break;
      }
      case 'dest': {
        const d = v as Uint8Array;
        if (d.buffer === memory.buffer) {
          c.num(d.byteOffset);
          c.num(d.length);
        } else {
          pending.dest = d;
          c.num(staging.addr);
          c.num(Math.min(d.length, staging.bytes.length));
        }
        break;
      }
      case 'str':
        c.str(v as string);
        break;
      case 'iovecs':
        c.list((v as IoVec[]).flatMap((x) => [x.buf.addr, x.offset, x.length, x.buf.space ?? 0]));
        break;
      case 'pollfds':
        c.list((v as PollFd[]).flatMap((x) => [x.fd, x.events]));
        break;
      case 'buffer':
        c.num((v as UserBuffer).addr);
        break;
      case 'json':
        c.str(v === undefined ? undefined : JSON.stringify(v));
        break;
    }
  });
  return pending;
}

/** After the reply: offsets take their new values; bytes read through staging land in place. */
export function finish(ch: Channel, pending: Pending, staging: Staging, count: number): void {
  for (const [o, slot] of pending.offsets) o.value = ch.nums[slot];
  if (pending.dest) pending.dest.set(staging.bytes.subarray(0, count));
}

export interface ResultContext {
  memory: WebAssembly.Memory;
  staging: Staging;
  /** Ends a loan on the kernel's side. */
  releaseLoan(handle: number): void;
}

export function decodeResult(ch: Channel, wire: ResultWire, cx: ResultContext): unknown {
  const n = ch.nums;
  const r = RESULT_AT;
  switch (wire) {
    case 'num':
      return n[r];
    case 'void':
      return undefined;
    case 'bool':
      return n[r] !== 0;
    case 'pair':
      return [n[r], n[r + 1]];
    case 'countId':
      return { count: n[r], id: n[r + 1] };
    case 'nums':
      return Array.from(listAt(ch, n[r]));
    case 'bytes':
      return cx.staging.bytes.slice(0, n[r]);
    case 'buffer': {
      const addr = n[r];
      const length = n[r + 1];
      return { addr, length, bytes: new Uint8Array(cx.memory.buffer, addr, length) } satisfies UserBuffer;
    }
    case 'loan': {
      const handle = n[r];
      const list = listAt(ch, n[r + 2]);
      const views: Uint8Array[] = [];
      for (let i = 0; i < list.length; i += 2) views.push(new Uint8Array(cx.memory.buffer, list[i], list[i + 1]));
      let open = handle !== 0;
      return {
        handle,
        count: n[r + 1],
        views,
        release() {
          if (open) cx.releaseLoan(handle);
          open = false;
        },
      } satisfies Loan;
    }
    case 'json': {
      const s = new Cursor(ch, r, NUMS).takeStr();
      return s === undefined ? undefined : JSON.parse(s);
    }
  }
}

function listAt(ch: Channel, at: number): Float64Array {
  const n = new Float64Array(ch.bytes.buffer, ch.bytes.byteOffset + at, 1)[0];
  return new Float64Array(ch.bytes.buffer, ch.bytes.byteOffset + at + 8, n);
}

// ---- the kernel's side ----------------------------------------------------------

/** Memory no process owns: calls given it answer EFAULT, as Linux does for an unmapped address. */
const unmapped = (addr: number): UserBuffer => ({ addr, length: 0, bytes: new Uint8Array(0) });

/** The process's buffer at `addr`, or its linear memory (space), or memory it does not have. */
function bufferAt(p: Process, addr: number, space: number): UserBuffer {
  if (space === 0) return p.user.at(addr) ?? unmapped(addr);
  return p.user.linear?.space === space ? p.user.linear.buffer : unmapped(addr);
}

/** A fault found while decoding: the call answers EFAULT without running. */
export class DecodeFault extends Error {
  readonly errno = -EFAULT;
}

export function decodeArgs(ch: Channel, wires: readonly ArgWire[], p: Process, staging: Staging): unknown[] {
  const c = new Cursor(ch);
  return wires.map((wire) => {
    switch (wire) {
      case 'num': {
        const v = c.take();
        return Number.isNaN(v) ? undefined : v;
      }
      case 'loff': {
        const present = c.take();
        const value = c.take();
        return present ? { value } : null;
      }
      case 'bytes':
        return staging.bytes.subarray(0, c.take());
      case 'dest': {
        const addr = c.take();
        const len = c.take();
        const view = addr === staging.addr ? staging.bytes.subarray(0, len) : p.user.view(addr, len);
        if (!view) throw new DecodeFault('EFAULT');
        return view;
      }
      case 'str':
        return c.takeStr();
      case 'iovecs': {
        const l = c.takeList();
        const out: IoVec[] = [];
        for (let i = 0; i < l.length; i += 4) out.push({ buf: bufferAt(p, l[i], l[i + 3]), offset: l[i + 1], length: l[i + 2] });
        return out;
      }
      case 'pollfds': {
        const l = c.takeList();
        const out: PollFd[] = [];
        for (let i = 0; i < l.length; i += 2) out.push({ fd: l[i], events: l[i + 1] });
        return out;
      }
      case 'buffer': {
        const addr = c.take();
        return p.user.at(addr) ?? unmapped(addr);
      }
      case 'json': {
        const s = c.takeStr();
        return s === undefined ? undefined : JSON.parse(s);
      }
    }
  });
}

/** After the call: in/out offsets go back in their slots. */
export function writeBack(ch: Channel, wires: readonly ArgWire[], args: readonly unknown[]): void {
  let slot = 0;
  wires.forEach((wire, i) => {
    switch (wire) {
      case 'loff': {
        const o = args[i] as Offset | null;
        if (o) ch.nums[slot + 1] = o.value;
        slot += 2;
        break;
      }
      case 'dest':
      case 'str':
      case 'json':
        slot += 2;
        break;
      default:
        slot += 1;
    }
  });
}

export function encodeResult(ch: Channel, wire: ResultWire, v: unknown, staging: Staging): void {
  const n = ch.nums;
  const r = RESULT_AT;
  const c = new Cursor(ch, r, NUMS);
  switch (wire) {
    case 'num':
      n[r] = v as number;
      break;
    case 'void':
      break;
    case 'bool':
      n[r] = v ? 1 : 0;
      break;
    case 'pair':
      [n[r], n[r + 1]] = v as [number, number];
      break;
    case 'countId':
      n[r] = (v as { count: number }).count;
      n[r + 1] = (v as { id: number }).id;
      break;
    case 'nums':
      c.list(v as number[]);
      break;
    case 'bytes': {
      const b = v as Uint8Array;
      staging.bytes.set(b.subarray(0, staging.bytes.length));
      n[r] = Math.min(b.length, staging.bytes.length);
      break;
    }
    case 'buffer':
      n[r] = (v as UserBuffer).addr;
      n[r + 1] = (v as UserBuffer).length;
      break;
    case 'loan': {
      const loan = v as Loan;
      n[r] = loan.handle;
      n[r + 1] = loan.count;
      c.n = r + 2;
      c.list(loan.views.flatMap((x) => [x.byteOffset, x.length]));
      break;
    }
    case 'json':
      c.str(v === undefined ? undefined : JSON.stringify(v));
      break;
  }
}
