import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));

// Pages are served by noah-api from its jar (classpath:/static/ui → /ui/); no Babel, JSX by oxc for Preact.
export default defineConfig({
  base: '/ui/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: here + '../../../target/classes/static/ui',
    emptyOutDir: true,
    rollupOptions: { input: { terminal: here + 'terminal.html' } },
  },
});
