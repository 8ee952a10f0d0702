import { randomUUID } from 'node:crypto';
import { describeEventStoreConformance, testEvent, testMetadata, uniqueStream, waitFor } from '@crm/event-store/testing';
import type { RecordedEvent } from '@crm/event-store';
import { PgSqlClient } from '@crm/sql';
import { Client } from 'pg';
import { PostgresEventStore } from './postgres-event-store';

const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL is not set: run this suite with `npm run test:infra`, which starts PostgreSQL');
const schema = `es_test_${randomUUID().replace(/-/g, '').slice(0, 12)}`;

afterAll(async () => {
  const c = new Client({ connectionString: url });
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await c.end();
});

describeEventStoreConformance('PostgreSQL adapter on a real PostgreSQL server', {
  concurrentWriters: 8,
  async create() {
    const store = new PostgresEventStore(new PgSqlClient({ connectionString: url, max: 12 }), { schema, pollIntervalMs: 10 });
    await store.migrate();
    return store;
  },
});

describe('PostgreSQL adapter: transactions that commit out of order', () => {
  it('a reader never passes an event whose transaction is still in flight, and delivers it once it commits', async () => {
    const store = new PostgresEventStore(new PgSqlClient({ connectionString: url, max: 4 }), { schema, pollIntervalMs: 10 });
    await store.migrate();
    const tail = await store.readAll({ maxCount: 100000 });
    const start = tail.at(-1)?.position;
    const seen: RecordedEvent[] = [];
    const sub = store.subscribeToAll({ after: start, onEvent: async (e) => void seen.push(e) });

    // T1 takes its sequence number first and stays open, like a slow writer.
    const slow = new Client({ connectionString: url });
    await slow.connect();
    const slowId = randomUUID();
    try {
      await slow.query('BEGIN');
      await slow.query(
        `INSERT INTO ${schema}.events (event_id, stream_id, stream_revision, type, data, metadata) VALUES ($1, $2, 0, 'Slow', '{}', $3)`,
        [slowId, uniqueStream('slow'), JSON.stringify(testMetadata())],
      );
      // T2 takes a later sequence number and commits first.
      const fast = testEvent('Fast');
      await store.appendToStream(uniqueStream('fast'), [fast]);

      // With a plain sequence, a reader would now see Fast (higher number) and move its checkpoint
      // past Slow forever. Here, Fast is held back while T1 is in flight.
      const visible = await store.readAll({ after: start, maxCount: 100000 });
      expect(visible.map((e) => e.id)).not.toContain(fast.id);
      expect(seen.map((e) => e.id)).not.toContain(fast.id);

      await slow.query('COMMIT');
      await waitFor(() => seen.length >= 2, 20000, 'both events');
      expect(seen.map((e) => e.id)).toEqual([slowId, fast.id]);
      const again = await store.readAll({ after: start, maxCount: 100000 });
      expect(again.map((e) => e.id)).toEqual([slowId, fast.id]);
    } finally {
      await slow.end();
      await sub.stop();
      await store.close();
    }
  });
});
