// Splits a trace into lines and tokens (docs/trace-format.md, "Lexical rules").
// Works on bytes, not characters, so a quoted string keeps its exact bytes.

/** A malformed trace; `message` is rendered `FILE:LINE: detail` as the CLI prints it. */
export class TraceSyntaxError extends Error {
  readonly file: string;
  readonly line: number;
  readonly detail: string;
  constructor(file: string, line: number, detail: string) {
    super(`${file}:${line}: ${detail}`);
    this.name = 'TraceSyntaxError';
    this.file = file;
    this.line = line;
    this.detail = detail;
  }
}

export interface Token {
  /**
   * The token as written (quotes and escapes included), for bare tokens and
   * messages; of a string, only its start: as much as a message shows.
   */
  readonly text: string;
  /** The token's length in the file, in bytes. */
  readonly size: number;
  /** The decoded bytes of a `"text"` token; absent for a bare token. */
  readonly quoted?: Uint8Array;
}

/** A line that holds at least one token; `line` counts from 1 over all lines. */
export interface SourceLine {
  readonly line: number;
  readonly tokens: Token[];
}

const LF = 0x0a,
  CR = 0x0d,
  SPACE = 0x20,
  TAB = 0x09,
  HASH = 0x23,
  QUOTE = 0x22,
  BACKSLASH = 0x5c;

const SIMPLE_ESCAPES: Record<number, number> = {
  [BACKSLASH]: BACKSLASH,
  [QUOTE]: QUOTE,
  110 /* n */: LF,
  116 /* t */: TAB,
  114 /* r */: CR,
  48 /* 0 */: 0,
};

// Non-fatal: malformed UTF-8 outside quotes can only appear in a bad token,
// and the message showing it should not itself throw.
const utf8 = new TextDecoder();

/**
 * The longest token outside a string, in bytes: it becomes a JS string,
 * and V8's cannot reach 512 MiB. Only a form the grammar lets grow without
 * end (leading zeros, a repeated flag) can be valid at this length.
 */
export const MAX_BARE_TOKEN = 1 << 28;

/** The most characters of user input a message quotes (see `excerpt`). */
export const EXCERPT_CHARS = 40;

/**
 * User input as a message quotes it: between `quote`s, control characters
 * as `\xHH`, and past EXCERPT_CHARS characters only the first ones, an
 * ellipsis and the length in bytes (`bytes` if given, else its UTF-8
 * length), so that a 50 MB token makes a one-line message:
 * `'frobfrobfrob…' (52428800 bytes)`.
 */
export function excerpt(text: string, quote = "'", bytes?: number): string {
  let shown = '';
  let chars = 0;
  let clipped = false;
  for (const ch of text) {
    if (chars++ === EXCERPT_CHARS) {
      clipped = true;
      break;
    }
    const c = ch.codePointAt(0)!;
    shown += c < 0x20 || c === 0x7f ? `\\x${c.toString(16).padStart(2, '0')}` : ch;
  }
  if (!clipped) return `${quote}${shown}${quote}`;
  return `${quote}${shown}…${quote} (${bytes ?? utf8Length(text)} bytes)`;
}

/** Enough bytes for EXCERPT_CHARS characters and one more (to tell that there are more). */
const EXCERPT_BYTES = (EXCERPT_CHARS + 1) * 4;

/** `excerpt` of bytes of the trace, decoding no more of them than it shows. */
function excerptBytes(b: Uint8Array, quote = "'"): string {
  return excerpt(utf8.decode(b.subarray(0, EXCERPT_BYTES)), quote, b.length);
}

/** The length of `text` in UTF-8 (a lone surrogate counts as U+FFFD, 3 bytes). */
function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** Bytes of the trace as text; short ASCII runs (most tokens) without the decoder's per-call cost. */
function decodeText(b: Uint8Array): string {
  if (b.length > 32) return utf8.decode(b);
  let ascii = 0;
  for (const c of b) ascii |= c;
  return ascii < 0x80 ? String.fromCharCode(...b) : utf8.decode(b);
}

const isBlank = (b: number | undefined): boolean => b === SPACE || b === TAB;

function hexValue(b: number | undefined): number {
  if (b === undefined) return -1;
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x61 && b <= 0x66) return b - 0x61 + 10;
  if (b >= 0x41 && b <= 0x46) return b - 0x41 + 10;
  return -1;
}

