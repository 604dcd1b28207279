// Entry of the lab page: gathers the lesson files (bundled as text, so the
// built site needs no server-side help) and starts the lab.

import { collectLessons } from '../src/lab/lessons.js';
import { collectPipelineLessons } from '../src/lab/pipeline-lessons.js';
import { startLab } from '../src/lab/app.js';

import starter from './programs/pipes.c?raw';

const files = import.meta.glob<string>('./lessons/*.{trace,expected,html}', { query: '?raw', import: 'default', eager: true });
const pipelineFiles = import.meta.glob<string>('./pipelines/*.{pipeline,expected,html,c}', { query: '?raw', import: 'default', eager: true });
// The pipelines' programs: prebuilt wasm fetched when a lesson first runs, and their C source shown beside it.
const wasm = import.meta.glob<string>('./pipelines/wasm/*.wasm', { query: '?url', import: 'default', eager: true });
const sources = import.meta.glob<string>('../examples/c/*.c', { query: '?raw', import: 'default', eager: true });
const byName = <T>(files: Record<string, T>) => Object.fromEntries(Object.entries(files).map(([path, v]) => [/([^/]+)\.[a-z]+$/.exec(path)![1]!, v]));

// Never a blank page: whatever fails is said where errors go.
function report(what: string, e: unknown): void {
  const box = document.getElementById('error');
  if (!box) return;
  box.hidden = false;
  box.textContent = `${what}: ${e instanceof Error ? e.message : String(e)}`;
}

window.addEventListener('error', (e) => report('Unexpected error', e.error ?? e.message));
window.addEventListener('unhandledrejection', (e) => report('Unexpected error', e.reason));
// The compiler's Worker is made on the first Compile only: the page's first load fetches none of it.
const makeCompiler = () => new Worker(new URL('./compiler-worker.ts', import.meta.url), { type: 'module' });
const pipelines = { lessons: collectPipelineLessons(pipelineFiles), wasmUrl: (name: string) => byName(wasm)[name], sources: byName(sources) };
startLab(collectLessons(files), { starter, makeCompiler }, pipelines).catch((e: unknown) => report('The lab could not start', e));
