import { defineConfig } from 'vitest/config';

const EXCLUDE = ['node_modules/**', 'web/dist/**', 'data/**'];
/**
 * Measures A/V sync in a recording against what a Chromium sender captured. With another browser
 * test beside it on two cores, Chromium's encoder drops frames and a flash leaves one to four frames
 * late: a fact about the starved sender, not the recorder (fresh-clone CI, 2026-12-02). It runs
 * after everything else, alone.
 */
const ALONE = ['web/e2e/recording-sync.e2e.test.ts'];

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
        test: { name: 'confer', include: ['**/*.test.ts'], exclude: [...EXCLUDE, ...ALONE] },
      },
      {
        extends: true,
        test: { name: 'alone', include: ALONE, exclude: EXCLUDE, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
