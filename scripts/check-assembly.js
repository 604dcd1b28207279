// Part of `npm run check`: names an AssemblyScript file imports and never
// uses. asc compiles what is used and says nothing about the rest, and the
// TypeScript tools cannot parse AssemblyScript's top-level decorators.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'assembly');
const problems = [];
for (const name of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
  const text = readFileSync(join(dir, name), 'utf8');
  for (const m of text.matchAll(/^import\s*\{([^}]*)\}\s*from\s*["'][^"']+["'];?/gm)) {
    const rest = text.slice(0, m.index) + text.slice(m.index + m[0].length);
    const line = text.slice(0, m.index).split('\n').length;
    for (const spec of m[1]
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      const local = spec.split(/\s+as\s+/).pop();
      if (!new RegExp(`\\b${local}\\b`).test(rest)) problems.push(`assembly/${name}:${line}: '${local}' is imported and never used`);
    }
  }
}
for (const p of problems) console.error(p);
process.exit(problems.length > 0 ? 1 : 0);
