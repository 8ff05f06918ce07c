import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'web/dist/**', 'data/**'],
    testTimeout: 90_000,
    hookTimeout: 120_000,
    // Integration tests start real servers (the app, PostgreSQL, Kafka, Chromium); two cores.
    fileParallelism: true,
    maxWorkers: 2,
    reporters: ['default'],
  },
});
