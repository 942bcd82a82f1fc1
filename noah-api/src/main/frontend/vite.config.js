import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));

// One single-page app served by noah-api from its jar (classpath:/static/ui → /ui/, SPA fallback in WebUiConfiguration);
// no Babel, JSX by oxc for Preact; the terminal (xterm.js) is a chunk of its own, loaded when a terminal opens.
export default defineConfig({
  base: '/ui/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: here + '../../../target/classes/static/ui',
    emptyOutDir: true,
    rollupOptions: { input: { index: here + 'index.html' } },
  },
});
