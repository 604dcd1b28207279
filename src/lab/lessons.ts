// Built-in lessons: lab/lessons/NN-name.trace with Linux's output in
// NN-name.expected and the explanation in NN-name.html.

export interface Lesson {
  /** "01-splice-file-to-file" */
  id: string;
  number: number;
  /** From the trace's first line, "# Lesson 1: TITLE". */
  title: string;
  trace: string;
  expected: string;
  html: string;
}

/** Groups files by lesson id; `files` maps a path ending in NN-name.ext to its text. */
export function collectLessons(files: Record<string, string>): Lesson[] {
  const parts = new Map<string, Record<string, string>>();
  for (const [path, body] of Object.entries(files)) {
    const m = /(\d\d-[a-z0-9-]+)\.(trace|expected|html)$/.exec(path);
    if (!m) continue;
    const entry = parts.get(m[1]!) ?? {};
    entry[m[2]!] = body;
    parts.set(m[1]!, entry);
  }
  return [...parts]
    .filter(([, p]) => p.trace !== undefined)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([id, p]) => {
      const first = p.trace!.split('\n', 1)[0] ?? '';
      const title = /^#\s*Lesson \d+:\s*(.*)$/.exec(first)?.[1] ?? id;
      return { id, number: Number(id.slice(0, 2)), title, trace: p.trace!, expected: p.expected ?? '', html: p.html ?? '' };
    });
}
