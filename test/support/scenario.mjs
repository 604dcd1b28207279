// The scenarios every runtime runs (Node, Deno, Bun, workerd, Chromium),
// written once: each harness passes in the splicekit API it loaded.

const enc = (s) => new TextEncoder().encode(s);
const dec = (b) => new TextDecoder().decode(b);

/** Zero-copy vmsplice, tee, a splice from the page cache and a trace; the pool whole after. */
export function coreScenario(api, kernelOptions = {}) {
  const { Kernel, O_CREAT, O_NONBLOCK, O_RDWR, parseTrace, runTrace } = api;
  const k = new Kernel(kernelOptions);
  const [r, w] = k.pipe(O_NONBLOCK);
  const [r2, w2] = k.pipe(O_NONBLOCK);
  const buf = k.alloc(4096);
  buf.bytes.set(enc('before'));
  k.vmsplice(w, [{ buf, offset: 0, length: 6 }], 0);
  buf.bytes.set(enc('AFTER!'));
  k.tee(r, w2, 6, 0);
  const out = { shared: k.shared, vmsplice: dec(k.read(r, 6)), tee: dec(k.read(r2, 6)) };
  const f = k.open('f', O_RDWR | O_CREAT);
  k.write(f, enc('page cache'));
  out.splice = k.splice(f, { value: 0 }, w, null, 100, 0);
  out.read = dec(k.read(r, 100));
  const trace = 'pipe p NONBLOCK\nwrite p.w "hi"\npipe q\ntee p.r q.w 10 NONBLOCK\nread q.r 10\n';
  out.trace = runTrace(parseTrace(enc(trace), 'smoke.trace'), k).join('|');
  k.destroy();
  out.leaked = k.stats().pagesInUse;
  return out;
}

/** What coreScenario returns everywhere (but `shared`, which depends on the page). */
export const CORE_EXPECTED = {
  vmsplice: 'AFTER!',
  tee: 'AFTER!',
  splice: 10,
  read: 'page cache',
  trace: '1: 0|2: 2|3: 0|4: 2|5: 2 "hi"',
  leaked: 0,
};

const byte = (i) => (i * 7 + 3) % 251;

/**
 * One pipe end in a Worker (a PipeClient): the producer vmsplices halves of
 * a buffer twice `chunk` (each half a whole pipe: the 2006 rule), the
 * consumer reads and checks every byte. Returns what the parent compares.
 */
export function pipeRole(end, { role, total, chunk }) {
  if (role === 'producer') {
    const buf = end.alloc(2 * chunk);
    let sent = 0;
    let half = 0;
    while (sent < total) {
      const n = Math.min(chunk, total - sent);
      const at = half * chunk;
      for (let i = 0; i < n; i++) buf.bytes[at + i] = byte(sent + i);
      let off = 0;
      while (off < n) off += end.vmsplice(buf, at + off, n - off);
      sent += n;
      half = 1 - half;
    }
    end.close();
    // The pipe may still reference buf's pages: they go back when it lets go.
    end.free(buf);
    return { sent };
  }
  let got = 0;
  let bad = -1;
  for (;;) {
    const part = end.read(1 << 20);
    if (part.length === 0) break;
    for (let i = 0; i < part.length; i++) if (bad < 0 && part[i] !== byte(got + i)) bad = got + i;
    got += part.length;
  }
  end.close();
  return { got, bad };
}

/**
 * A WASI command (a compiled `module`) in this thread: stdin a pipe already
 * written with `input` and closed, stdout a pipe read after it exits.
 */
export function guestScenario(api, module, input, kernelOptions = {}) {
  const { Kernel, O_NONBLOCK, WasiHost } = api;
  const k = new Kernel(kernelOptions);
  const [inR, inW] = k.pipe();
  const [outR, outW] = k.pipe(O_NONBLOCK);
  k.write(inW, enc(input));
  k.close(inW);
  k.dup2(inR, 0);
  k.dup2(outW, 1);
  k.close(inR);
  k.close(outW);
  const host = new WasiHost(k, { args: ['guest'] });
  host.preopen('.');
  const status = host.start(new WebAssembly.Instance(module, host.imports()));
  k.close(1);
  const stdout = dec(k.read(outR, 1000));
  k.destroy();
  return { stdout, status, leaked: k.stats().pagesInUse };
}

/** Bytes of one record of pipeRecords: at most PIPE_BUF, so each write is atomic (pipe(7)). */
export const RECORD = 512;

/**
 * Many writers on one pipe: each writes `records` records of RECORD bytes,
 * [writer, seq low byte, writer, ...]; the reader checks that every record
 * arrives whole and each writer's in order. Returns what the parent compares.
 */
export function pipeRecords(end, { role, id, records, writers }) {
  if (role === 'writer') {
    const rec = new Uint8Array(RECORD);
    for (let seq = 0; seq < records; seq++) {
      for (let i = 0; i < RECORD; i += 2) {
        rec[i] = id;
        rec[i + 1] = seq & 0xff;
      }
      if (end.write(rec) !== RECORD) return { short: seq };
    }
    end.close();
    return { wrote: records };
  }
  const next = new Array(writers).fill(0);
  let torn = 0;
  let pending = new Uint8Array(0);
  for (;;) {
    const part = end.read(1 << 16);
    if (part.length === 0) break;
    const all = new Uint8Array(pending.length + part.length);
    all.set(pending);
    all.set(part, pending.length);
    let at = 0;
    for (; at + RECORD <= all.length; at += RECORD) {
      const w = all[at];
      let whole = w < writers && all[at + 1] === (next[w] & 0xff);
      for (let i = 0; whole && i < RECORD; i += 2) whole = all[at + i] === w && all[at + i + 1] === all[at + 1];
      if (whole) next[w]++;
      else torn++;
    }
    pending = all.slice(at);
  }
  end.close();
  return { next, torn, rest: pending.length };
}
