// The teaching lab (lab/): `npm start` serves it, `npm run build:lab` builds
// a static site into lab-dist/ with relative paths, so any static host works.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// Cross-origin isolation makes SharedArrayBuffer available, so the kernel
// gets a shared memory; without these headers it runs unshared, in one thread.
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  root: fileURLToPath(new URL('./lab', import.meta.url)),
  base: './',
  server: { headers: ISOLATION_HEADERS },
  preview: { headers: ISOLATION_HEADERS },
  // The C compiler finds its wasm and sysroot next to its own module (new URL(…, import.meta.url)): pre-bundling would move it away from them.
  optimizeDeps: { exclude: ['@yowasp/clang'] },
  // The compiler's Worker is an ES module (it imports the toolchain's module, which awaits at its top level).
  worker: { format: 'es' },
  build: { outDir: fileURLToPath(new URL('./lab-dist', import.meta.url)), emptyOutDir: true, target: 'es2022' },
});
