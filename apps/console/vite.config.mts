import path from 'node:path';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// `npm run build:console` (tools/console-build.js) writes the web app to dist/console, which the
// console's server (apps/console/server) serves next to the APIs. `npx vite apps/console` serves it
// for development with /api and /console forwarded to a running `npm start`.
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [react()],
  build: {
    outDir: path.resolve(import.meta.dirname, '../../dist/console'),
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 2500,
  },
  server: {
    proxy: { '/api': 'http://localhost:3000', '/console': 'http://localhost:3000' },
  },
});
