// The program panel's reading of clang's and wasm-ld's messages (samples as
// the in-page clang prints them).

import { describe, expect, it } from 'vitest';
import { errorLines, parseDiagnostics } from '../../src/lab/diagnostics.js';

const SYNTAX = `program.c:4:12: error: expected ';' at end of declaration
    4 |   int x = 1
      |            ^
      |            ;
program.c:9:7: warning: unused variable 'n' [-Wunused-variable]
    9 |   int n;
      |       ^
program.c:4:3: note: previous definition is here
include/splicekit.h:120:1: error: unknown type name 'oops'
2 errors generated.
`;

describe('parseDiagnostics', () => {
  it('reads file, line, column, severity and message; skips the source excerpt and the count', () => {
    expect(parseDiagnostics(SYNTAX)).toEqual([
      { severity: 'error', message: "expected ';' at end of declaration", file: 'program.c', line: 4, column: 12 },
      { severity: 'warning', message: "unused variable 'n' [-Wunused-variable]", file: 'program.c', line: 9, column: 7 },
      { severity: 'note', message: 'previous definition is here', file: 'program.c', line: 4, column: 3 },
      { severity: 'error', message: "unknown type name 'oops'", file: 'include/splicekit.h', line: 120, column: 1 },
    ]);
  });

  it('a fatal error is an error', () => {
    expect(parseDiagnostics("program.c:1:10: fatal error: 'nope.h' file not found\n")).toEqual([
      { severity: 'error', message: "'nope.h' file not found", file: 'program.c', line: 1, column: 10 },
    ]);
  });

  it("the linker's and the driver's messages have no line", () => {
    const text =
      'wasm-ld: error: /tmp/program-62bf3f.o: undefined symbol: foo\nclang: error: linker command failed with exit code 1 (use -v to see invocation)\n';
    expect(parseDiagnostics(text)).toEqual([
      { severity: 'error', message: 'wasm-ld: /tmp/program-62bf3f.o: undefined symbol: foo' },
      { severity: 'error', message: 'clang: linker command failed with exit code 1 (use -v to see invocation)' },
    ]);
  });

  it('nothing to report in a clean build', () => {
    expect(parseDiagnostics('')).toEqual([]);
  });
});

describe('errorLines', () => {
  it("marks the first error of each line of the program's own file, not the header's, not warnings", () => {
    const d = parseDiagnostics(`${SYNTAX}program.c:4:14: error: second on the same line\n`);
    expect([...errorLines(d, 'program.c')]).toEqual([[4, "expected ';' at end of declaration"]]);
  });
});
