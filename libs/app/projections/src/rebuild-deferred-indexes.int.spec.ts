import { randomUUID } from 'node:crypto';
import { testMetadata } from '@crm/event-store/testing';
import { PostgresEventStore } from '@crm/event-store-postgres';
import type { EventStore } from '@crm/event-store';
import { toIntegrationEvent } from '@crm/relay';
import { PgliteSession } from '@crm/sql-clients';
import { DataSource, type EntityManager } from 'typeorm';
import { customerActivityProjection, CustomerActivity, CustomerNotedV1, testRegistry, type CustomerNoted } from './testing';
import { ProjectionRunner } from './projection-runner';
import type { Projection } from './projection';

// Issue 7: a full rebuild fills emptied tables, so the indexes only reads use are dropped with the
// emptying and created once at the end (one sort instead of an insert per row). Never while
// following the store, and a rebuild that fails half way still leaves them in place.
describe('ProjectionRunner.rebuild defers the indexes a projection names (PGlite)', () => {
  let session: PgliteSession;
  let store: PostgresEventStore;
  let ds: DataSource;
  const registry = testRegistry();
  const INDEX = 'test_customer_activity_by_events';
  const definition = async () =>
    ((await ds.query(`SELECT indexdef FROM pg_indexes WHERE indexname = $1`, [INDEX])) as { indexdef: string }[]).map((r) => r.indexdef);

  /** The test read model, noting at each batch whether the deferred index exists. */
  function deferring(seen: boolean[], neededBy?: CustomerNoted['type'][]): Projection<CustomerNoted> {
    const base = customerActivityProjection('deferring');
    return {
      ...base,
      handles: ['CustomerNoted', 'CustomerForgotten' as CustomerNoted['type']],
      rebuildDeferredIndexes: { indexes: [INDEX], neededBy },
      async apply(event: CustomerNoted, manager: EntityManager) {
        seen.push(((await manager.query(`SELECT 1 FROM pg_indexes WHERE indexname = $1`, [INDEX])) as unknown[]).length === 1);
        await base.apply(event, manager);
      },
    };
  }

  beforeAll(async () => {
    session = await PgliteSession.open();
    store = new PostgresEventStore(session.sqlClient());
    await store.migrate();
    ds = new DataSource({ type: 'postgres', driver: session.pgDriver(), entities: [CustomerActivity], synchronize: true });
    await ds.initialize();
    await ds.query(`CREATE INDEX ${INDEX} ON test_customer_activity (events DESC, customer_id) WHERE events > 0`);
    for (let seq = 0; seq < 5; seq++) {
      for (const customerId of [randomUUID(), randomUUID(), randomUUID()]) {
        await store.appendToStream(`customer-${customerId}`, [
          { id: randomUUID(), type: 'CustomerNoted', data: { customerId, seq, note: `note ${seq}` }, metadata: testMetadata(), schemaVersion: 1 },
        ]);
      }
    }
  });
  afterAll(async () => {
    await ds.destroy();
    await session.close();
  });

  it('applies every event without the index, creates it again as it was, and rebuilds the same rows', async () => {
    const before = await definition();
    expect(before).toHaveLength(1);
    const seen: boolean[] = [];
    const runner = new ProjectionRunner(ds, deferring(seen), { rebuildBatchSize: 4 });
    await runner.migrate();

    expect(await runner.rebuild(store, registry, toIntegrationEvent)).toBe(15);
    expect(seen).toHaveLength(15);
    expect(seen.every((exists) => !exists)).toBe(true);
    expect(await definition()).toEqual(before);
    const deferred = await ds.getRepository(CustomerActivity).find({ order: { customerId: 'ASC' } });

    seen.length = 0;
    expect(await runner.rebuild(store, registry, toIntegrationEvent, { deferIndexes: false })).toBe(15);
    expect(seen.every((exists) => exists)).toBe(true);
    expect(await ds.getRepository(CustomerActivity).find({ order: { customerId: 'ASC' } })).toEqual(deferred);
    expect(deferred).toHaveLength(15);
  });

  it('following the store never drops it', async () => {
    const seen: boolean[] = [];
    const runner = new ProjectionRunner(ds, deferring(seen));
    await runner.migrate();
    await runner.reset();
    await runner.startFromStore(store, registry, toIntegrationEvent);
    for (let i = 0; i < 200 && seen.length < 15; i++) await new Promise((r) => setTimeout(r, 25));
    await runner.stop();
    expect(seen).toHaveLength(15);
    expect(seen.every((exists) => exists)).toBe(true);
  });

  it('a rebuild that fails half way creates the index again before it reports the failure', async () => {
    const before = await definition();
    let pages = 0;
    const failing: EventStore = Object.create(store, {
      readAll: {
        value: (options: Parameters<EventStore['readAll']>[0]) => {
          if (++pages === 2) return Promise.reject(new Error('connection terminated unexpectedly'));
          return store.readAll(options);
        },
      },
    }) as EventStore;
    const runner = new ProjectionRunner(ds, deferring([]), { rebuildBatchSize: 4, logger: { warn: () => undefined, error: () => undefined } });
    await runner.migrate();
    await expect(runner.rebuild(failing, registry, toIntegrationEvent)).rejects.toThrow('connection terminated unexpectedly');
    expect(await definition()).toEqual(before);
  });

  it('creates it before the first page holding an event whose apply reads by it', async () => {
    // Events 16 and 17 are of a kind that needs the index; pages of 4: the fourth holds event 16.
    for (const customerId of [randomUUID(), randomUUID()]) {
      await store.appendToStream(`customer-${customerId}`, [
        { id: randomUUID(), type: 'CustomerForgotten', data: { customerId, seq: 0, note: 'forgotten' }, metadata: testMetadata(), schemaVersion: 1 },
      ]);
    }
    const withForgetting = testRegistry().register('CustomerForgotten', 1, CustomerNotedV1);
    const seen: boolean[] = [];
    const runner = new ProjectionRunner(ds, deferring(seen, ['CustomerForgotten' as CustomerNoted['type']]), { rebuildBatchSize: 4 });
    await runner.migrate();
    expect(await runner.rebuild(store, withForgetting, toIntegrationEvent)).toBe(17);
    expect(seen).toEqual([...Array<boolean>(12).fill(false), ...Array<boolean>(5).fill(true)]);
    expect(await definition()).toHaveLength(1);
  });
});
