import { randomUUID } from 'node:crypto';
import { InProcessBus } from '@crm/bus-in-process';
import { testMetadata, waitFor } from '@crm/event-store/testing';
import { PostgresEventStore } from '@crm/event-store-postgres';
import { customerActivityProjection, CustomerActivity, testRegistry } from './testing';
import { Relay, SqlCheckpointStore, toIntegrationEvent } from '@crm/relay';
import { PgliteSession } from '@crm/sql-clients';
import { DataSource } from 'typeorm';
import { ProjectionRunner } from './projection-runner';

// The whole path on the embedded adapters: store → relay → in-process bus → projection → read model.
describe('event store → relay → bus → projection (PGlite + in-process bus)', () => {
  let session: PgliteSession;
  let store: PostgresEventStore;
  let ds: DataSource;
  const registry = testRegistry();

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

  async function writeNotes(customers: string[], perCustomer: number): Promise<void> {
    for (let seq = 0; seq < perCustomer; seq++) {
      for (const customerId of customers) {
        await store.appendToStream(`customer-${customerId}`, [
          { id: randomUUID(), type: 'CustomerNoted', data: { customerId, seq, note: `note ${seq}` }, metadata: testMetadata(), schemaVersion: 1 },
        ]);
      }
    }
  }

  it('applies every event exactly once, survives redelivery, and equals a rebuild from position zero', async () => {
    const customers = Array.from({ length: 5 }, () => randomUUID());
    await writeNotes(customers, 8);
    // An event no one has registered as an integration event stays private to its service.
    await store.appendToStream('private-1', [{ id: randomUUID(), type: 'InternalThing', data: { customerId: customers[0] }, metadata: testMetadata() }]);

    const bus = new InProcessBus(registry, { partitions: 3 });
    const checkpoints = new SqlCheckpointStore(session.sqlClient());
    await checkpoints.migrate();
    const relay = new Relay(store, bus, checkpoints, registry);
    const runner = new ProjectionRunner(ds, customerActivityProjection());
    await runner.migrate();
    // Subscribed the way `runner.start(bus)` does, but recording each outcome.
    const outcomes: string[] = [];
    const sub = await bus.subscribe({ group: runner.group, dedupe: false, handler: async (e) => void outcomes.push(await runner.apply(e)) });
    relay.start();
    await writeNotes(customers, 4); // more while everything runs

    await waitFor(async () => (await runner.status())?.eventsApplied === 60, 30000, 'projection to apply 60 events');
    await relay.stop();

    // Redeliver everything: the relay starts over from position zero under a fresh checkpoint name.
    const replayRelay = new Relay(store, bus, checkpoints, registry, { name: 'replay' });
    await replayRelay.drain();
    const before = await ds.getRepository(CustomerActivity).find({ order: { customerId: 'ASC' } });
    // The consumer sees all 60 again; every one must be recognised and skipped.
    await waitFor(() => outcomes.length === 120, 20000, 'the redelivered events');
    await sub.stop();
    expect(outcomes.filter((o) => o === 'applied')).toHaveLength(60);
    expect(outcomes.slice(60).every((o) => o === 'duplicate')).toBe(true);
    const after = await ds.getRepository(CustomerActivity).find({ order: { customerId: 'ASC' } });
    expect(after).toEqual(before);
    expect(after).toHaveLength(5);
    for (const row of after) {
      expect(row.events).toBe(12);
      expect(row.seqSum).toBe(String((7 * 8) / 2 + (3 * 4) / 2)); // 0..7 then 0..3
    }
    expect((await runner.status())?.eventsApplied).toBe(60);

    const rebuilt = await runner.rebuild(store, registry, toIntegrationEvent);
    expect(rebuilt).toBe(60);
    expect(await ds.getRepository(CustomerActivity).find({ order: { customerId: 'ASC' } })).toEqual(after);
    await bus.close();
  });

  it('a store-following projection resumes from the checkpoint written with its change', async () => {
    const customers = [randomUUID(), randomUUID()];
    const projection = customerActivityProjection('store-follower');
    const runner = new ProjectionRunner(ds, projection);
    await runner.migrate();
    await ds.getRepository(CustomerActivity).clear();
    await writeNotes(customers, 3);
    await runner.startFromStore(store, registry, toIntegrationEvent);
    await waitFor(
      async () => (await ds.getRepository(CustomerActivity).findBy(customers.map((customerId) => ({ customerId })))).length === 2,
      20000,
      'first pass',
    );
    await waitFor(async () => (await ds.getRepository(CustomerActivity).findOneBy({ customerId: customers[1] }))?.events === 3, 20000, 'all 3');
    await runner.stop();
    await writeNotes(customers, 2);
    await runner.startFromStore(store, registry, toIntegrationEvent);
    await waitFor(async () => (await ds.getRepository(CustomerActivity).findOneBy({ customerId: customers[1] }))?.events === 5, 20000, 'resume');
    await runner.stop();
    const rows = await ds.getRepository(CustomerActivity).findBy(customers.map((customerId) => ({ customerId })));
    expect(rows.map((r) => r.events)).toEqual([5, 5]);
  });
});
