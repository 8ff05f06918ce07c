import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startConferProcess } from '../support/confer-process';
import { freePort } from '../support/free-port';

/**
 * A node started with a shared service it cannot reach fails at once with an error that names the
 * setting to fix, and exits non-zero (issue 4, "Bad input"; issue 6, "Bad input and faults").
 * Nothing listens on the addresses below, so no broker or database is needed.
 */
const dataDirs: string[] = [];
afterAll(() => {
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

/** Starts a node that is expected to fail; resolves with the start-up error (log tail included). */
async function failedStart(env: Record<string, string>): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'confer-bad-config-'));
  dataDirs.push(dataDir);
  const outcome = await startConferProcess({ DATA_DIR: dataDir, ...env }).then(
    async (node) => {
      await node.stop();
      return undefined;
    },
    (error: unknown) => (error instanceof Error ? error.message : String(error)),
  );
  if (outcome === undefined) throw new Error(`the node started with ${JSON.stringify(env)}`);
  return outcome;
}

/** The line the process printed on its way out. */
const failureLine = (message: string) => /^Confer failed to start: .*$/m.exec(message)?.[0] ?? '';

/** The exit code that startConferProcess saw, from its "confer exited (code N)" message. */
const exitCodeIn = (message: string) => Number(/confer exited \(code (\d+)\)/.exec(message)?.[1] ?? NaN);

describe.concurrent('a node that cannot reach a shared service', () => {
  it('names KAFKA_BROKERS when no broker answers there, and exits non-zero', async () => {
    const message = await failedStart({ BUS: 'kafka', KAFKA_BROKERS: '127.0.0.1:1' });
    expect(exitCodeIn(message)).toBeGreaterThan(0);
    expect(failureLine(message)).toMatch(/KAFKA_BROKERS: cannot reach a Kafka broker at 127\.0\.0\.1:1\b/);
  }, 60_000);

  it('names EVENT_STORE_URL when PostgreSQL cannot be reached, and exits non-zero', async () => {
    const port = await freePort();
    const message = await failedStart({
      EVENT_STORE: 'postgres',
      EVENT_STORE_URL: `postgres://confer:secret-password@127.0.0.1:${port}/confer`,
    });
    expect(exitCodeIn(message)).toBeGreaterThan(0);
    expect(failureLine(message)).toMatch(
      /EVENT_STORE_URL=postgres:\/\/confer:\*\*\*@127\.0\.0\.1:\d+\/confer/,
    );
    expect(failureLine(message)).toContain(`127.0.0.1:${port}`);
    // The setting is named; its password is not printed.
    expect(message).not.toContain('secret-password');
  }, 60_000);

  it('names PROJECTION_STORE_URL when the read models’ PostgreSQL cannot be reached', async () => {
    const port = await freePort();
    const message = await failedStart({
      PROJECTION_STORE: 'postgres',
      PROJECTION_STORE_URL: `postgres://confer@127.0.0.1:${port}/confer`,
    });
    expect(exitCodeIn(message)).toBeGreaterThan(0);
    expect(failureLine(message)).toMatch(/PROJECTION_STORE_URL/);
  }, 60_000);

  it('lists every missing setting at once before connecting to anything', async () => {
    const message = await failedStart({ BUS: 'kafka', EVENT_STORE: 'postgres' });
    expect(exitCodeIn(message)).toBe(2);
    expect(message).toMatch(/KAFKA_BROKERS: required when BUS=kafka/);
    expect(message).toMatch(/EVENT_STORE_URL: required when EVENT_STORE=postgres/);
  }, 60_000);

  it('refuses a commit interval that is not a whole number of ms from 0 to 60,000, naming it', async () => {
    for (const value of ['-1', '1.5', '600000', 'soon', '1\u0007']) {
      const message = await failedStart({ KAFKA_COMMIT_INTERVAL_MS: value });
      expect(exitCodeIn(message), value).toBe(2);
      expect(message, value).toMatch(/KAFKA_COMMIT_INTERVAL_MS/);
    }
  }, 120_000);

  it('refuses a linger that is not a whole number of ms from 0 to 1,000, naming it', async () => {
    for (const value of ['-5', '2.5', '5000', 'short', '5\u0007', '\ud800']) {
      const message = await failedStart({ KAFKA_LINGER_MS: value });
      expect(exitCodeIn(message), value).toBe(2);
      expect(message, value).toMatch(/KAFKA_LINGER_MS/);
    }
  }, 120_000);
});
