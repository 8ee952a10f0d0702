import { randomUUID } from 'node:crypto';
import type { IntegrationEvent } from '@crm/bus';
import { InProcessBus } from '@crm/bus-in-process';
import { formatPosition, parsePosition } from '@crm/event-store';
import { testMetadata, waitFor } from '@crm/event-store/testing';
import { PostgresEventStore } from '@crm/event-store-postgres';
import { Relay, SqlCheckpointStore, toIntegrationEvent } from '@crm/relay';
import { PgliteSession } from '@crm/sql-clients';
import { DataSource } from 'typeorm';
import { ProjectionRunner } from './projection-runner';
import { customerActivityProjection, CustomerActivity, testRegistry } from './testing';
import { typeormExecutor } from './typeorm-sql-executor';

// The relay and the projection runner keep their checkpoints in one table. A database from before
// (the relay's `checkpoints`, the runner's own `projection_checkpoints`) must keep every position.
describe('one checkpoint table for the relay and the projections (PGlite)', () => {
  let session: PgliteSession;
  let store: PostgresEventStore;
  let ds: DataSource;
  const registry = testRegistry();
  const customerId = randomUUID();

  beforeAll(async () => {
    session = await PgliteSession.open();
    store = new PostgresEventStore(session.sqlClient());
    await store.migrate();
    ds = new DataSource({ type: 'postgres', driver: session.pgDriver(), entities: [CustomerActivity], synchronize: true });
    await ds.initialize();
  });
  afterAll(async () => {
    await ds.destroy();
    await session.close();
  });

  const note = (seq: number) => ({
    id: randomUUID(),
    type: 'CustomerNoted',
    data: { customerId, seq, note: `note ${seq}` },
    metadata: testMetadata(),
    schemaVersion: 1,
  });

  it('an existing database keeps its positions: the runner and the relay resume where they were', async () => {
    await store.appendToStream(`customer-${customerId}`, [note(1), note(2)]);
    const [, second] = await store.readAll();
    const sql = session.sqlClient();
    // What the previous version left behind: both followed the store through the second event.
    await sql.exec(`CREATE SCHEMA platform;
      CREATE TABLE platform.checkpoints (name text PRIMARY KEY, position text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now());
      CREATE TABLE platform.projection_checkpoints (projection text PRIMARY KEY, last_event_id uuid, last_position text,
        events_applied bigint NOT NULL DEFAULT 0, updated_at timestamptz NOT NULL DEFAULT now(), rebuilt_through text);`);
    await sql.query(`INSERT INTO platform.checkpoints (name, position) VALUES ('relay', $1)`, [formatPosition(second.position)]);
    await sql.query(
      `INSERT INTO platform.projection_checkpoints (projection, last_event_id, last_position, events_applied) VALUES ('test-customer-activity', $1, $2, 2)`,
      [second.id, formatPosition(second.position)],
    );
    await ds.getRepository(CustomerActivity).save({ customerId, events: 2, seqSum: '3', lastEventId: second.id });
    await store.appendToStream(`customer-${customerId}`, [note(3)], { expectedRevision: 1n });

    // Started in the order a service starts: the platform's checkpoint store, then the runner.
    const checkpoints = new SqlCheckpointStore(sql);
    await checkpoints.migrate();
    const runner = new ProjectionRunner(ds, customerActivityProjection());
    await runner.migrate();
    expect(await runner.status()).toEqual({ eventsApplied: 2, lastPosition: formatPosition(second.position), parked: 0 });
    expect(await checkpoints.load('relay')).toEqual(second.position);

    // The projection applies only the third event: nothing twice, nothing lost.
    await runner.startFromStore(store, registry, toIntegrationEvent);
    await waitFor(async () => (await runner.status())?.eventsApplied === 3, 20000, 'the third event');
    await runner.stop();
    expect(await ds.getRepository(CustomerActivity).findOneBy({ customerId })).toMatchObject({ events: 3, seqSum: '6' });

    // The relay publishes only the third event too.
    const bus = new InProcessBus(registry, { partitions: 1 });
    const published: IntegrationEvent[] = [];
    const sub = await bus.subscribe({ group: 'check', handler: async (e) => void published.push(e) });
    await new Relay(store, bus, checkpoints, registry).drain();
    // Per-key order: once the third is delivered, anything published before it has been too.
    await waitFor(() => published.some((e) => (e.data as { seq: number }).seq === 3), 10000, 'the relay to publish');
    await sub.stop();
    await bus.close();
    expect(published.map((e) => (e.data as { seq: number }).seq)).toEqual([3]);

    // One table: both rows there, the old name a view of it.
    const all = await sql.query<{ name: string; events_applied: string }>(
      `SELECT name, events_applied::text AS events_applied FROM platform.checkpoints ORDER BY name`,
    );
    expect(all.rows).toEqual([
      { name: 'relay', events_applied: '0' },
      { name: 'test-customer-activity', events_applied: '3' },
    ]);
  });

  it("a projection's checkpoint is written in the transaction of its read-model change", async () => {
    const runner = new ProjectionRunner(ds, customerActivityProjection('rolled-back'));
    await runner.migrate();
    await runner.checkpoints.advance([{ name: 'rolled-back', position: parsePosition('1/0'), applied: 1 }]);
    const failure = ds.transaction(async (m) => {
      await m.getRepository(CustomerActivity).save({ customerId: randomUUID(), events: 1, seqSum: '1', lastEventId: randomUUID() });
      await runner.checkpoints.advance([{ name: 'rolled-back', position: parsePosition('2/1'), applied: 1 }], typeormExecutor(m));
      expect(await runner.checkpoints.load('rolled-back', typeormExecutor(m))).toEqual(parsePosition('2/1'));
      throw new Error('the read-model change failed');
    });
    await expect(failure).rejects.toThrow('the read-model change failed');
    expect(await runner.status('rolled-back')).toEqual({ eventsApplied: 1, lastPosition: '1/0', parked: 0 });
  });
});
