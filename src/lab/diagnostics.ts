// Clang's and wasm-ld's messages as a list the program panel can show and
// mark: `FILE:LINE:COL: SEVERITY: TEXT` for the compiler, `TOOL: error:
// TEXT` (no line) for the driver and the linker. Other lines (the source
// line and caret under a message, "1 error generated.") are context.

export type Severity = 'error' | 'warning' | 'note';

export interface Diagnostic {
  severity: Severity;
  message: string;
  /** The file the message is about; undefined for the driver's and the linker's. */
  file?: string;
  /** 1-based; undefined for a message with no position. */
  line?: number;
  column?: number;
}

const AT_LINE = /^(.+?):(\d+):(\d+): (fatal error|error|warning|note): (.*)$/;
const NO_LINE = /^([\w.+-]+): (error|warning): (.*)$/;

export function parseDiagnostics(stderr: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const raw of stderr.split(/\r?\n/)) {
    const text = raw.trimEnd();
    const at = AT_LINE.exec(text);
    if (at) {
      const severity = at[4] === 'fatal error' ? 'error' : (at[4] as Severity);
      out.push({ severity, message: at[5]!, file: at[1]!, line: Number(at[2]), column: Number(at[3]) });
      continue;
    }
    const bare = NO_LINE.exec(text);
    if (bare) out.push({ severity: bare[2] as Severity, message: `${bare[1]}: ${bare[3]}` });
  }
  return out;
}

/** The first error on each line of `file`, for marking the editor. */
export function errorLines(diagnostics: readonly Diagnostic[], file: string): Map<number, string> {
  const lines = new Map<number, string>();
  for (const d of diagnostics) {
    if (d.severity === 'error' && d.file === file && d.line !== undefined && !lines.has(d.line)) lines.set(d.line, d.message);
  }
  return lines;
}
