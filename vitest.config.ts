import { defineConfig } from 'vitest/config';

const EXCLUDE = ['node_modules/**', 'web/dist/**', 'data/**'];
/**
 * The tests that drive Chromium (several pages with fake cameras each, plus servers and mediasoup
 * workers): one at a time, after everything else. Beside each other, or beside the Kafka and
 * PostgreSQL tests, on two cores, a different one of them failed in every other fresh-clone CI
 * run, each time a person's view arriving later than its poll allowed (an unmute, a grid after
 * Unpin, a camera's last seconds in a recording; 2026-12-04/05). recording-sync also measures
 * Chromium's encoder, which drops frames when starved.
 */
const BROWSER = [
  'web/e2e/**/*.e2e.test.ts',
  'test/multi-node/cascade.e2e.test.ts',
  'test/multi-node/recording-node-crash.e2e.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 90_000,
    hookTimeout: 120_000,
    // expect.poll waits for what a person would wait for (a browser unmuting through the SFU, a
    // broadcast reaching another page): Vitest's default 1 s failed a fresh-clone CI at load
    // average ~10 (host tools: Bob's microphone after he accepted "Ask to unmute", 2026-12-04).
    expect: { poll: { timeout: 10_000 } },
    // The servers the tests start run their read models at normal priority: a thread at niceness
    // 19 (the default, for a server of its own) gets ~0.3 % of a core among CI's dozen busy
    // processes, and every REST view waiting for it would wait out its timeout. The niceness
    // itself is tested where it is applied (thread-priority.int.test.ts).
    env: { READ_MODELS_NICENESS: '0' },
    // Integration tests start real servers (the app, PostgreSQL, Kafka, Chromium); two cores.
    fileParallelism: true,
    maxWorkers: 2,
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: { name: 'confer', include: ['**/*.test.ts'], exclude: [...EXCLUDE, ...BROWSER] },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: BROWSER,
          exclude: EXCLUDE,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
