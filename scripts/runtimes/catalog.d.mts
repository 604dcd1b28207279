// Types of catalog.mjs (a plain module: scripts/runtimes.js runs it before anything is compiled).

export const VERSIONS: Record<string, string>;
export const RUNTIMES_DIR: string;
export const SHARED: boolean;
export const MANIFEST: string;
export function kindOf(name: string): string;

export interface Runtime {
  name: string;
  version: string;
  /** The npm package it is installed from. */
  package: string;
  dir: string;
  /** The first words `BIN --version` prints. */
  expected: string;
  findBin(root?: string): string | null;
}
export function runtime(name: string): Runtime;

export interface Fetched {
  name: string;
  version: string;
  package: string;
  dir: string;
  /** Absolute path of the binary. */
  bin: string;
  /** Installed package to the integrity npm checked its tarball against. */
  integrity: Record<string, string>;
}
export function fetched(name: string): Fetched | null;
