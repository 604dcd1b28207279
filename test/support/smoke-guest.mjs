// Runs a WASI command (argv[2]) under splicekit with this process's stdio.
import { readFileSync } from 'node:fs';
import { execWasm } from '../../dist/src/wasi/exec.js';

const path = process.argv[2];
const status = execWasm(readFileSync(path), { args: [path, ...process.argv.slice(3)] });
process.exit(status);
