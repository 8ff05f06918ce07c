import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const webRoot = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/**
 * The web client: built into web/dist, which the server serves at / and /m/{meetingId}.
 * `npx vite --config web/vite.config.ts` serves it with hot reload against a server on :3000.
 */
export default defineConfig({
  root: webRoot,
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 600,
  },
  server: {
    port: 5173,
    // The client imports the protocol's types from gateways/: allow the repository root.
    fs: { allow: [repoRoot] },
    proxy: {
      '/meetings': { target: 'http://localhost:3000' },
      '/socket.io': { target: 'http://localhost:3000', ws: true },
    },
  },
});
