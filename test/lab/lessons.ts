// The lab's lessons as the tests read them (Node side).

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { collectLessons, type Lesson } from '../../src/lab/lessons.js';

export const LESSON_DIR = join(import.meta.dirname, '../../lab/lessons');

export function readLessons(): Lesson[] {
  const files: Record<string, string> = {};
  for (const name of readdirSync(LESSON_DIR)) files[name] = readFileSync(join(LESSON_DIR, name), 'utf8');
  return collectLessons(files);
}

export function lesson(n: number): Lesson {
  const found = readLessons().find((l) => l.number === n);
  if (!found) throw new Error(`no lesson ${n}`);
  return found;
}
