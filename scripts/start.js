// npm start: builds what is stale, then serves the lab with vite in this
// same process, so SIGINT and SIGTERM stop the server with it: no shell or
// npm between them to swallow a signal, and no orphaned server on the port.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { createServer } from 'vite';
import { ROOT } from './inputs.mjs';

execFileSync(process.execPath, [join(ROOT, 'scripts/build.js')], { stdio: 'inherit' });

const port = process.argv.includes('--port') ? Number(process.argv[process.argv.indexOf('--port') + 1]) : undefined;
const server = await createServer({ configFile: join(ROOT, 'vite.config.ts'), server: { port, strictPort: port !== undefined } });
await server.listen();
server.printUrls();

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    // The shell's convention: a process ended by a signal exits 128 + its number.
    server.close().finally(() => process.exit(128 + (signal === 'SIGINT' ? 2 : 15)));
  });
}
