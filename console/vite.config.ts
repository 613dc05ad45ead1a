import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The operator console, built into dist/console and served by the API process at /console
// (src/admin/console/routes.ts). Everything it loads is in the bundle: the page's CSP allows
// only its own origin.
export default defineConfig({
  root: decodeURIComponent(new URL('.', import.meta.url).pathname),
  base: '/console/',
  plugins: [react()],
  build: {
    outDir: '../dist/console',
    emptyOutDir: true,
  },
});
