// What examples/c/producer.c writes: 64-byte lines that depend on the position.

const DIGITS = '0123456789abcdefghijklmnopqrstuvwxyz';

/** The byte at position `x` of the producer's stream. */
export const producerByte = (x: number): number => (x % 64 === 63 ? 10 : DIGITS.charCodeAt((Math.floor(x / 64) + (x % 64)) % 36));

/** FNV-1a 32 of the first `total` bytes of the producer's stream, as sum.c prints it. */
export function producerHash(total: number): string {
  let h = 0x811c9dc5;
  for (let x = 0; x < total; x++) h = Math.imul(h ^ producerByte(x), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}
