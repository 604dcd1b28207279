// runFiles, the `splicekit run` contract, with its output written as it is
// made: an output far larger than its trace never has to be one string.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runFiles } from '../src/trace/files.js';

const dir = mkdtempSync(join(tmpdir(), 'splicekit-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('runFiles with a writer', () => {
  // Each `show` prints 64 NUL bytes as \x00: 270 bytes of output for 12 of trace.
  const wide = file('wide.trace', `buf b 64\n${'show b 0 64\n'.repeat(2000)}`);
  const small = file('small.trace', 'pipe p\nwrite p.w "hi"\n');

  it('writes the output in pieces as it is made, the same bytes as gathered', () => {
    const gathered = runFiles([wide, small]);
    const pieces: string[] = [];
    const streamed = runFiles([wide, small], (text) => {
      pieces.push(text);
      return true;
    });
    expect(streamed).toEqual({ stdout: '', stderr: '', status: 0 });
    expect(pieces.join('')).toBe(gathered.stdout);
    expect(gathered.stdout.length).toBeGreaterThan(500_000);
    expect(pieces.length).toBeGreaterThan(5);
    for (const piece of pieces) expect(piece.length).toBeLessThan((1 << 16) + 300);
  });

  it('stops running once the writer says its reader has gone', () => {
    const pieces: string[] = [];
    const result = runFiles([wide, small], (text) => {
      pieces.push(text);
      return false;
    });
    expect(result).toEqual({ stdout: '', stderr: '', status: 0 });
    expect(pieces).toHaveLength(1);
    expect(pieces[0]).toMatch(/^== .*wide\.trace\n1: 0\n2: "/);
  });

  it('writes a small output in one piece', () => {
    const pieces: string[] = [];
    expect(
      runFiles([small], (text) => {
        pieces.push(text);
        return true;
      }),
    ).toEqual({ stdout: '', stderr: '', status: 0 });
    expect(pieces).toEqual(['1: 0\n2: 2\n']);
  });
});
