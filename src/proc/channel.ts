// A synchronous call channel between a guest's Worker and the thread that
// owns the kernel: one request at a time in a SharedArrayBuffer.
//
// Layout (Int32 words): 0: state (0 idle, 1 request, 2 reply)  1: payload
// length in bytes. Payload (JSON, UTF-8) from byte 8.

export const IDLE = 0;
export const REQUEST = 1;
export const REPLY = 2;
const HEADER = 8;
export const CHANNEL_SIZE = 1 << 16;

const enc = new TextEncoder();
const dec = new TextDecoder();

export class Channel {
  readonly words: Int32Array;
  private readonly bytes: Uint8Array;
  constructor(readonly buffer: SharedArrayBuffer) {
    this.words = new Int32Array(buffer, 0, 2);
    this.bytes = new Uint8Array(buffer);
  }

  static create(): Channel {
    return new Channel(new SharedArrayBuffer(CHANNEL_SIZE));
  }

  put(value: unknown): void {
    const data = enc.encode(JSON.stringify(value));
    if (data.length > CHANNEL_SIZE - HEADER) throw new RangeError('call too large for the channel');
    this.bytes.set(data, HEADER);
    Atomics.store(this.words, 1, data.length);
  }

  take<T>(): T {
    const n = Atomics.load(this.words, 1);
    // TextDecoder does not read shared memory: copy out first.
    return JSON.parse(dec.decode(this.bytes.slice(HEADER, HEADER + n))) as T;
  }

  set(state: number): void {
    Atomics.store(this.words, 0, state);
    Atomics.notify(this.words, 0);
  }
}

/** A request: method and arguments. */
export interface Call {
  m: string;
  a: unknown[];
}

/** A reply: a result, an errno name (with the call), or "would block". */
export interface Reply {
  r?: unknown;
  e?: string;
  s?: string;
  b?: boolean;
}
