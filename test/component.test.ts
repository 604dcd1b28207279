// A WebAssembly component guest importing the WIT interface, built with
// jco's embed and new, transpiled with jco and run against the host.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Kernel, witSyscalls } from '../src/index.js';
import { buildComponent } from './support/component.js';

const dir = mkdtempSync(join(tmpdir(), 'splicekit-component-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('component guest', () => {
  it('runs pipe, write, tee, splice and read through the WIT interface; errors arrive as err(errno)', async () => {
    const js = await buildComponent(dir);
    const { instantiate } = await import(pathToFileURL(js).href);
    const k = new Kernel();
    const stdio = k.stats().openFiles;
    const sys = witSyscalls(k);
    // jco looks imports up by the unversioned name; give both.
    const imports = { 'splicekit:kernel/syscalls': sys, 'splicekit:kernel/syscalls@0.1.0': sys };
    const program = await instantiate((name: string) => WebAssembly.compile(readFileSync(join(dir, name))), imports);
    expect(program.run()).toBe(0);
    // The guest left its pipes open: they and their pages belong to the kernel until destroy.
    expect(k.stats().openFiles).toBe(stdio + 6);
    k.destroy();
    expect(k.stats().pagesInUse).toBe(0);
  }, 120_000);
});
