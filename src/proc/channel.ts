// The call channel between a guest's Worker and the thread that owns its
// machine: one call at a time in a SharedArrayBuffer, encoded from the
// syscall table's argument and result types (proc/codec.ts).
//
// Layout: Int32 words 0: state (IDLE, REQUEST, REPLY)  1: call number (an
// index into the syscall table)  2: outcome (OK, ERRNO, BLOCKED, HOST)
// 3: errno  4: bytes used in the byte area. Float64 numbers from byte 32
// (NUMS of them); the byte area from byte BYTES to the end, for strings and
// lists. Bytes that a call reads or writes go through the process's staging
// buffer in the machine's memory instead.

export const IDLE = 0;
export const REQUEST = 1;
export const REPLY = 2;

export const OK = 0;
export const ERRNO = 1;
export const BLOCKED = 2;
/** Not a syscall outcome: the call broke on the kernel's side (its message is in the byte area). */
export const HOST = 3;

const W_STATE = 0;
const W_CALL = 1;
const W_OUTCOME = 2;
const W_ERRNO = 3;
const W_USED = 4;
const NUMS_AT = 32;
export const NUMS = 32;
const BYTES_AT = NUMS_AT + NUMS * 8;
export const CHANNEL_SIZE = 1 << 16;

export class Channel {
  readonly words: Int32Array;
  readonly nums: Float64Array;
  /** The byte area. */
  readonly bytes: Uint8Array;

  constructor(readonly buffer: SharedArrayBuffer) {
    this.words = new Int32Array(buffer, 0, 8);
    this.nums = new Float64Array(buffer, NUMS_AT, NUMS);
    this.bytes = new Uint8Array(buffer, BYTES_AT);
  }

  static create(): Channel {
    return new Channel(new SharedArrayBuffer(CHANNEL_SIZE));
  }

  get state(): number {
    return Atomics.load(this.words, W_STATE);
  }
  get call(): number {
    return this.words[W_CALL];
  }
  set call(n: number) {
    this.words[W_CALL] = n;
  }
  get outcome(): number {
    return this.words[W_OUTCOME];
  }
  set outcome(n: number) {
    this.words[W_OUTCOME] = n;
  }
  get errno(): number {
    return this.words[W_ERRNO];
  }
  set errno(n: number) {
    this.words[W_ERRNO] = n;
  }
  get used(): number {
    return this.words[W_USED];
  }
  set used(n: number) {
    this.words[W_USED] = n;
  }

  /** Publishes a state and wakes whoever waits on the word. */
  set(state: number): void {
    Atomics.store(this.words, W_STATE, state);
    Atomics.notify(this.words, W_STATE);
  }

  /** The guest's side: waits (this thread sleeps) until the state is no longer `state`. */
  waitWhile(state: number): void {
    while (Atomics.load(this.words, W_STATE) === state) Atomics.wait(this.words, W_STATE, state);
  }

  /** The kernel's side: resolves once the state is no longer `state` (or someone notifies). */
  async changeFrom(state: number): Promise<void> {
    const w = Atomics.waitAsync(this.words, W_STATE, state);
    if (w.async) await w.value;
  }

  /** Wakes a waiter without changing the state (to stop a server). */
  poke(): void {
    Atomics.notify(this.words, W_STATE);
  }
}
