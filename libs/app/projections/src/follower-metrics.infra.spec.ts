import { randomUUID } from 'node:crypto';
import { KafkaBus } from '@crm/bus-kafka';
import { testMetadata, waitFor } from '@crm/event-store/testing';
import { PostgresEventStore } from '@crm/event-store-postgres';
import { Relay, RelayMetrics, SqlCheckpointStore } from '@crm/relay';
import { PgSqlClient } from '@crm/sql-clients';
import { Client } from 'pg';
import { testRegistry } from './testing';

const url = process.env.DATABASE_URL;
const brokers = process.env.KAFKA_BROKERS;
if (!url || !brokers) throw new Error('DATABASE_URL and KAFKA_BROKERS must be set: run with `npm run test:infra`');

const run = randomUUID().replace(/-/g, '').slice(0, 10);
const schemas = { store: `metrics_es_${run}`, platform: `metrics_pl_${run}` };

// Issue 15 §1 against real servers: the relay's lag (store head − its checkpoint) and a consumer
// group's lag on Kafka (high watermark − committed offset) grow while nobody follows, and return to 0.
describe('relay lag and consumer lag (PostgreSQL + Kafka)', () => {
  let db: Client;
  let store: PostgresEventStore;
  let sql: PgSqlClient;
  let bus: KafkaBus;
  const registry = testRegistry();

  beforeAll(async () => {
    db = new Client({ connectionString: url });
    await db.connect();
    for (const s of Object.values(schemas)) await db.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    store = new PostgresEventStore(new PgSqlClient(url), { schema: schemas.store });
    await store.migrate();
    sql = new PgSqlClient(url);
    bus = new KafkaBus(registry, { brokers: brokers.split(','), clientId: `metrics-${run}`, topic: `crm.metrics.${run}`, partitions: 3, maxWaitTimeInMs: 200 });
  });
  afterAll(async () => {
    await bus?.close();
    await store?.close();
    await sql?.close();
    for (const s of Object.values(schemas)) await db.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
    await db.end();
  });

  it('lag grows with the relay stopped and returns to 0 once it runs; a consumer group lags by what it has not committed', async () => {
    const checkpoints = new SqlCheckpointStore(sql, schemas.platform);
    await checkpoints.migrate();
    const metrics = new RelayMetrics({ lag: () => relay.lag(), processMetrics: false });
    const relay: Relay = new Relay(store, bus, checkpoints, registry, { metrics, parking: { sql, schema: schemas.platform } });
    await relay.migrate();
    const lag = async () => (await metrics.registry.getSingleMetric('crm_relay_lag_events')!.get()).values[0]?.value;

    const customers = Array.from({ length: 6 }, () => randomUUID());
    for (const [seq, customerId] of customers.entries())
      await store.appendToStream(`customer-${customerId}`, [
        { id: randomUUID(), type: 'CustomerNoted', data: { customerId, seq, note: `n${seq}` }, metadata: testMetadata(), schemaVersion: 1 },
      ]);
    expect(await lag()).toBe(6);

    relay.start();
    await waitFor(async () => (await lag()) === 0, 30000, 'the relay lag to return to 0');
    await relay.stop();
    expect((await metrics.registry.getSingleMetric('crm_relay_published_events_total')!.get()).values[0]?.value).toBe(6);

    // A group that has consumed nothing lags by everything on the topic; it returns to 0 once it committed.
    const group = `metrics-group-${run}`;
    expect(await bus.consumerLag(group)).toBe(6);
    const seen = new Set<string>();
    const subscription = await bus.subscribeBatch({
      group,
      handleBatch: async (events) => {
        for (const e of events) seen.add(e.id);
      },
    });
    try {
      await waitFor(async () => seen.size === 6 && (await bus.consumerLag(group)) === 0, 60000, 'the consumer group to commit everything (lag 0)');
    } finally {
      await subscription.stop();
    }
  });
});
