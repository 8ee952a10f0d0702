import fs from 'node:fs';
import path from 'node:path';
import type { IntegrationEvent } from '@crm/bus';
import { KafkaBus } from '@crm/bus-kafka';
import { crmRegistry } from '@crm/contracts';
import { parsePosition, comparePositions } from '@crm/event-store';
import { waitFor } from '@crm/event-store/testing';
import { PostgresEventStore } from '@crm/event-store-postgres';
import { freePorts, waitForProcesses, WorkerProcess } from '@crm/projections/testing';
import { PgSqlClient } from '@crm/sql-clients';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { customerRegistered, distributedRun } from './distributed-run';

// Two relay processes of one event store (tools/relay.ts, distributed settings): the lease
// `relay:<store schema>` lets one publish while the other waits in standby; after kill -9 of the
// active one, the standby takes over. Every event reaches Kafka; at-least-once means an event may be
// published twice, but only one the killed relay had published without checkpointing yet (after
// its last checkpoint: the page in flight).
const { run, schemas, topic, env, logDir, databaseUrl: url, brokers } = distributedRun('lease');

interface Probe {
  status: number;
  state?: string;
}
const probe = (u: string): Promise<Probe> =>
  fetch(u).then(
    async (r) => ({ status: r.status, state: ((await r.json()) as { relay?: { state?: string } }).relay?.state }),
    () => ({ status: 0 }),
  );

describe('relay lease: one publishes, the standby takes over after kill -9 (PostgreSQL + Kafka)', () => {
  let db: Client;
  let store: PostgresEventStore;
  let bus: KafkaBus;
  let relays: { process: WorkerProcess; url: string }[] = [];

  beforeAll(async () => {
    db = new Client({ connectionString: url });
    await db.connect();
    store = new PostgresEventStore(new PgSqlClient(url), { schema: schemas.store });
    await store.migrate();
    const ports = await freePorts(2);
    relays = ports.map((port, i) => ({
      process: new WorkerProcess(
        'tools/relay.ts',
        // info: the relays' state changes (standby, catching-up, live) are log lines the spec reads back
        { ...env, CRM_LOG_LEVEL: 'info', CRM_LOG_FORMAT: 'json', CRM_HTTP_PORT: String(port) },
        path.join(logDir, `relay-lease-${run}-${i}.log`),
      ),
      url: `http://127.0.0.1:${port}`,
    }));
    bus = new KafkaBus(crmRegistry(), {
      brokers: brokers.split(','),
      clientId: 'crm-lease-check',
      topic,
      partitions: 3,
      maxWaitTimeInMs: 250,
      logLevel: logLevel.NOTHING,
    });
  });

  afterAll(async () => {
    for (const r of relays) await r.process.kill();
    await bus?.close();
    const admin = new Kafka({ brokers: brokers.split(','), clientId: 'crm-lease-cleanup', logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => t.includes(run));
    if (topics.length) await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
    await store?.close();
    for (const s of Object.values(schemas)) await db.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
    await db.end();
  });

  const register = async (i: number): Promise<string> => {
    const event = customerRegistered(`c${i}`);
    await store.appendToStream(`customer-${(event.data as { customerId: string }).customerId}`, [event]);
    return event.id;
  };

  it('every event reaches Kafka across a takeover; duplicates only from the killed relay’s unacknowledged page', async () => {
    const [first, second] = relays;
    first.process.start();
    await waitForProcesses([first.process], async () => (await probe(`${first.url}/health/ready`)).status === 200, 180000, 'the first relay live');
    second.process.start();
    await waitForProcesses(
      relays.map((r) => r.process),
      async () => (await probe(`${second.url}/health/ready`)).state === 'standby',
      180000,
      'the second relay in standby',
    );
    expect(await probe(`${second.url}/health/ready`)).toEqual({ status: 503, state: 'standby' });
    expect((await probe(`${second.url}/health`)).status).toBe(200);

    // Every copy Kafka delivers, duplicates included (no consumer-side dedupe here).
    const delivered: IntegrationEvent[] = [];
    const subscription = await bus.subscribe({ group: `lease-check-${run}`, fromBeginning: true, dedupe: false, handler: async (e) => void delivered.push(e) });

    const written: string[] = [];
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        written.push(await register(i));
        if (i % 5 === 0) await new Promise((r) => setTimeout(r, 10)); // a steady stream
      }
    })();

    const checkpoint = async (): Promise<string | undefined> => {
      const r = await db.query<{ position: string }>(`SELECT position FROM ${schemas.platform}.checkpoints WHERE name = 'relay'`).catch(() => ({ rows: [] }));
      return r.rows[0]?.position;
    };
    await waitFor(async () => new Set(delivered.map((e) => e.id)).size > 50, 120000, 'events flowing through the first relay');
    expect((await probe(`${second.url}/health/ready`)).state).toBe('standby');

    await first.process.kill();
    // What the killed relay had acknowledged: anything after it may come twice, nothing before it.
    const killedAt = await checkpoint();
    const atKill = written.length;
    await waitFor(() => written.length > atKill + 50, 60000, 'more events after the kill');
    await waitForProcesses([second.process], async () => (await probe(`${second.url}/health/ready`)).status === 200, 120000, 'the standby to take over');
    writing = false;
    await writer;

    await waitFor(async () => new Set(delivered.map((e) => e.id)).size === written.length, 120000, `all ${written.length} events in Kafka`);
    await subscription.stop();
    expect(new Set(delivered.map((e) => e.id))).toEqual(new Set(written));
    const seen = new Map<string, number>();
    for (const e of delivered) seen.set(e.id, (seen.get(e.id) ?? 0) + 1);
    const twice = delivered.filter((e, i) => seen.get(e.id)! > 1 && delivered.findIndex((d) => d.id === e.id) === i);
    for (const e of twice) {
      expect(killedAt === undefined || comparePositions(parsePosition(String(e.position)), parsePosition(killedAt)) > 0).toBe(true);
    }
    expect(await probe(`${second.url}/health/ready`)).toMatchObject({ status: 200 });
    // Its log tells the operator when it waited and when it took over: one JSON line per state change
    // (looked at every 500 ms, so the line may follow the readiness by that much).
    const states = () =>
      fs
        .readFileSync(second.process.logFile, 'utf8')
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => (JSON.parse(line) as { to?: string }).to)
        .filter((to) => to !== undefined);
    await waitFor(
      () =>
        states()
          .slice(states().indexOf('standby') + 1)
          .includes('live'),
      10000,
      'the standby to log that it went live',
    );
    expect(states()).toContain('standby');
  }, 600000);
});
