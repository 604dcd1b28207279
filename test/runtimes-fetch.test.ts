// npm run runtimes (scripts/runtimes.js): a second run finds every runtime in
// place without asking the registry, and an unreachable registry is one line
// and a failing exit, with nothing half-fetched left behind.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const SCRIPT = join(import.meta.dirname, '..', 'scripts', 'runtimes.js');
/** This process's environment without the npm_* settings `npm test` passes down. */
const ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
/** A registry nothing listens on; no retries, so it fails at once. */
const UNREACHABLE = { npm_config_registry: 'http://127.0.0.1:9/', npm_config_fetch_retries: '0' };

const dir = mkdtempSync(join(tmpdir(), 'splicekit-runtimes-fetch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fetch(env: Record<string, string>) {
  return spawnSync(process.execPath, [SCRIPT], { env: { ...ENV, ...UNREACHABLE, ...env }, encoding: 'utf8', timeout: 60_000 });
}

describe('npm run runtimes', () => {
  it('skips runtimes already fetched, without the registry', () => {
    const r = fetch({});
    expect([r.status, r.stderr]).toEqual([0, expect.stringMatching(/^runtimes: .* \(0 fetched, [\d.]+ s\)\n$/)]);
  });

  it('says in one line that the registry cannot be reached, and leaves nothing half-fetched', () => {
    const r = fetch({ SPLICEKIT_RUNTIMES: join(dir, 'runtimes'), npm_config_cache: join(dir, 'cache') });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^runtimes: cannot reach the npm registry to fetch \S+@[\d.]+ \(http:\/\/127\.0\.0\.1:9\/\S+: .*ECONNREFUSED.*\)[^\n]*\n$/);
    expect(readdirSync(join(dir, 'runtimes'))).toEqual([]);
  });
});
