import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The page is built into the package's dist/ui, which serveDashboard serves. Assets are named by
// their hash under /assets/; no module-preload polyfill (it would be an inline script, which the
// page's Content-Security-Policy forbids) and no source maps in the package.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../dist/ui', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: { polyfill: false },
    sourcemap: false,
    assetsInlineLimit: 0,
  },
});
