import { randomUUID } from 'node:crypto';
import { testMetadata, waitFor } from '@crm/event-store/testing';
import { PostgresEventStore } from '@crm/event-store-postgres';
import { toIntegrationEvent } from '@crm/relay';
import { PgliteSession } from '@crm/sql-clients';
import { DataSource } from 'typeorm';
import { NoServingVersionError, ReadModelVersions, versionedProjection, versionedTable, type VersionedProjection } from './read-model-versions';
import { testRegistry, type CustomerNoted } from './testing';

/**
 * A version of a read model that makes loss and double application visible: per customer, the
 * number of notes applied and the sum of their sequence numbers (an increment, not an upsert of
 * the event, so a second application would show). Version 2 also counts the note's length — the
 * "new metric" built beside version 1.
 */
function notesPerCustomer(version: number): VersionedProjection<CustomerNoted> {
  const table = versionedTable('test_rm', 'notes_per_customer', version);
  return versionedProjection<CustomerNoted>({
    readModel: 'test.notes-per-customer',
    version,
    tables: { notes: table },
    ddl: [
      'CREATE SCHEMA IF NOT EXISTS test_rm',
      `CREATE TABLE IF NOT EXISTS ${table} (customer_id uuid PRIMARY KEY, events integer NOT NULL, seq_sum bigint NOT NULL, chars integer NOT NULL)`,
    ],
    handles: ['CustomerNoted'],
    async apply(event, m) {
      const chars = version >= 2 ? event.data.note.length : 0;
      await m.query(
        `INSERT INTO ${table} (customer_id, events, seq_sum, chars) VALUES ($1, 1, $2, $3)
         ON CONFLICT (customer_id) DO UPDATE SET events = ${table}.events + 1, seq_sum = ${table}.seq_sum + $2, chars = ${table}.chars + $3`,
        [event.data.customerId, event.data.seq, chars],
      );
    },
  });
}

