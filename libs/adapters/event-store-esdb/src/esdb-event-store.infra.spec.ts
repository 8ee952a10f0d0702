import { describeEventStoreConformance } from '@crm/event-store/testing';
import { EsdbEventStore } from './esdb-event-store';

// The conformance suite against a real EventStoreDB/KurrentDB, e.g.
//   ESDB_CONNECTION_STRING='esdb://localhost:2113?tls=false' npm run test:infra -- libs/adapters/event-store-esdb
// The connection needs read access to $all (the default admin user, or an insecure node).
const connectionString = process.env.ESDB_CONNECTION_STRING;

const SKIP_REASON = 'ESDB_CONNECTION_STRING is not set (no EventStoreDB/KurrentDB server on this machine)';

if (connectionString) {
  describeEventStoreConformance('EventStoreDB/KurrentDB', {
    async create() {
      const store = new EsdbEventStore(connectionString, { pollIntervalMs: 20 });
      await store.ping();
      return store;
    },
  });
} else {
  console.warn(`EventStoreDB conformance skipped: ${SKIP_REASON}`);
  describe.skip(`EventStoreDB conformance — skipped: ${SKIP_REASON}`, () => {
    it('runs the event store conformance suite against EventStoreDB/KurrentDB', () => undefined);
  });
}
