import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../domain/ports/event-store';
import { describeEventStoreContract } from '../../test/contracts/event-store.contract';
import { createEventStoreDbEventStore } from './eventstoredb-event-store';

// No EventStoreDB server can be installed here: the contract runs where one is given, e.g.
// EVENTSTORE_URL=esdb://127.0.0.1:2113?tls=false npx vitest run infra/event-store/eventstoredb
const url = process.env.EVENTSTORE_URL;

describeEventStoreContract(
  'EventStoreDB',
  async () => createEventStoreDbEventStore({ connectionString: url ?? '' }),
  {
    skip: url === undefined || url === '',
  },
);

const clientInstalled = ((): boolean => {
  try {
    createRequire(import.meta.url).resolve('@eventstore/db-client');
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(clientInstalled)('EventStoreDB event store without its client package', () => {
  it('fails to start with an error that names the missing package', async () => {
    const error = await createEventStoreDbEventStore({
      connectionString: 'esdb://127.0.0.1:2113?tls=false',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).toContain('@eventstore/db-client');
  });
});
