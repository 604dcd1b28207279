// Linux's recorded output (a lesson's .expected) next to the emulator's.

/** `.expected` text → result per trace line ("3: 25" → 3 ↦ "25"). */
export function parseExpected(text: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const line of text.split('\n')) {
    const m = /^(\d+): (.*)$/.exec(line);
    if (m) out.set(Number(m[1]), m[2]!);
  }
  return out;
}

/**
 * same / differs; `expected-difference` where the emulator runs as Linux
 * 5.16 (Dirty Pipe) while the recording came from a fixed kernel; `none`
 * without a recording (an edited or a new trace, or a line past the
 * recorded part); `extension` for a splicekit extension, which Linux cannot run.
 */
export type Verdict = 'same' | 'differs' | 'expected-difference' | 'extension' | 'none';

export function verdict(result: string, linux: string | undefined, dirtyPipe: boolean): Verdict {
  if (linux === undefined) return 'none';
  if (linux === result) return 'same';
  return dirtyPipe ? 'expected-difference' : 'differs';
}
