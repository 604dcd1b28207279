// Output rendering of the trace format (docs/trace-format.md, "Output").

import { describe, expect, it } from 'vitest';
import {
  FASYNC,
  O_APPEND,
  O_DIRECT,
  O_NOATIME,
  O_NONBLOCK,
  O_RDONLY,
  O_RDWR,
  O_WRONLY,
  POLLERR,
  POLLHUP,
  POLLIN,
  POLLNVAL,
  POLLOUT,
} from '../src/constants.js';
import { fnv1a32, renderBytes, renderErrno, renderPollEvents, renderStatusFlags, resultLine } from '../src/trace/render.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const hex8 = (n: number): string => n.toString(16).padStart(8, '0');

describe('fnv1a32', () => {
  it('matches the published FNV-1a test vectors', () => {
    expect(hex8(fnv1a32(bytes('')))).toBe('811c9dc5');
    expect(hex8(fnv1a32(bytes('a')))).toBe('e40c292c');
    expect(hex8(fnv1a32(bytes('foobar')))).toBe('bf9cf968');
  });

  it('stays an unsigned 32-bit value', () => {
    const h = fnv1a32(new Uint8Array(1000).fill(0xff));
    expect(h).toBeGreaterThanOrEqual(0);
    expect(h).toBeLessThan(2 ** 32);
  });
});

describe('renderBytes', () => {
  it('prints printable ASCII as itself', () => {
    expect(renderBytes(bytes('hello, world ~!'))).toBe('"hello, world ~!"');
    expect(renderBytes(new Uint8Array(0))).toBe('""');
  });

  it('escapes backslash, quote, newline, tab and carriage return', () => {
    expect(renderBytes(bytes('\\"\n\t\r'))).toBe(String.raw`"\\\"\n\t\r"`);
  });

  it('prints every other byte as lowercase \\xhh, NUL included', () => {
    expect(renderBytes(Uint8Array.from([0x00, 0x1f, 0x7f, 0x80, 0xab, 0xff]))).toBe(String.raw`"\x00\x1f\x7f\x80\xab\xff"`);
    expect(renderBytes(bytes('é'))).toBe(String.raw`"\xc3\xa9"`);
    expect(renderBytes(Uint8Array.from([0x20, 0x7e]))).toBe('" ~"');
  });

  it('prints up to 64 bytes literally and more as a count and hash', () => {
    const at = new Uint8Array(64).fill(0x61);
    expect(renderBytes(at)).toBe(`"${'a'.repeat(64)}"`);
    const over = new Uint8Array(65).fill(0x61);
    expect(renderBytes(over)).toBe(`<65 bytes fnv1a32=${hex8(fnv1a32(over))}>`);
    // Python: FNV-1a of 65 zero bytes.
    expect(renderBytes(new Uint8Array(65))).toBe('<65 bytes fnv1a32=3022141f>');
  });

  it('hashes large pattern data like the reference implementation', () => {
    const pat = Uint8Array.from({ length: 100000 }, (_, i) => i % 251);
    expect(renderBytes(pat)).toBe('<100000 bytes fnv1a32=7648bac8>');
  });
});

describe('result rendering', () => {
  it('renders errors and result lines', () => {
    expect(renderErrno('EAGAIN')).toBe('-EAGAIN');
    expect(resultLine(12, '-EBADF')).toBe('12: -EBADF');
    expect(resultLine(1, '5 "hello"')).toBe('1: 5 "hello"');
  });

  it('renders poll events in the fixed order, or 0', () => {
    expect(renderPollEvents(0)).toBe('0');
    expect(renderPollEvents(POLLIN)).toBe('IN');
    expect(renderPollEvents(POLLNVAL | POLLERR | POLLHUP | POLLOUT | POLLIN)).toBe('IN|OUT|HUP|ERR|NVAL');
    expect(renderPollEvents(POLLERR | POLLOUT)).toBe('OUT|ERR');
    expect(renderPollEvents(POLLHUP)).toBe('HUP');
  });

  it('renders F_GETFL as the access mode, then NONBLOCK, APPEND, DIRECT and ASYNC where set, in that order', () => {
    expect(renderStatusFlags(O_RDONLY)).toBe('RDONLY');
    expect(renderStatusFlags(O_WRONLY | O_NONBLOCK)).toBe('WRONLY|NONBLOCK');
    expect(renderStatusFlags(O_RDWR | O_APPEND)).toBe('RDWR|APPEND');
    expect(renderStatusFlags(O_WRONLY | FASYNC | O_DIRECT | O_NONBLOCK | O_APPEND)).toBe('WRONLY|NONBLOCK|APPEND|DIRECT|ASYNC');
    // Not shown: O_NOATIME, and O_LARGEFILE, which Linux adds to every open on 64 bits.
    expect(renderStatusFlags(O_RDWR | O_NOATIME | 0o100000)).toBe('RDWR');
  });
});
