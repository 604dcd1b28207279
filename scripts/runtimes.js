// npm run runtimes: fetches what only the runtime matrix needs (the Node
// versions, Deno, Bun, miniflare with workerd; pinned in
// test/runtimes/versions.json) into .runtimes/, so `npm install` of the
// repository stays light. npm does the download: it checks every tarball
// against the registry's integrity, and its cache makes a second clone cheap.
// A runtime already fetched is skipped without asking the registry. A fetch
// lands in a temporary folder, renamed into place once complete, so an
// interrupted one is fetched again. Install scripts stay off: every binary
// used is a file of its platform package.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fetched, kindOf, MANIFEST, RUNTIMES_DIR, runtime, SHARED, VERSIONS } from './runtimes/catalog.mjs';

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
/** The calling npm's notion of the project (`npm test` runs us) must not steer the inner install. */
const ENV = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !/^npm_(package_|lifecycle_|config_(prefix|local_prefix|global_prefix|call|yes)$)/i.test(k)),
);

/** Runs npm in `cwd`; resolves with its log when it succeeds, or rejects with one line saying why it failed. */
function npm(args, cwd, what) {
  return new Promise((resolve, reject) => {
    const child = spawn(NPM, args, { cwd, env: ENV, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('error', (e) => reject(new Error(`cannot run npm to fetch ${what}: ${e.message}`)));
    child.on('close', (code) => (code === 0 ? resolve(err) : reject(new Error(reason(err, what)))));
  });
}

/** npm's many lines of error, said in one. */
function reason(err, what) {
  const network = /request to (\S+) failed, reason: ([^\n]*)/.exec(err);
  if (network) return `cannot reach the npm registry to fetch ${what} (${network[1]}: ${network[2].trim()})`;
  const code = /npm error code (\S+)/.exec(err)?.[1];
  const line = err
    .split('\n')
    .find((l) => /^npm error (?!code )/.test(l))
    ?.replace(/^npm error /, '');
  return `npm could not fetch ${what}${code ? ` (${code}${line ? `: ${line}` : ''})` : ''}`;
}

/** The integrity npm checked each installed tarball against, from the lock it wrote (which lists skipped platforms too). */
function integrityOf(dir, spec) {
  const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8'));
  const out = {};
  for (const [path, p] of Object.entries(lock.packages)) {
    if (path === '' || !existsSync(join(dir, path))) continue;
    if (!p.integrity) throw new Error(`npm recorded no integrity for ${path} of ${spec}`);
    out[path.replace(/^.*node_modules\//, '')] = p.integrity;
  }
  return out;
}

/** Installs one runtime into a temporary folder, records what npm verified, and moves it into place. */
async function fetchRuntime(name) {
  const rt = runtime(name);
  const spec = `${rt.package}@${rt.version}`;
  const tmp = join(RUNTIMES_DIR, `.tmp-${name}-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  writeFileSync(join(tmp, 'package.json'), `${JSON.stringify({ private: true, dependencies: { [rt.package]: rt.version } })}\n`);
  try {
    // verbose: the only word npm gives of an optional dependency it dropped (a failed download or integrity check).
    const log = await npm(['install', '--prefix', tmp, '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=verbose'], tmp, spec);
    const integrity = integrityOf(tmp, spec);
    const bin = rt.findBin(tmp);
    if (!bin) {
      const dropped = /failed optional dependency \S*node_modules\/(\S+)/.exec(log)?.[1];
      throw new Error(
        dropped
          ? `npm could not install ${dropped}, the binary of ${spec} (its download or integrity check failed)`
          : `${spec} has no binary for ${process.platform}-${process.arch}`,
      );
    }
    const manifest = { name, version: rt.version, package: rt.package, bin: relative(tmp, bin), integrity };
    writeFileSync(join(tmp, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    rmSync(rt.dir, { recursive: true, force: true });
    renameSync(tmp, rt.dir);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Removes temporary folders whose fetch is no longer running and, unless the
 * folder may be shared (SPLICEKIT_RUNTIMES), versions no longer pinned.
 */
function prune(keep) {
  const kinds = new Set(Object.keys(VERSIONS).map(kindOf));
  for (const entry of readdirSync(RUNTIMES_DIR)) {
    const tmp = /^\.tmp-.*-(\d+)$/.exec(entry);
    const ours = /^([a-z]+\d*)-\d/.exec(entry);
    const stale = tmp ? !alive(Number(tmp[1])) : !SHARED && ours && kinds.has(kindOf(ours[1])) && !keep.has(entry);
    if (stale) rmSync(join(RUNTIMES_DIR, entry), { recursive: true, force: true });
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const started = performance.now();
const names = Object.keys(VERSIONS);
const missing = names.filter((n) => !fetched(n));
mkdirSync(RUNTIMES_DIR, { recursive: true });
prune(new Set(names.map((n) => `${n}-${VERSIONS[n]}`)));
const results = await Promise.allSettled(missing.map(fetchRuntime));
const failed = results.filter((r) => r.status === 'rejected').map((r) => r.reason.message);
if (failed.length) {
  console.error(`runtimes: ${failed[0]}${failed.length > 1 ? ` (and ${failed.length - 1} more)` : ''}`);
  process.exit(1);
}
const secs = ((performance.now() - started) / 1000).toFixed(1);
console.error(`runtimes: ${names.map((n) => `${n} ${VERSIONS[n]}`).join(', ')} in ${RUNTIMES_DIR} (${missing.length} fetched, ${secs} s)`);
