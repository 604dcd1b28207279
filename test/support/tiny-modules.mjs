// Two WASI "programs" small enough to write as bytes, for the ways a guest
// can end that a C program cannot show on demand.

const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const typeVoid = [0x01, 0x04, 0x01, 0x60, 0x00, 0x00]; // type 0: func () -> ()
const memory = [0x05, 0x03, 0x01, 0x00, 0x01]; // one memory of one page
const name = (s) => [s.length, ...[...s].map((c) => c.charCodeAt(0))];

/** (module (memory (export "memory") 1) (func (export "_start") unreachable)): traps at once. */
export const TRAP = new Uint8Array([
  ...header,
  ...typeVoid,
  0x03,
  0x02,
  0x01,
  0x00, // one function of type 0
  ...memory,
  0x07,
  0x13,
  0x02,
  ...name('memory'),
  0x02,
  0x00,
  ...name('_start'),
  0x00,
  0x00,
  0x0a,
  0x05,
  0x01,
  0x03,
  0x00,
  0x00,
  0x0b, // body: no locals, unreachable, end
]);

/** A module importing env.nothing, which no host has: instantiating it fails with a LinkError. */
export const UNLINKABLE = new Uint8Array([
  ...header,
  ...typeVoid,
  0x02,
  0x0f,
  0x01,
  ...name('env'),
  ...name('nothing'),
  0x00,
  0x00,
  ...memory,
  0x07,
  0x0a,
  0x01,
  ...name('memory'),
  0x02,
  0x00,
]);
