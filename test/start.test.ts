// `npm start` and the build it runs: an up-to-date build is skipped, and
// SIGINT or SIGTERM to npm stops the lab's server with it (nothing left
// serving the port).

import { spawn, spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildIsCurrent, ROOT } from '../scripts/inputs.mjs';

/** A port nobody listens on now. */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

const answers = async (port: number) =>
  fetch(`http://localhost:${port}/`).then(
    (r) => r.status,
    () => 0,
  );

describe.runIf(buildIsCurrent())('npm start', () => {
  it('a build whose inputs have not changed is skipped, and leaves dist/ as it was', () => {
    const built = join(ROOT, 'dist/src/index.js');
    const before = statSync(built).mtimeMs;
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts/build.js')], { encoding: 'utf8' });
    expect([r.status, r.stderr.trim()]).toEqual([0, 'build: up to date (npm run build -- --force rebuilds)']);
    expect(statSync(built).mtimeMs).toBe(before);
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} to npm stops the server: npm exits and the port no longer answers`, async () => {
      const port = await freePort();
      const npm = spawn('npm', ['start', '--silent', '--', '--port', String(port)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      npm.stdout.on('data', (b) => (out += b));
      const exited = new Promise<number | null>((r) => npm.on('exit', (code) => r(code)));
      for (let i = 0; i < 300 && !out.includes(`:${port}/`); i++) await new Promise((r) => setTimeout(r, 100));
      expect(await answers(port)).toBe(200);
      npm.kill(signal);
      await exited;
      // The server closed before its process exited, so nothing answers now.
      expect(await answers(port)).toBe(0);
    }, 60_000);
  }
});
