import { describeEventStoreConformance } from '@crm/event-store/testing';
import { PgliteSession } from '@crm/sql';
import { PostgresEventStore } from './postgres-event-store';

// Embedded default: the same SQL as the server adapter, on PGlite in memory.
describeEventStoreConformance('PostgreSQL adapter on embedded PGlite', {
  concurrentWriters: 4,
  async create() {
    const session = await PgliteSession.open();
    const store = new PostgresEventStore(session.sqlClient(), { pollIntervalMs: 10 });
    await store.migrate();
    return Object.assign(store, {
      close: async () => session.close(),
    });
  },
});
