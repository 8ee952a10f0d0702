import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { waitFor } from '@crm/event-store/testing';
import { PostgresEventStore } from '@crm/event-store-postgres';
import { freePorts, waitForProcesses, WorkerProcess } from '@crm/projections/testing';
import { PgSqlClient } from '@crm/sql-clients';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { customerRegistered, distributedRun } from './distributed-run';

// SIGTERM to a service whose read models consume Kafka, under a stream of events (distributed:
// PostgreSQL + Kafka, the relay as its own process): the consumer finishes its batch, commits and
// leaves the group, so at exit the group's committed offsets equal what the read models applied —
// a restarted (or rebalanced) consumer gets nothing again. A SIGKILL, by contrast, re-delivers
// whatever was applied after the last commit.
const { run, schemas, topic, dataDir, env, logDir, databaseUrl: url, brokers } = distributedRun('cshut', { CRM_SHUTDOWN_DELAY_MS: '200' });
const group = 'read-models.sales';

describe('SIGTERM to a consuming service: committed offsets = applied events (PostgreSQL + Kafka)', () => {
  let db: Client;
  let store: PostgresEventStore;
  let relay: WorkerProcess;
  let sales: WorkerProcess;
  let salesUrl: string;
  const kafka = new Kafka({ brokers: brokers.split(','), clientId: 'crm-cshut-check', logLevel: logLevel.NOTHING });

  beforeAll(async () => {
    db = new Client({ connectionString: url });
    await db.connect();
    store = new PostgresEventStore(new PgSqlClient(url), { schema: schemas.store });
    await store.migrate();
    const [relayPort, salesPort] = await freePorts(2);
    salesUrl = `http://127.0.0.1:${salesPort}`;
    relay = new WorkerProcess('tools/relay.ts', { ...env, CRM_HTTP_PORT: String(relayPort) }, path.join(logDir, `consumer-shutdown-${run}-relay.log`));
    sales = new WorkerProcess(
      'services/sales/src/main.ts',
      { ...env, CRM_HTTP_PORT: String(salesPort) },
      path.join(logDir, `consumer-shutdown-${run}-sales.log`),
    );
  });

  afterAll(async () => {
    await relay?.kill();
    await sales?.kill();
    const admin = kafka.admin();
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => t.includes(run));
    if (topics.length) await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
    await store?.close();
    for (const s of Object.values(schemas)) await db.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
    await db.end();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const register = async (i: number): Promise<void> => {
    const customerId = randomUUID();
    await store.appendToStream(`customer-${customerId}`, [customerRegistered(`c${i}`, customerId)]);
  };
  /** Events the sales customer directory applied (its checkpoint row in this run's platform schema). */
  const applied = async (): Promise<number> => {
    const r = await db
      .query<{ n: number }>(`SELECT events_applied::int AS n FROM ${schemas.platform}.checkpoints WHERE name = 'sales.customer-directory'`)
      .catch(() => ({ rows: [] as { n: number }[] }));
    return r.rows[0]?.n ?? 0;
  };
  /** What the group committed on this run's topic: the next offset per partition, summed (the topic starts at 0). */
  const committed = async (): Promise<number> => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
      return (offsets?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
    } finally {
      await admin.disconnect();
    }
  };

  it('exits 0 after committing exactly what it applied; the restarted service applies only the rest', async () => {
    relay.start();
    sales.start();
    await waitForProcesses(
      [relay, sales],
      async () =>
        fetch(`${salesUrl}/health/ready`).then(
          (r) => r.ok,
          () => false,
        ),
      180000,
      'sales ready',
    );

    let written = 0;
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        await register(i);
        written++;
        if (i % 5 === 0) await new Promise((r) => setTimeout(r, 10)); // a steady stream
      }
    })();
    await waitFor(async () => (await applied()) > 100, 120000, 'the read models applying events');

    // SIGTERM mid-stream: the writer and the relay go on.
    const { code, signal } = await sales.terminate();
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    const appliedAtExit = await applied();
    expect(await committed()).toBe(appliedAtExit);

    const atExit = written;
    await waitFor(() => written > atExit + 50, 60000, 'more events while sales is down');
    writing = false;
    await writer;

    // Restarted, it applies the rest: every event once (the directory counts each applied event).
    sales.start();
    await waitForProcesses([sales], async () => (await applied()) === written, 180000, `all ${written} events applied after the restart`);
    const rows = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${schemas.platform}.projection_dedupe WHERE projection = 'sales.customer-directory'`,
    );
    expect(rows.rows[0].n).toBe(written);
  }, 600000);
});
