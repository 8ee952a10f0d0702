import { randomUUID } from 'node:crypto';
import { describeEventStoreConformance, testEvent, testMetadata, uniqueStream, waitFor } from '@crm/event-store/testing';
import { IdempotencyViolationError, type AppendResult, type RecordedEvent } from '@crm/event-store';
import { PgSqlClient } from '@crm/sql-clients';
import { Client } from 'pg';
import { PostgresEventStore, type PostgresEventStoreOptions } from './postgres-event-store';
import { eventsChannel } from './schema';
import { previousAppendStatements, previousEventStoreDdl } from './testing/previous-ddl';

const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL is not set: run this suite with `npm run test:infra`, which starts PostgreSQL');
const schema = `es_test_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
const otherSchemas: string[] = [];
const freshSchema = () => {
  const s = `${schema}_${otherSchemas.length}`;
  otherSchemas.push(s);
  return s;
};

afterAll(async () => {
  const c = new Client({ connectionString: url });
  await c.connect();
  for (const s of [schema, ...otherSchemas]) await c.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
  await c.end();
});

/** A store on its own pool — as another process would have. */
function storeOnOwnPool(s: string, options: PostgresEventStoreOptions = {}): PostgresEventStore {
  return new PostgresEventStore(new PgSqlClient({ connectionString: url, max: 4 }), { schema: s, ...options });
}

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
      await slow.query(`INSERT INTO ${schema}.events (event_id, stream_id, stream_revision, type, data, metadata) VALUES ($1, $2, 0, 'Slow', '{}', $3)`, [
        slowId,
        uniqueStream('slow'),
        JSON.stringify(testMetadata()),
      ]);
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

describe('PostgreSQL adapter: migrations', () => {
  it('several processes migrating a fresh schema at once all succeed, and the store works', async () => {
    const s = freshSchema();
    const stores = Array.from({ length: 4 }, () => storeOnOwnPool(s, { listen: false }));
    try {
      await Promise.all(stores.map((store) => store.migrate()));
      await Promise.all(stores.map((store) => store.migrate())); // and again: every statement is idempotent
      await expect(stores[0].appendToStream(uniqueStream(), [testEvent()], { expectedRevision: 'no_stream' })).resolves.toMatchObject({ appended: true });
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
  });

  it('upgrades a database created before the append function, while another process appends', async () => {
    const s = freshSchema();
    const c = new Client({ connectionString: url });
    await c.connect();
    try {
      for (const statement of [...previousEventStoreDdl(s), ...previousAppendStatements(s)]) await c.query(statement);
    } finally {
      await c.end();
    }
    const a = storeOnOwnPool(s, { listen: false });
    const b = storeOnOwnPool(s, { listen: false });
    try {
      await a.migrate();
      // b migrates (CREATE OR REPLACE again) while a appends: no error on either side.
      const appends = Promise.all(Array.from({ length: 20 }, () => a.appendToStream(uniqueStream(), [testEvent()])));
      await Promise.all([b.migrate(), appends]);
      await expect(b.appendToStream('legacy-stream', [testEvent('New')], { expectedRevision: 1n })).resolves.toMatchObject({ nextExpectedRevision: 2n });
      expect((await a.readStream('legacy-stream')).map((e) => e.type)).toEqual(['Old', 'Old', 'New']);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('PostgreSQL adapter: racing appends of the same event ids', () => {
  let store: PostgresEventStore;
  beforeAll(async () => {
    store = new PostgresEventStore(new PgSqlClient({ connectionString: url, max: 10 }), { schema, listen: false });
    await store.migrate();
  });
  afterAll(async () => {
    await store.close();
  });

  it('the same batch appended to one stream at once: written once, every caller gets that result', async () => {
    for (const expectedRevision of ['no_stream', 'any'] as const) {
      const stream = uniqueStream();
      const batch = [testEvent(), testEvent()];
      const results = await Promise.all(Array.from({ length: 8 }, () => store.appendToStream(stream, batch, { expectedRevision })));
      expect(results.filter((r) => r.appended)).toHaveLength(1);
      const winner = results.find((r) => r.appended) as AppendResult;
      for (const r of results) expect({ ...r, appended: true }).toEqual(winner);
      expect(await store.readStream(stream)).toHaveLength(2);
    }
  });

  it('the same ids appended to different streams at once: one stream gets them, the others an idempotency violation', async () => {
    const batch = [testEvent()];
    const streams = Array.from({ length: 6 }, () => uniqueStream());
    const results = await Promise.allSettled(streams.map((s) => store.appendToStream(s, batch)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(IdempotencyViolationError);
    const stored = (await Promise.all(streams.map((s) => store.readStream(s)))).flat();
    expect(stored.map((e) => e.id)).toEqual([batch[0].id]);
  });
});

describe('PostgreSQL adapter: cross-process wake-up (LISTEN/NOTIFY)', () => {
  // Polls are set to a minute, far beyond every wait below: only a notification can deliver in time.
  const MINUTE = 60000;
  let s: string;
  let writer: PostgresEventStore;
  beforeAll(async () => {
    s = freshSchema();
    writer = storeOnOwnPool(s, { listen: false });
    await writer.migrate();
  });
  afterAll(async () => {
    await writer.close();
  });

  async function follow(reader: PostgresEventStore) {
    const tail = (await reader.readAll({ maxCount: 100000 })).at(-1)?.position;
    const seen: RecordedEvent[] = [];
    let caughtUp = false;
    const sub = reader.subscribeToAll({ after: tail, onEvent: async (e) => void seen.push(e), onCaughtUp: () => (caughtUp = true) });
    await waitFor(() => caughtUp, 20000, 'catch-up');
    return { seen, sub };
  }

  it('a subscriber of another store (own pool, as another process) is woken by the notification, not by its poll', async () => {
    const reader = storeOnOwnPool(s, { pollIntervalMs: MINUTE, fallbackPollIntervalMs: MINUTE });
    const { seen, sub } = await follow(reader);
    try {
      expect(reader.wakeStats().listening).toBe(true);
      for (let i = 0; i < 3; i++) {
        const e = testEvent('Woken', { i });
        await writer.appendToStream(uniqueStream(), [e]);
        await waitFor(() => seen.some((x) => x.id === e.id), 20000, 'the notified event');
      }
      expect(reader.wakeStats().notifications).toBeGreaterThanOrEqual(3);
    } finally {
      await sub.stop();
      await reader.close();
    }
  });

  it('after the LISTEN connection is killed, the subscriber reports it, reconnects, and keeps receiving events', async () => {
    const errors: unknown[] = [];
    const reader = storeOnOwnPool(s, { pollIntervalMs: 50, fallbackPollIntervalMs: MINUTE, onListenerError: (e) => errors.push(e) });
    const { seen, sub } = await follow(reader);
    const admin = new Client({ connectionString: url });
    await admin.connect();
    try {
      const killed = await admin.query<{ pid: number }>(
        `SELECT pg_terminate_backend(pid), pid FROM pg_stat_activity WHERE query = $1 AND pid <> pg_backend_pid()`,
        [`LISTEN "${eventsChannel(s)}"`],
      );
      expect(killed.rows).toHaveLength(1);

      // Written right after the kill: delivered by the short poll while LISTEN is down, or by the
      // wake-up that follows the reconnection — either way, not lost.
      const during = testEvent('DuringOutage');
      await writer.appendToStream(uniqueStream(), [during]);
      await waitFor(() => seen.some((x) => x.id === during.id), 20000, 'the event written during the outage');
      await waitFor(() => reader.wakeStats().reconnects >= 1 && reader.wakeStats().listening, 20000, 'the reconnection');
      expect(reader.wakeStats().connectionLosses).toBeGreaterThanOrEqual(1);
      expect(errors.length).toBeGreaterThanOrEqual(1);

      // Listening again (poll back at a minute): a new event arrives through the new connection.
      const after = testEvent('AfterReconnect');
      const notificationsBefore = reader.wakeStats().notifications;
      await writer.appendToStream(uniqueStream(), [after]);
      await waitFor(() => seen.some((x) => x.id === after.id), 20000, 'the event written after the reconnection');
      expect(reader.wakeStats().notifications).toBeGreaterThan(notificationsBefore);
      const listeners = await admin.query(`SELECT pid FROM pg_stat_activity WHERE query = $1`, [`LISTEN "${eventsChannel(s)}"`]);
      expect(listeners.rows).toHaveLength(1);
    } finally {
      await admin.end();
      await sub.stop();
      await reader.close();
    }
  });

  it('a woken reader that finds the event held back by an older transaction (not an append) looks again soon, not after the poll', async () => {
    const reader = storeOnOwnPool(s, { pollIntervalMs: MINUTE, fallbackPollIntervalMs: MINUTE });
    const { seen, sub } = await follow(reader);
    const blocker = new Client({ connectionString: url });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('SELECT pg_current_xact_id()'); // holds an xid: the horizon stays behind it
      const e = testEvent('HeldBack');
      await writer.appendToStream(uniqueStream(), [e]);
      await waitFor(() => reader.wakeStats().notifications >= 1, 20000, 'the notification');
      await new Promise((r) => setTimeout(r, 200));
      expect(seen.map((x) => x.id)).not.toContain(e.id); // gap-safe: not before the older transaction ends
      await blocker.query('COMMIT'); // no notification from this one
      await waitFor(() => seen.some((x) => x.id === e.id), 20000, 'the released event');
    } finally {
      await blocker.end();
      await sub.stop();
      await reader.close();
    }
  });
});
