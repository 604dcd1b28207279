// Datagram and seqpacket socket pairs through the TypeScript API, beyond
// what the recorded traces (test/traces/dgram/) reach: the type argument,
// its flags and its errors in Linux's order, the awaitable calls, and every
// page back after destroy() wherever the messages were.

import { describe, expect, it } from 'vitest';
import { kernel, outcome as code } from './support/kernels.js';
import {
  F_GETFD,
  F_GETFL,
  FD_CLOEXEC,
  InvalidArgument,
  O_NONBLOCK,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOCK_RAW,
  SOCK_SEQPACKET,
  SOCK_STREAM,
  WouldBlock,
} from '../src/index.js';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

describe('the type argument', () => {
  it('makes pairs of each type; SOCK_RAW is a datagram pair, as unix_create() makes it', () => {
    const k = kernel();
    for (const [type, made] of [
      [SOCK_STREAM, SOCK_STREAM],
      [SOCK_DGRAM, SOCK_DGRAM],
      [SOCK_SEQPACKET, SOCK_SEQPACKET],
      [SOCK_RAW, SOCK_DGRAM],
    ]) {
      const [a, b] = k.socketpair({ type });
      expect([k.describe(a)?.socketType, k.describe(b)?.socketType]).toEqual([made, made]);
    }
    expect(k.describe(k.socketpair()[0])?.socketType).toBe(SOCK_STREAM);
  });

  it('answers as socketpair(AF_UNIX, type, 0) on Linux 6.18', () => {
    const k = kernel();
    // unix_create() has no operations for these types...
    for (const type of [0, 4, 6, 7, 8, 9, 10])
      expect(
        code(() => k.socketpair({ type })),
        `type ${type}`,
      ).toBe('ESOCKTNOSUPPORT');
    // ...__sock_create() refuses these before it asks, and __sys_socketpair() other flag bits.
    for (const type of [11, 12, 15, -1, SOCK_DGRAM | 0x100, 0x10])
      expect(
        code(() => k.socketpair({ type })),
        `type ${type}`,
      ).toBe('EINVAL');
    expect(k.stats().files).toBe(3);
  });

  it('takes SOCK_NONBLOCK and SOCK_CLOEXEC with the type, for both ends', () => {
    const k = kernel();
    const [a, b] = k.socketpair({ type: SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC });
    for (const fd of [a, b]) {
      expect(k.fcntl(fd, F_GETFL) & O_NONBLOCK).toBe(O_NONBLOCK);
      expect(k.fcntl(fd, F_GETFD)).toBe(FD_CLOEXEC);
    }
    expect(code(() => k.read(a, 10))).toBe('EAGAIN');
    const [c] = k.socketpair({ type: SOCK_DGRAM | SOCK_CLOEXEC });
    expect(k.fcntl(c, F_GETFL) & O_NONBLOCK).toBe(0);
  });

  it('checks the flags, then takes the fds (EMFILE), then the type', () => {
    const k = kernel({ nofile: 4 });
    expect(code(() => k.socketpair({ type: SOCK_DGRAM | 0x100 }))).toBe('EINVAL');
    expect(code(() => k.socketpair({ type: 4 }))).toBe('EMFILE');
    expect(code(() => k.socketpair({ type: 11 }))).toBe('EMFILE');
  });

  it('is an InvalidArgument where no C int could be passed, and with an ackDelay on a message pair', () => {
    const k = kernel();
    const bad = (opts: unknown) => () => k.socketpair(opts as { type: number });
    expect(bad({ type: 'dgram' })).toThrow(InvalidArgument);
    expect(bad({ type: 1.5 })).toThrow(/socketpair: argument 1 must be a type from -2\^31 to 2\^31-1, got 1.5/);
    expect(bad({ type: 2 ** 31 })).toThrow(InvalidArgument);
    expect(bad({ type: Number.NaN })).toThrow(InvalidArgument);
    expect(bad({ type: SOCK_DGRAM, ackDelay: 5 })).toThrow(/a SOCK_STREAM type with an ackDelay, got 2/);
    expect(bad({ typ: SOCK_DGRAM })).toThrow(/options among type, ackDelay, got 'typ'/);
    expect(bad([SOCK_DGRAM])).toThrow(/an options object/);
    expect(k.socketpair({ type: SOCK_STREAM | SOCK_NONBLOCK, ackDelay: 5 })).toHaveLength(2);
    expect(k.stats().files).toBe(5);
  });
});

describe('awaitable calls on message pairs', () => {
  it('a read waits for the next message and takes only it', async () => {
    const k = kernel();
    const [a, b] = k.socketpair({ type: SOCK_DGRAM });
    expect(() => k.read(b, 100)).toThrow(WouldBlock);
    const got = k.async.read(b, 100);
    k.write(a, enc('one'));
    k.write(a, enc('two'));
    expect(dec(await got)).toBe('one');
    expect(k.fionread(b)).toBe(3);
  });

  it('a write waits for room in the send buffer, then sends the whole message', async () => {
    const k = kernel();
    const [a, b] = k.socketpair({ type: SOCK_SEQPACKET });
    const big = new Uint8Array(200000);
    // A send waits only once the buffer is full: the second one overshoots it.
    k.write(a, big);
    k.write(a, big);
    expect(() => k.write(a, big)).toThrow(WouldBlock);
    const sent = k.async.write(a, enc('last'));
    expect(await Promise.race([sent, Promise.resolve('waiting')])).toBe('waiting');
    expect(k.read(b, 10)).toHaveLength(10);
    expect(await sent).toBe(4);
    expect(k.read(b, 10)).toHaveLength(10);
    expect(dec(k.read(b, 100))).toBe('last');
  });

  it('a seqpacket read ends at EOF once the peer is gone; a datagram read keeps waiting', () => {
    const k = kernel();
    const [a, b] = k.socketpair({ type: SOCK_SEQPACKET });
    k.close(a);
    expect(k.read(b, 10)).toHaveLength(0);
    const [c, d] = k.socketpair({ type: SOCK_DGRAM });
    k.close(c);
    expect(() => k.read(d, 10)).toThrow(WouldBlock);
  });
});

describe('every page comes back', () => {
  it('after destroy() with messages queued both ways, in pipes, and sent to a closed peer', () => {
    const k = kernel();
    for (const type of [SOCK_DGRAM, SOCK_SEQPACKET]) {
      const [a, b] = k.socketpair({ type });
      const [r, w] = k.pipe();
      for (let i = 0; i < 20; i++) k.write(a, new Uint8Array(i * 500));
      k.write(b, enc(''));
      k.write(b, new Uint8Array(100000));
      k.splice(a, null, w, null, 65536, 0);
      k.write(w, enc('tail'));
      k.splice(r, null, b, null, 4, 0);
      const [c, d] = k.socketpair({ type });
      k.write(c, new Uint8Array(5000));
      k.close(d);
    }
    expect(k.stats().pagesInUse).toBeGreaterThan(0);
  });

  it('when the receiver reads, truncates and closes: the pool is as before', () => {
    const k = kernel();
    const idle = k.stats().pagesInUse;
    const [a, b] = k.socketpair({ type: SOCK_DGRAM });
    for (let i = 0; i < 40; i++) k.write(a, new Uint8Array(3000));
    for (let i = 0; i < 20; i++) expect(k.read(b, 1)).toHaveLength(1);
    k.close(b);
    expect(code(() => k.write(a, enc('x')))).toBe('ECONNREFUSED');
    k.close(a);
    expect(k.stats().pagesInUse).toBe(idle);
  });
});
