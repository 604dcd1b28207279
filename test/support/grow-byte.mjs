/** The byte at position `i` of what grow-worker.mjs writes: a page out of place shows. */
export const growByte = (i) => (i * 7 + (i >> 12) * 13 + 3) % 251;
