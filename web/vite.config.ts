import { createReadStream, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const webRoot = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/**
 * MediaPipe's selfie segmentation (background blur) loads its script, wasm and models by URL at
 * run time: they are served by Confer itself from /effects/selfie/ (copied into web/dist, served
 * from node_modules by the dev server), never from a CDN: many people's networks, and this
 * machine, are offline. RNNoise needs no copy: its worklet is bundled (rnnoise-worklet.ts).
 */
const SELFIE_DIR = join(repoRoot, 'node_modules', '@mediapipe', 'selfie_segmentation');
const SELFIE_URL = '/effects/selfie/';
const SELFIE_FILES = readdirSync(SELFIE_DIR).filter((f) => /\.(js|wasm|tflite|binarypb|data)$/.test(f));
const TYPES: Record<string, string> = { js: 'text/javascript', wasm: 'application/wasm' };

function selfieSegmentationAssets(): Plugin {
  return {
    name: 'confer-selfie-segmentation-assets',
    configureServer(server) {
      server.middlewares.use(SELFIE_URL, (request, response, next) => {
        const file = (request.url ?? '').slice(1).split('?')[0] ?? '';
        if (!SELFIE_FILES.includes(file)) return next();
        response.setHeader('content-type', TYPES[file.split('.').pop() ?? ''] ?? 'application/octet-stream');
        createReadStream(join(SELFIE_DIR, file)).pipe(response);
      });
    },
    generateBundle() {
      for (const file of SELFIE_FILES)
        this.emitFile({
          type: 'asset',
          fileName: `${SELFIE_URL.slice(1)}${file}`,
          source: readFileSync(join(SELFIE_DIR, file)),
        });
    },
  };
}

/**
 * The web client: built into web/dist, which the server serves at / and /m/{meetingId}.
 * `npx vite --config web/vite.config.ts` serves it with hot reload against a server on :3000.
 */
export default defineConfig({
  root: webRoot,
  base: '/',
  plugins: [selfieSegmentationAssets()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 600,
  },
  // The RNNoise AudioWorklet is loaded as a module (addModule), and RNNoise's glue reads import.meta.url.
  worker: { format: 'es' },
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
