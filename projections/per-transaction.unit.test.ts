import { describe, expect, it } from 'vitest';
import type { ProjectionWriter } from '../domain/ports/projection-store';
import { perTransaction } from './per-transaction';

// Only the identity of a transaction matters here: no store is touched.
const transaction = () => ({}) as ProjectionWriter;

describe('a value per transaction', () => {
  it('is made once in a transaction and kept for its later events', () => {
    let made = 0;
    const counts = perTransaction(() => (made++, new Map<string, number>()));
    const tx = transaction();
    counts(tx).set('m1', 1);
    counts(tx).set('m1', counts(tx).get('m1')! + 1);
    expect(counts(tx).get('m1')).toBe(2);
    expect(made).toBe(1);
  });

  it('starts afresh in the next transaction, whatever became of the one before', () => {
    const counts = perTransaction(() => new Map<string, number>());
    const rolledBack = transaction();
    counts(rolledBack).set('m1', 5);
    expect(counts(transaction()).size).toBe(0);
  });
});
