// How a process can end, each in its own Node process so that a hang or a
// spinning thread shows as a timeout: the scenario ends by itself, never
// with process.exit, so a handle left behind keeps it alive and fails it.
// Prints one JSON line: what the peers saw, the status, pages leaked after
// destroy(), and whether the event loop kept running (a timer's delay and
// this thread's CPU share while it waited).
// Usage: node lifecycle.mjs kill CAT.wasm | trap | crash | exported
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { F_SETFL, F_SETPIPE_SZ, Kernel, O_NONBLOCK, spawn } from '../../dist/src/node.js';
import { TRAP, UNLINKABLE } from './tiny-modules.mjs';

const [mode, arg] = process.argv.slice(2);
const dec = (b) => new TextDecoder().decode(b);
const tryRead = (k, fd) => {
  try {
    return k.read(fd, 1 << 20);
  } catch (e) {
    return e.code;
  }
};
const tryWrite = (k, fd) => {
  try {
    return k.write(fd, Uint8Array.of(1));
  } catch (e) {
    return e.code;
  }
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Whether this thread is free: a 100 ms timer's real delay, and the CPU used meanwhile. */
async function loopHealth() {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await sleep(100);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { timerMs: Math.round(ms), cpuShare: Number(((cpu.user + cpu.system) / 1000 / ms).toFixed(2)) };
}

const k = new Kernel({ shared: true });
const out = { mode };

if (mode === 'exported') {
  // A Worker vmsplicing into a pipe end of its own is terminated mid-transfer.
  const [r, w] = k.pipe();
  k.fcntl(r, F_SETFL, O_NONBLOCK); // this side polls; the Worker's end blocks
  k.fcntl(w, F_SETPIPE_SZ, 1 << 20);
  const handle = k.exportPipeEnd(w);
  k.close(w);
  const worker = new Worker(new URL('./pipe-worker.mjs', import.meta.url), { workerData: { handle, role: 'producer', total: 1 << 30, chunk: 1 << 20 } });
  worker.on('error', (e) => {
    out.workerError = String(e);
  });
  let got = 0;
  while (got < 8 << 20) {
    const part = tryRead(k, r);
    if (typeof part === 'string') await sleep(1);
    else got += part.length;
  }
  await worker.terminate();
  // The pipe still counts the dead thread's end as a writer: drained, it
  // answers EAGAIN (a blocking read would wait for ever), never EOF.
  let part = tryRead(k, r);
  while (typeof part !== 'string' && part.length > 0) part = tryRead(k, r);
  out.beforeRevoke = typeof part === 'string' ? part : 'EOF';
  // The machine is told the thread is gone: its end closes here.
  k.revokePipeEnd(handle.tid);
  let eof = tryRead(k, r);
  while (typeof eof !== 'string' && eof.length > 0) eof = tryRead(k, r);
  out.eof = typeof eof === 'string' ? eof : eof.length;
  k.revokePipeEnd(handle.tid); // twice is harmless
  k.close(r);
} else {
  const module = mode === 'kill' ? new WebAssembly.Module(readFileSync(arg)) : new WebAssembly.Module(mode === 'trap' ? TRAP : UNLINKABLE);
  const [inR, inW] = k.pipe();
  const [outR, outW] = k.pipe(O_NONBLOCK);
  const child = spawn(k, module, { args: ['guest'], stdin: inR, stdout: outW });
  k.close(inR);
  k.close(outW);
  if (mode === 'kill') {
    // cat copies a line, then blocks reading again: kill it there.
    k.write(inW, new TextEncoder().encode('before kill\n'));
    let got = '';
    while (!got.includes('\n')) {
      await sleep(5);
      const part = tryRead(k, outR);
      if (typeof part !== 'string') got += dec(part);
    }
    out.got = got;
    await child.kill();
  }
  out.status = await child.exited;
  out.error = child.error === undefined ? null : (child.error.name ?? String(child.error));
  Object.assign(out, await loopHealth());
  out.eof = tryRead(k, outR).length;
  out.epipe = tryWrite(k, inW);
  k.close(outR);
  k.close(inW);
}
k.destroy();
out.leaked = k.stats().pagesInUse;
out.processes = k.stats().processes;
console.log(JSON.stringify(out));