describe('versioned read models: a new version is built beside the serving one and switched to when caught up (PGlite)', () => {
  let session: PgliteSession;
  let store: PostgresEventStore;
  let ds: DataSource;
  let clock: Date;
  const registry = testRegistry();

  beforeEach(async () => {
    session = await PgliteSession.open();
    store = new PostgresEventStore(session.sqlClient());
    await store.migrate();
    ds = new DataSource({ type: 'postgres', driver: session.pgDriver(), entities: [], synchronize: false });
    await ds.initialize();
    clock = new Date('2026-03-01T09:00:00Z');
  });
  afterEach(async () => {
    await ds.destroy();
    await session.close();
  });

  const note = (customerId: string, seq: number, text = 'hello') =>
    store.appendToStream(`customer-${customerId}`, [
      { id: randomUUID(), type: 'CustomerNoted', data: { customerId, seq, note: text }, metadata: testMetadata(), schemaVersion: 1 },
    ]);
  const totals = async (version: number) => {
    const [row] = (await ds.query(
      `SELECT count(*)::int AS customers, coalesce(sum(events), 0)::int AS events, coalesce(sum(seq_sum), 0)::int AS seq, coalesce(sum(chars), 0)::int AS chars FROM ${versionedTable('test_rm', 'notes_per_customer', version)}`,
    )) as { customers: number; events: number; seq: number; chars: number }[];
    return row;
  };
  /** What a read does: look the serving version up, then query its table. */
  const read = async (versions: ReadModelVersions) => {
    const serving = await versions.serving('test.notes-per-customer');
    const [row] = (await ds.query(`SELECT coalesce(sum(events), 0)::int AS events, coalesce(sum(chars), 0)::int AS chars FROM ${serving.tables.notes}`)) as {
      events: number;
      chars: number;
    }[];
    return { version: serving.version, ...row };
  };
  const options = () => ({ schema: 'test_platform', now: () => clock, switchCheckMs: 0, runner: { batchSize: 7, logger: quiet } });

  it('builds v2 from event 0 while events keep arriving, reads answer v1 until the switch, then v2, each event applied once', async () => {
    const customers = [randomUUID(), randomUUID(), randomUUID()];
    let seq = 0;
    let expectedSeq = 0;
    const append = async (n: number) => {
      for (let i = 0; i < n; i++) {
        await note(customers[i % 3], seq, 'abcd');
        expectedSeq += seq++;
      }
    };
    await append(30);

    // v1 serves from the first start.
    const first = new ReadModelVersions(ds, store, registry, toIntegrationEvent, options());
    await first.start([notesPerCustomer(1)]);
    await waitFor(async () => (await totals(1)).events === 30, 20000, 'v1 to catch up');
    expect(await read(first)).toEqual({ version: 1, events: 30, chars: 0 });
    await first.stop();

    // A deploy declares v2 beside v1: v1 keeps serving while v2 replays from event 0 and events keep arriving.
    clock = new Date('2026-03-02T09:00:00Z');
    const versions = new ReadModelVersions(ds, store, registry, toIntegrationEvent, options());
    await versions.start([notesPerCustomer(1), notesPerCustomer(2)]);
    const during: number[] = [];
    for (let round = 0; round < 5; round++) {
      await append(10);
      const r = await read(versions);
      during.push(r.version);
      expect(r.chars).toBe(0); // v1's answer: it never counted characters
    }
    expect(during).toEqual([1, 1, 1, 1, 1]);
    const building = (await versions.progress()).find((p) => p.version === 2)!;
    expect(building).toMatchObject({ readModel: 'test.notes-per-customer', state: 'building' });
    expect(building.progress).toBeGreaterThanOrEqual(0);
    expect(building.progress).toBeLessThanOrEqual(1);

    // Once it has caught up (events stopped), the switch moves every later read to v2.
    await waitFor(async () => (await totals(2)).events === 80 && (await totals(1)).events === 80, 20000, 'both versions to reach the head');
    clock = new Date('2026-03-02T10:00:00Z');
    await waitFor(() => versions.switchIfCaughtUp('test.notes-per-customer'), 20000, 'the switch');
    expect(await read(versions)).toEqual({ version: 2, events: 80, chars: 80 * 4 });

    // No event lost or applied twice: 80 events, the sum of 0..79 sequence numbers, in v2 as in v1.
    expect(await totals(2)).toEqual({ customers: 3, events: 80, seq: expectedSeq, chars: 320 });
    expect(await totals(1)).toMatchObject({ events: 80, seq: expectedSeq });

    const progress = await versions.progress();
    expect(progress.map((p) => [p.version, p.state, p.switchedAt])).toEqual([
      [1, 'retired', '2026-03-01T09:00:00.000Z'],
      [2, 'serving', '2026-03-02T10:00:00.000Z'],
    ]);
    expect(progress[1]).toMatchObject({ progress: 1, eventsApplied: 80, parked: 0, runner: 'live' });
    expect(progress[0].retiredAt).toBe('2026-03-02T10:00:00.000Z');
    // The retired version is not run any more, but its checkpoint is still shown.
    expect(progress[0]).toMatchObject({ eventsApplied: 80, progress: 1 });
    expect(progress[0]).not.toHaveProperty('runner');

    // v2 follows new events live; retired v1 no longer does.
    await append(2);
    await waitFor(async () => (await read(versions)).events === 82, 20000, 'v2 to follow live');
    expect((await totals(1)).events).toBe(80);

    // Later, the retired version's tables are dropped.
    expect(await versions.dropRetired()).toEqual(['test.notes-per-customer@v1']);
    const [{ exists }] = (await ds.query(`SELECT to_regclass('test_rm.notes_per_customer_v1') IS NOT NULL AS exists`)) as { exists: boolean }[];
    expect(exists).toBe(false);
    expect((await versions.progress())[0]).toMatchObject({ state: 'dropped' });
    await versions.stop();

    // A restart keeps v2 serving and does not re-apply anything.
    const again = new ReadModelVersions(ds, store, registry, toIntegrationEvent, options());
    await again.start([notesPerCustomer(2)]);
    await append(1);
    await waitFor(async () => (await totals(2)).events === 83, 20000, 'v2 after a restart');
    expect(await totals(2)).toMatchObject({ events: 83, seq: expectedSeq });
    expect(await again.switchIfCaughtUp('test.notes-per-customer')).toBe(false);
    await again.stop();

    // Older code (knowing only v1) after the switch to v2: reads are refused, not answered from v1's dropped tables.
    const older = new ReadModelVersions(ds, store, registry, toIntegrationEvent, options());
    await older.start([notesPerCustomer(1)]);
    await expect(older.serving('test.notes-per-customer')).rejects.toThrow(NoServingVersionError);
    await older.stop();
  });

  it('with nothing newer than the serving version there is nothing to switch to; events per second are measured with the injected clock', async () => {
    const c = randomUUID();
    for (let i = 0; i < 5; i++) await note(c, i);
    const versions = new ReadModelVersions(ds, store, registry, toIntegrationEvent, options());
    await versions.start([notesPerCustomer(1)]);
    await waitFor(async () => (await totals(1)).events === 5, 20000, 'v1');
    expect(await versions.switchIfCaughtUp('test.notes-per-customer')).toBe(false); // nothing newer to switch to
    const first = await versions.progress();
    expect(first[0]).toMatchObject({ version: 1, state: 'serving', eventsApplied: 5, eventsPerSecond: null, progress: 1 });
    clock = new Date(clock.getTime() + 2000);
    for (let i = 5; i < 9; i++) await note(c, i);
    await waitFor(async () => (await totals(1)).events === 9, 20000, 'v1 live');
    const second = await versions.progress();
    expect(second[0].eventsPerSecond).toBe(2); // 4 events over 2 s of the injected clock
    await versions.stop();
  });

  it('refuses a version that is not a whole number ≥ 1 or a read model declared twice', async () => {
    expect(() => versionedTable('s', 't', 0)).toThrow(/version/);
    const versions = new ReadModelVersions(ds, store, registry, toIntegrationEvent, options());
    await expect(versions.start([notesPerCustomer(1), notesPerCustomer(1)])).rejects.toThrow(/declared twice/);
  });
});

const quiet = { warn: () => undefined, error: () => undefined };
