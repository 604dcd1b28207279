// A producer that vmsplices messages from a reused buffer through a chain
// of pipes, files and sockets to a consumer that checks every byte: the
// harness of the release-notification property tests.

import { F_SETPIPE_SZ, Kernel, O_CREAT, O_NONBLOCK, O_RDWR, SPLICE_F_NONBLOCK, type UserBuffer } from '../../src/index.js';

export type Chain = 'pipe' | 'pipe-pipe' | 'tee-two-pipes' | 'pipe-file' | 'pipe-acked-socket';
export const CHAINS: Chain[] = ['pipe', 'pipe-pipe', 'tee-two-pipes', 'pipe-file', 'pipe-acked-socket'];

/** When the producer may refill a chunk of its buffer. */
export type Rule = 'notification' | 'double-buffer-2006';

export type Action = { kind: 'produce'; len: number } | { kind: 'forward'; len: number } | { kind: 'consume'; len: number } | { kind: 'tick'; ms: number };

const PAGE = 4096;

/** Byte i of message m. */
const byte = (m: number, i: number) => (m * 31 + i * 7 + 1) % 251;

/** One consumer: the stream it should see and how far it has read. */
class Consumer {
  pos = 0;
  constructor(private readonly expected: number[]) {}
  check(bytes: Uint8Array): string | undefined {
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i] !== this.expected[this.pos + i]) return `byte ${this.pos + i}: got ${bytes[i]}, sent ${this.expected[this.pos + i]}`;
    }
    this.pos += bytes.length;
    return undefined;
  }
}

export interface RunResult {
  /** The first byte a consumer saw that the producer had overwritten too early. */
  corrupted?: string;
  messages: number;
  pagesLeft: number;
}

/**
 * Runs `actions` on a fresh kernel. The producer owns a buffer of two pages
 * and a pipe of one page (the 2006 rule's "buffer twice the pipe size").
 */
export function runChain(chain: Chain, rule: Rule, actions: Action[], ackDelay = 5): RunResult {
  const k = new Kernel({ pages: 256, userPages: 64 });
  const [ar, aw] = k.pipe(O_NONBLOCK);
  k.fcntl(aw, F_SETPIPE_SZ, PAGE);
  const nfd = k.notifyfd(O_NONBLOCK);
  const buf: UserBuffer = k.alloc(2 * PAGE);
  const expected: number[] = [];
  const consumers = [new Consumer(expected)];
  // Chain stages: where `forward` moves data, and the fds consumers read.
  let sinks: number[] = [ar];
  let forward: (len: number) => void = () => {};
  let fileOff = 0;
  if (chain === 'pipe-pipe' || chain === 'tee-two-pipes') {
    const [br, bw] = k.pipe(O_NONBLOCK);
    if (chain === 'pipe-pipe') {
      sinks = [br];
      forward = (len) => k.splice(ar, null, bw, null, len, SPLICE_F_NONBLOCK);
    } else {
      const [cr, cw] = k.pipe(O_NONBLOCK);
      sinks = [br, cr];
      consumers.push(new Consumer(expected));
      // tee to B, then move the same bytes on to C: two pipes, one page.
      forward = (len) => {
        const n = k.tee(ar, bw, len, SPLICE_F_NONBLOCK);
        k.splice(ar, null, cw, null, n, SPLICE_F_NONBLOCK);
      };
    }
  } else if (chain === 'pipe-file') {
    const f = k.open('sink', O_RDWR | O_CREAT);
    const reader = k.open('sink', O_RDWR);
    sinks = [reader];
    forward = (len) => {
      const off = { value: fileOff };
      k.splice(ar, null, f, off, len, SPLICE_F_NONBLOCK);
      fileOff = off.value;
    };
  } else if (chain === 'pipe-acked-socket') {
    const [sa, sb] = k.socketpair({ ackDelay });
    k.fcntl(sb, 4 /* F_SETFL */, O_NONBLOCK);
    sinks = [sb];
    forward = (len) => k.splice(ar, null, sa, null, len, SPLICE_F_NONBLOCK);
  }

  // Producer state: which half holds an unreleased message (its notify id).
  const inFlight: (number | undefined)[] = [undefined, undefined];
  let next = 0;
  let half = 0;
  let corrupted: string | undefined;
  const free = (h: number) => rule === 'double-buffer-2006' || inFlight[h] === undefined || k.isReleased(nfd, inFlight[h]!);

  const attempt = (f: () => void) => {
    try {
      f();
    } catch (e) {
      if ((e as { code?: string }).code !== 'EAGAIN') throw e;
    }
  };

  for (const a of actions) {
    if (corrupted) break;
    if (a.kind === 'produce') {
      if (!free(half)) continue;
      const len = Math.min(a.len, PAGE);
      const at = half * PAGE;
      for (let i = 0; i < len; i++) buf.bytes[at + i] = byte(next, i);
      attempt(() => {
        const { count, id } = k.vmspliceNotify(aw, [{ buf, offset: at, length: len }], SPLICE_F_NONBLOCK, nfd);
        inFlight[half] = id;
        for (let i = 0; i < count; i++) expected.push(byte(next, i));
        next++;
        // The 2006 rule: a successful vmsplice of one half frees the other.
        half = 1 - half;
      });
    } else if (a.kind === 'forward') {
      attempt(() => forward(a.len));
    } else if (a.kind === 'consume') {
      sinks.forEach((fd, i) =>
        attempt(() => {
          corrupted ??= consumers[i].check(k.read(fd, a.len));
        }),
      );
    } else {
      k.tick(a.ms);
    }
  }
  k.destroy();
  return { corrupted, messages: next, pagesLeft: k.stats().pagesInUse };
}
