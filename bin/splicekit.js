#!/usr/bin/env node
// Thin launcher: the CLI is compiled from src/cli.ts by `npm run build`.
import { main } from '../dist/src/cli.js';

main(process.argv.slice(2));
