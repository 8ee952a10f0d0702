import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { testMetadata, waitFor } from '@crm/event-store/testing';
import { PostgresEventStore } from '@crm/event-store-postgres';
import { CustomerActivity, customerActivityProjection, testRegistry } from './testing';
import { toIntegrationEvent } from '@crm/relay';
import { PgSqlClient } from '@crm/sql-clients';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { ProjectionRunner } from './projection-runner';
import { WorkerProcess } from './testing/fault/processes';

const url = process.env.DATABASE_URL;
const brokers = process.env.KAFKA_BROKERS;
if (!url || !brokers) throw new Error('DATABASE_URL and KAFKA_BROKERS must be set: run with `npm run test:infra`');

const run = randomUUID().replace(/-/g, '').slice(0, 10);
const schemas = { store: `fault_es_${run}`, platform: `fault_pl_${run}`, readModel: `fault_rm_${run}`, replay: `fault_replay_${run}` };
const env = {
  CRM_MODE: 'distributed',
  CRM_DATABASE_URL: url,
  CRM_KAFKA_BROKERS: brokers,
  CRM_KAFKA_TOPIC: `crm.fault.${run}`,
  CRM_KAFKA_PARTITIONS: '4',
  CRM_EVENT_STORE_SCHEMA: schemas.store,
  CRM_PLATFORM_SCHEMA: schemas.platform,
  FAULT_READ_MODEL_SCHEMA: schemas.readModel,
};
const logDir = path.resolve(__dirname, '../../../../.local/test-logs');
const relay = new WorkerProcess('libs/app/projections/src/testing/fault/relay.worker.ts', env, path.join(logDir, `fault-relay-${run}.log`));
const consumer = new WorkerProcess('libs/app/projections/src/testing/fault/consumer.worker.ts', env, path.join(logDir, `fault-consumer-${run}.log`));

describe('fault tolerance with real process kills (PostgreSQL + Kafka)', () => {
  let db: Client;
  let store: PostgresEventStore;

  beforeAll(async () => {
    db = new Client({ connectionString: url });
    await db.connect();
    for (const s of Object.values(schemas)) await db.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    store = new PostgresEventStore(new PgSqlClient(url), { schema: schemas.store });
    await store.migrate();
  });

  afterAll(async () => {
    await relay.kill();
    await consumer.kill();
    await store?.close();
    for (const s of Object.values(schemas)) await db.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
    await db.end();
  });

  const applied = async (): Promise<number> => {
    const r = await db
      .query(`SELECT events_applied::int AS n FROM ${schemas.platform}.projection_checkpoints WHERE projection = $1`, ['test-customer-activity'])
      .catch(() => ({ rows: [] }));
    return (r.rows[0] as { n: number } | undefined)?.n ?? 0;
  };
  const relayed = async (): Promise<boolean> => {
    const r = await db.query(`SELECT 1 FROM ${schemas.platform}.checkpoints WHERE name = 'relay'`).catch(() => ({ rows: [] }));
    return r.rows.length > 0;
  };

  it('after SIGKILL of the relay and of a consumer mid-stream, the read model equals a fresh replay: nothing lost, nothing applied twice', async () => {
    const customers = Array.from({ length: 40 }, () => randomUUID());
    let written = 0;
    let writing = true;
    const expectedSeqSum = new Map<string, bigint>();

    // The writer keeps going until every kill and restart has happened, however fast or slow this
    // machine is: no step below assumes how far the writer got in a given time.
    const writer = (async () => {
      for (let i = 0; writing || i % customers.length !== 0; i++) {
        const customerId = customers[i % customers.length];
        const seq = Math.floor(i / customers.length);
        await store.appendToStream(`customer-${customerId}`, [
          { id: randomUUID(), type: 'CustomerNoted', data: { customerId, seq, note: `n${i}` }, metadata: testMetadata(), schemaVersion: 1 },
        ]);
        expectedSeqSum.set(customerId, (expectedSeqSum.get(customerId) ?? 0n) + BigInt(seq));
        written++;
        if (i % 10 === 0) await new Promise((r) => setTimeout(r, 20)); // a steady stream
      }
    })();

    relay.start();
    consumer.start();

    // Relay killed once it has published and checkpointed some, while events keep coming.
    await waitFor(relayed, 60000, 'the relay to checkpoint');
    await waitFor(async () => (await applied()) > 0, 90000, 'the consumer to apply events');
    await relay.kill();
    const atRelayKill = written;
    await waitFor(() => written > atRelayKill + 200, 60000, 'more events while the relay is down');
    relay.start();

    // Consumer killed mid-stream, after applying some more.
    const before = await applied();
    await waitFor(async () => (await applied()) > before + 100, 90000, 'the consumer to make progress');
    await consumer.kill();
    const atConsumerKill = written;
    await waitFor(() => written > atConsumerKill + 200, 60000, 'more events while the consumer is down');
    consumer.start();

    // And the relay once more, this time while the consumer is catching up.
    const atSecondKill = await applied();
    await waitFor(async () => (await applied()) > atSecondKill, 90000, 'the restarted consumer to apply');
    await relay.kill();
    relay.start();
    const afterKills = written;
    await waitFor(() => written > afterKills + 200, 60000, 'events after the last restart');

    writing = false;
    await writer;
    const total = written;
    expect(total % customers.length).toBe(0);
    await waitFor(async () => (await applied()) === total, 180000, `all ${total} events applied`);

    // The read model the killed processes built…
    const live = await db.query(`SELECT customer_id::text, events, seq_sum::text FROM ${schemas.readModel}.test_customer_activity ORDER BY customer_id`);
    // …equals a fresh replay of the store into an empty schema.
    const replay = new DataSource({ type: 'postgres', url, schema: schemas.replay, entities: [CustomerActivity], synchronize: true });
    await replay.initialize();
    try {
      const runner = new ProjectionRunner(replay, customerActivityProjection(), { schema: schemas.replay });
      await runner.migrate();
      expect(await runner.rebuild(store, testRegistry(), toIntegrationEvent)).toBe(total);
    } finally {
      await replay.destroy();
    }
    const fresh = await db.query(`SELECT customer_id::text, events, seq_sum::text FROM ${schemas.replay}.test_customer_activity ORDER BY customer_id`);
    expect(live.rows).toEqual(fresh.rows);

    expect(live.rows).toHaveLength(customers.length);
    for (const row of live.rows as { customer_id: string; events: number; seq_sum: string }[]) {
      expect(row.events).toBe(total / customers.length);
      expect(row.seq_sum).toBe(String(expectedSeqSum.get(row.customer_id)));
    }
    const dedupe = await db.query(`SELECT count(*)::int AS n FROM ${schemas.platform}.projection_dedupe`);
    expect(dedupe.rows[0].n).toBe(total);
    const parked = await db.query(`SELECT count(*)::int AS n FROM ${schemas.platform}.parked_events`);
    expect(parked.rows[0].n).toBe(0);
  });
});
