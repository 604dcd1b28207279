// Types of tiny-modules.mjs (a plain module, so runtimes without TypeScript can load it).

/** A command whose _start traps at once. */
export const TRAP: Uint8Array<ArrayBuffer>;
/** A module importing env.nothing, which no host has. */
export const UNLINKABLE: Uint8Array<ArrayBuffer>;
