// Sizes as a command line takes them: bytes, or K, M, G for KiB, MiB, GiB
// (1024-based, as `ulimit`, `docker --memory` and Linux's memory.max
// read them; a trailing B and any case are accepted).

const UNITS: Record<string, number> = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30 };

/** The bytes `text` names (64M, 1G, 1048576), or undefined when it names none. */
export function parseSize(text: string): number | undefined {
  const m = /^(\d{1,16})([kmg]?)b?$/i.exec(text);
  if (!m) return undefined;
  const bytes = Number(m[1]) * UNITS[m[2]!.toLowerCase()]!;
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}
