// The options of a machine and a process, checked before anything is made:
// as for a call's arguments (syscalls/args.ts), a value outside what the
// option can mean is an InvalidArgument, never a Wasm trap, a silent
// wrap-around or a later failure. One rule per option; the known names come
// from the same table, so a misspelt option is refused too.

import { InvalidArgument } from './errors.js';
import { MAX_WASM_PAGES } from './core.js';
import { NR_OPEN } from './fdtable.js';
import { shown } from './syscalls/args.js';

interface Rule {
  /** What the value must be, for the message. */
  want: string;
  ok(v: unknown): boolean;
}

const integer = (lo: number, hi: number): Rule => ({
  want: `an integer from ${lo} to ${hi}`,
  ok: (v) => typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi,
});
const boolean: Rule = { want: 'true or false', ok: (v) => typeof v === 'boolean' };

/** Every option a Kernel takes (MachineOptions and ProcessOptions), and what it may be. */
const RULES: Record<string, Rule> = {
  // Page ids and the 1 GiB a memory may grow to bound the pool; a machine needs a few pages of its own.
  pages: integer(8, 1 << 18),
  userPages: integer(1, 1 << 18),
  // Bytes; whether the machine fits in them is the machine's to say (it knows its layout).
  memory: integer(0, MAX_WASM_PAGES * 65536),
  rings: integer(8, 1 << 16),
  // At least one top-order slot block (1024 slots of 32 bytes).
  ringMemory: integer(32 * 1024, 1 << 28),
  maxFiles: integer(0, 2 ** 31 - 1),
  shared: boolean,
  dirtyPipe: boolean,
  sharedZeroPage: boolean,
  // At least stdin, stdout and stderr.
  nofile: integer(3, NR_OPEN),
  inherit: boolean,
};

/** Throws InvalidArgument unless `opts` is undefined or an object of known options with values they can take. */
export function checkOptions(what: string, opts: unknown, names: readonly string[] = Object.keys(RULES)): void {
  if (opts === undefined) return;
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) {
    throw new InvalidArgument(what, `options must be an object, got ${opts === null ? 'null' : typeof opts}`);
  }
  for (const [name, v] of Object.entries(opts)) {
    if (!names.includes(name)) throw new InvalidArgument(what, `unknown option '${name.slice(0, 40)}' (known: ${names.join(', ')})`);
    const rule = RULES[name]!;
    if (v !== undefined && !rule.ok(v)) throw new InvalidArgument(what, `${name} must be ${rule.want}, got ${shown(v)}`);
  }
}

/** The options a process takes (kernel.process). */
export const PROCESS_OPTIONS = ['nofile', 'inherit'] as const;
