import type { ReadModelsSettings } from './read-models-messages';

/** Settings of a read models thread on a SQLite projection store in `dir`, quiet, for tests. */
export const sqliteThreadSettings = (
  dir: string,
  extra: Partial<ReadModelsSettings> = {},
): ReadModelsSettings => ({
  store: { PROJECTION_STORE: 'sqlite', DATA_DIR: dir },
  analytics: {
    source: 'http://confer.test/analytics',
    schemaBase: 'http://confer.test/docs',
    chatContent: true,
  },
  logLevel: 'silent',
  nodeId: 'node-a',
  ...extra,
});
