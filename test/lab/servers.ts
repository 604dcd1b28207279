// Servers for the browser tests, on free localhost ports: Vite's dev server
// (with the COOP/COEP headers of vite.config.ts), and the built static site
// served from a sub-directory by a plain file server with no special headers,
// as any static host would.

import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { build, createServer, type ViteDevServer } from 'vite';

export const ROOT = join(import.meta.dirname, '../..');
/** Where the browser tests write the lab's screenshots (the README and lab/README show them). */
export const SHOTS = join(ROOT, 'lab', 'screenshots');
const CONFIG = join(ROOT, 'vite.config.ts');

export interface Running {
  url: string;
  close(): Promise<void>;
}

export async function startDevServer(): Promise<Running> {
  const server: ViteDevServer = await createServer({
    configFile: CONFIG,
    logLevel: 'error',
    // No file watching or hot reload: the test only loads pages.
    server: { host: '127.0.0.1', port: 0, hmr: false, watch: null },
  });
  await server.listen();
  const { port } = server.httpServer!.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => server.close() };
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.wasm': 'application/wasm',
};

/** Builds the lab into `outDir` and serves it under /some/sub/dir/ without COOP/COEP. */
export async function startStaticSite(outDir: string): Promise<Running> {
  await build({ configFile: CONFIG, logLevel: 'error', build: { outDir, emptyOutDir: true } });
  const prefix = '/some/sub/dir/';
  const server: Server = createHttpServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (!path.startsWith(prefix)) {
      res.writeHead(404).end();
      return;
    }
    const rel = normalize(path.slice(prefix.length) || 'index.html');
    if (rel.startsWith('..')) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(join(outDir, rel));
      res.writeHead(200, { 'Content-Type': TYPES[extname(rel)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${prefix}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