/** Every non-empty line of `source`, tokenized; throws TraceSyntaxError on a lexical error. */
export function lex(source: string | Uint8Array, file: string): SourceLine[] {
  return [...lexLines(source, file)];
}

/**
 * The lines of `lex`, one at a time, so that a caller keeps only what it
 * makes of them. The bytes of a string are held once, in a Uint8Array of
 * their decoded length: memory stays near the size of the input.
 */
export function* lexLines(source: string | Uint8Array, file: string): Generator<SourceLine> {
  const bytes = typeof source === 'string' ? new TextEncoder().encode(source) : source;
  let start = 0;
  for (let line = 1; start < bytes.length; line++) {
    let end = bytes.indexOf(LF, start);
    if (end < 0) end = bytes.length;
    // CRLF endings: only the CR right before the LF (or end of file) is dropped.
    const stop = end > start && bytes[end - 1] === CR ? end - 1 : end;
    const tokens = lexLine(bytes.subarray(start, stop), file, line);
    if (tokens.length > 0) yield { line, tokens };
    start = end + 1;
  }
}

function lexLine(b: Uint8Array, file: string, line: number): Token[] {
  const fail = (detail: string): never => {
    throw new TraceSyntaxError(file, line, detail);
  };
  const tokens: Token[] = [];
  let i = 0;
  while (i < b.length) {
    if (isBlank(b[i])) {
      i++;
      continue;
    }
    if (b[i] === HASH) break;
    const start = i;
    if (b[i] === QUOTE) {
      const body = scanString(b, i + 1, fail);
      i = body.end + 1;
      if (i < b.length && !isBlank(b[i]) && b[i] !== HASH) {
        fail(`unexpected character after string ${excerptBytes(b.subarray(start, i), '')}`);
      }
      // Only messages read a string's text, and they show no more than its start.
      const text = decodeText(b.subarray(start, Math.min(i, start + EXCERPT_BYTES)));
      tokens.push({ text, size: i - start, quoted: decodeString(b, start + 1, body) });
      continue;
    }
    while (i < b.length && !isBlank(b[i]) && b[i] !== HASH) {
      if (b[i] === QUOTE) fail(`unexpected '"' in token ${excerptBytes(b.subarray(start, i + 1))}`);
      i++;
    }
    if (i - start > MAX_BARE_TOKEN) fail(`token ${excerptBytes(b.subarray(start, i))} is too long (at most ${MAX_BARE_TOKEN} bytes outside a string)`);
    tokens.push({ text: decodeText(b.subarray(start, i)), size: i - start });
  }
  return tokens;
}

/** A string body: the index of its closing quote and the number of bytes it stands for. */
interface StringBody {
  end: number;
  length: number;
}

/**
 * Checks a string body from `i` (just past the opening quote), escapes
 * included, and measures it; throws at its first bad escape, or if it does
 * not end on its line.
 */
function scanString(b: Uint8Array, i: number, fail: (d: string) => never): StringBody {
  let length = 0;
  for (; ; length++) {
    if (i >= b.length) fail('unterminated string');
    const c = b[i]!;
    if (c === QUOTE) return { end: i, length };
    if (c !== BACKSLASH) {
      i++;
      continue;
    }
    const e = b[i + 1];
    if (e === undefined) fail('unterminated string');
    if (SIMPLE_ESCAPES[e!] !== undefined) {
      i += 2;
      continue;
    }
    if (e === 0x78 /* x */) {
      if (hexValue(b[i + 2]) < 0 || hexValue(b[i + 3]) < 0) fail(`bad escape ${excerptBytes(b.subarray(i, i + 4))} (\\xHH needs two hex digits)`);
      i += 4;
      continue;
    }
    fail(`bad escape ${excerptBytes(b.subarray(i, i + 2))}`);
  }
}

/** The bytes of a string body that `scanString` checked, from `i` to `body.end`. */
function decodeString(b: Uint8Array, i: number, body: StringBody): Uint8Array {
  if (body.length === body.end - i) return b.slice(i, body.end);
  const out = new Uint8Array(body.length);
  for (let o = 0; i < body.end; o++) {
    const c = b[i]!;
    if (c !== BACKSLASH) {
      out[o] = c;
      i++;
      continue;
    }
    const simple = SIMPLE_ESCAPES[b[i + 1]!];
    if (simple !== undefined) {
      out[o] = simple;
      i += 2;
      continue;
    }
    out[o] = hexValue(b[i + 2]) * 16 + hexValue(b[i + 3]);
    i += 4;
  }
  return out;
}
