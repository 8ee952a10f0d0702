import { ConcurrencyConflictError, IdempotencyViolationError, type NewEvent } from '@crm/event-store';
import { describeEventStoreConformance, testEvent, testMetadata, uniqueStream } from '@crm/event-store/testing';
import { type SqlClient } from '@crm/sql';
import { PgliteSession } from '@crm/sql-clients';
import { PostgresEventStore } from './postgres-event-store';
import { previousAppendStatements, previousEventStoreDdl } from './testing/previous-ddl';

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

/** Records what the adapter sends. */
function recording(inner: SqlClient) {
  const statements: string[] = [];
  let transactions = 0;
  const client: SqlClient = {
    dialect: inner.dialect,
    query: (text, params) => {
      statements.push(text);
      return inner.query(text, params);
    },
    exec: (script) => inner.exec(script),
    transaction: (work) => {
      transactions++;
      return inner.transaction(work);
    },
    close: () => inner.close(),
  };
  return { client, statements, transactions: () => transactions };
}

describe('PostgreSQL adapter on embedded PGlite: the append function', () => {
  // One session (opening PGlite takes a while); tests use their own streams or schema.
  let session: PgliteSession;
  beforeAll(async () => {
    session = await PgliteSession.open();
  });
  afterAll(async () => {
    await session.close();
  });

  it('appends a batch with one autocommit statement, no explicit transaction', async () => {
    const store0 = new PostgresEventStore(session.sqlClient());
    await store0.migrate();
    const rec = recording(session.sqlClient());
    const store = new PostgresEventStore(rec.client);
    const stream = uniqueStream();
    await store.appendToStream(stream, [testEvent(), testEvent()], { expectedRevision: 'no_stream' });
    await store.appendToStream(stream, [testEvent()], { expectedRevision: 1n });
    expect(rec.statements).toHaveLength(2);
    expect(rec.statements.every((s) => /^SELECT event_store\.append_events\(/.test(s))).toBe(true);
    expect(rec.transactions()).toBe(0);
  });

  it('migrate is idempotent', async () => {
    const store = new PostgresEventStore(session.sqlClient());
    await store.migrate();
    const stream = uniqueStream();
    await store.appendToStream(stream, [testEvent()]);
    await store.migrate();
    await expect(store.appendToStream(stream, [testEvent()], { expectedRevision: 0n })).resolves.toMatchObject({ nextExpectedRevision: 1n });
  });

  it('upgrades a database created before the append function: revisions continue, old events stay idempotent', async () => {
    const sql = session.sqlClient();
    for (const statement of [...previousEventStoreDdl('legacy'), ...previousAppendStatements('legacy')]) await sql.query(statement);
    const store = new PostgresEventStore(sql, { schema: 'legacy' });
    await store.migrate();

    const next = await store.appendToStream('legacy-stream', [testEvent('New')], { expectedRevision: 1n });
    expect(next).toMatchObject({ nextExpectedRevision: 2n, appended: true });
    expect((await store.readStream('legacy-stream')).map((e) => [e.type, e.revision])).toEqual([
      ['Old', 0n],
      ['Old', 1n],
      ['New', 2n],
    ]);
    // A retry of the batch the old adapter stored is still recognised.
    const old = (await store.readStream('legacy-stream')).slice(0, 2).map((e): NewEvent => ({ id: e.id, type: e.type, data: e.data, metadata: e.metadata }));
    await expect(store.appendToStream('legacy-stream', old, { expectedRevision: 'no_stream' })).resolves.toMatchObject({
      nextExpectedRevision: 1n,
      appended: false,
    });
    expect(await store.readAll({ maxCount: 100 })).toHaveLength(3);
  });

  it('ids already stored in another stream are refused, naming them; nothing is written', async () => {
    const store = new PostgresEventStore(session.sqlClient());
    await store.migrate();
    const [streamA, streamB] = [uniqueStream(), uniqueStream()];
    const a = testEvent();
    await store.appendToStream(streamA, [a]);
    const error = await store.appendToStream(streamB, [testEvent(), a]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdempotencyViolationError);
    expect((error as IdempotencyViolationError).eventIds).toEqual([a.id]);
    expect(await store.readStream(streamB)).toEqual([]);
    // The refused batch left no stream behind.
    await expect(store.appendToStream(streamB, [testEvent()], { expectedRevision: 'no_stream' })).resolves.toMatchObject({ nextExpectedRevision: 0n });
  });

  it('a retry with a now-stale exact revision gets the earlier result; a different batch gets the conflict with the actual revision', async () => {
    const store = new PostgresEventStore(session.sqlClient());
    await store.migrate();
    const stream = uniqueStream();
    await store.appendToStream(stream, [testEvent()]);
    const batch = [testEvent(), testEvent()];
    const first = await store.appendToStream(stream, batch, { expectedRevision: 0n });
    await store.appendToStream(stream, [testEvent()], { expectedRevision: 2n });
    await expect(store.appendToStream(stream, batch, { expectedRevision: 0n })).resolves.toEqual({ ...first, appended: false });
    const error = await store.appendToStream(stream, [testEvent()], { expectedRevision: 0n }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConcurrencyConflictError);
    expect((error as ConcurrencyConflictError).actual).toBe(3n);
    expect((await store.readStream(stream)).map((e) => e.revision)).toEqual([0n, 1n, 2n, 3n]);
  });

  it('keeps data that is JSON null, and schema versions', async () => {
    const store = new PostgresEventStore(session.sqlClient());
    await store.migrate();
    const e = { ...testEvent(), data: null, schemaVersion: 3, metadata: testMetadata() };
    const stream = uniqueStream();
    await store.appendToStream(stream, [e, testEvent()]);
    const [read] = await store.readStream(stream);
    expect(read.data).toBeNull();
    expect(read.schemaVersion).toBe(3);
  });
});
