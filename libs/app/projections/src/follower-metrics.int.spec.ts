import { randomUUID } from 'node:crypto';
import type { IntegrationEvent } from '@crm/bus';
import { InProcessBus } from '@crm/bus-in-process';
import { testMetadata, waitFor } from '@crm/event-store/testing';
import { PostgresEventStore } from '@crm/event-store-postgres';
import { Relay, RelayMetrics, SqlCheckpointStore, toIntegrationEvent } from '@crm/relay';
import { PgliteSession } from '@crm/sql-clients';
import { DataSource, type EntityManager } from 'typeorm';
import { ProjectionRunner, type ParkedReasonClass } from './projection-runner';
import { CustomerActivity, customerActivityProjection, testRegistry, type CustomerNoted } from './testing';

// Issue 15 §1: what the store's followers report to Prometheus — the relay's lag, published, parked
// and failed publications, and a projection runner's applied and parked (dead-letter) events by a
// bounded reason class — on PGlite with the in-process bus.
describe('follower metrics (relay, projection runner; PGlite)', () => {
  let session: PgliteSession;
  let store: PostgresEventStore;
  let ds: DataSource;
  const registry = testRegistry();

  // One in-memory database (opening one is the slow part); each case has a store and bookkeeping
  // schema of its own, so it sees only its own events.
  let n = 0;
  let schema: string;
  beforeAll(async () => {
    session = await PgliteSession.open();
    ds = new DataSource({ type: 'postgres', driver: session.pgDriver(), entities: [CustomerActivity], synchronize: true });
    await ds.initialize();
  });
  beforeEach(async () => {
    schema = `case_${++n}`;
    store = new PostgresEventStore(session.sqlClient(), { schema: `${schema}_es` });
    await store.migrate();
  });
  afterAll(async () => {
    await ds.destroy();
    await session.close();
  });

  const note = (customerId: string, seq: number, data: Record<string, unknown> = {}) =>
    store.appendToStream(`customer-${customerId}`, [
      { id: randomUUID(), type: 'CustomerNoted', data: { customerId, seq, note: `n${seq}`, ...data }, metadata: testMetadata(), schemaVersion: 1 },
    ]);
  const value = async (metrics: RelayMetrics, name: string, labels: Record<string, string> = {}) =>
    (await metrics.registry.getSingleMetric(name)!.get()).values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value ?? 0;

  it('relay: lag counts the stored events after its checkpoint and returns to 0 once published; published and parked are counted, by reason class', async () => {
    const sql = session.sqlClient();
    const checkpoints = new SqlCheckpointStore(sql, schema);
    await checkpoints.migrate();
    const bus = new InProcessBus(registry, { partitions: 1 });
    const metrics = new RelayMetrics({ lag: () => relay.lag(), processMetrics: false });
    const relay: Relay = new Relay(store, bus, checkpoints, registry, { metrics, parking: { sql, schema } });
    await relay.migrate();
    const poisoned = randomUUID();
    const healthy = randomUUID();
    await note(healthy, 0);
    await note(poisoned, 0, { seq: -1 }); // breaks CustomerNotedV1: parked
    await note(poisoned, 1); // waits behind it: parked too
    await note(healthy, 1);

    expect(await value(metrics, 'crm_relay_lag_events')).toBe(4);
    expect(await metrics.registry.metrics()).toContain('crm_relay_lag_events{service="relay"} 4');
    await relay.drain();
    expect(await value(metrics, 'crm_relay_lag_events')).toBe(0);
    expect(await value(metrics, 'crm_relay_published_events_total')).toBe(2);
    expect(await value(metrics, 'crm_relay_parked_events_total', { reason: 'contract' })).toBe(1);
    expect(await value(metrics, 'crm_relay_parked_events_total', { reason: 'waiting' })).toBe(1);
    expect(await value(metrics, 'crm_relay_publish_failures_total')).toBe(0);

    await note(healthy, 2);
    expect(await value(metrics, 'crm_relay_lag_events')).toBe(1);
    await bus.close();
  });

  it('relay: a failed publication is counted, and the retry that succeeds publishes the page once', async () => {
    const checkpoints = new SqlCheckpointStore(session.sqlClient(), schema);
    await checkpoints.migrate();
    const inner = new InProcessBus(registry, { partitions: 1 });
    let failures = 1;
    const flaky = Object.assign(Object.create(inner) as InProcessBus, {
      publish: (events: readonly IntegrationEvent[]) => (failures-- > 0 ? Promise.reject(new Error('broker unavailable')) : inner.publish(events)),
    });
    const metrics = new RelayMetrics({ lag: () => relay.lag(), processMetrics: false });
    const relay: Relay = new Relay(store, flaky, checkpoints, registry, { metrics, retry: { initialBackoffMs: 1, maxBackoffMs: 1 }, onRetry: () => undefined });
    await note(randomUUID(), 0);
    relay.start();
    await waitFor(async () => (await value(metrics, 'crm_relay_lag_events')) === 0, 20000, 'the relay to publish after its retry');
    await relay.stop();
    expect(await value(metrics, 'crm_relay_publish_failures_total')).toBe(1);
    expect(await value(metrics, 'crm_relay_published_events_total')).toBe(1);
    await inner.close();
  });

  it('projection runner: reports what each committed transaction applied and parked, by projection and reason class', async () => {
    const applied = new Map<string, number>();
    const parked = new Map<string, number>();
    const metrics = {
      applied: (projection: string, n: number) => applied.set(projection, (applied.get(projection) ?? 0) + n),
      parked: (projection: string, reason: ParkedReasonClass, n: number) =>
        parked.set(`${projection}/${reason}`, (parked.get(`${projection}/${reason}`) ?? 0) + n),
    };
    const inner = customerActivityProjection('measured');
    // Cannot apply a note 'explode': parked as apply-failed, after its batch is retried one by one.
    const projection = {
      ...inner,
      async apply(event: CustomerNoted, manager: EntityManager) {
        if (event.data.note === 'explode') throw new TypeError('cannot apply');
        await inner.apply(event, manager);
      },
    };
    const a = randomUUID();
    const b = randomUUID();
    const c = randomUUID();
    await note(a, 0);
    await note(b, 0, { seq: -1 }); // breaks its contract
    await note(b, 1); // waits behind it
    await note(c, 0, { note: 'explode' });
    await note(a, 1);
    const runner = new ProjectionRunner(ds, projection, { schema, metrics, logger: { warn: () => undefined, error: () => undefined } });
    await runner.migrate();
    await runner.startFromStore(store, registry, toIntegrationEvent);
    await waitFor(() => (applied.get('measured') ?? 0) === 2 && parked.size === 3, 20000, 'the runner to apply and park every event');
    expect(Object.fromEntries(parked)).toEqual({ 'measured/contract': 1, 'measured/waiting': 1, 'measured/apply-failed': 1 });
    await runner.stop();
  });
});
