// `npm run demo:build`: the demo bundled by Vite into build/demo, as a site that uses the
// package through a bundler would ship it. The browser tests build and load it too.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../build/demo', import.meta.url)),
    emptyOutDir: true,
  },
  worker: { format: 'es' },
});
