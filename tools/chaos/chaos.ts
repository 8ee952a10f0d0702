/**
 * Chaos run on real PostgreSQL + Kafka (deploy/local must have started both: it kills and restarts
 * them). Drives a bounded load of events across the five services while it SIGKILLs the relay,
 * each service (each kind of consumer) and the broker, and restarts PostgreSQL once; then checks
 * that nothing was lost or applied twice, and that every read model equals a fresh replay.
 *
 *   bash deploy/local/infra.sh up
 *   DEPLOY_LOCAL_INFRA=1 DATABASE_URL=… KAFKA_BROKERS=… npm run chaos [-- --events 100000]
 *
 * It works in a database of its own (created and dropped), so it never touches other data.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readDeadLetters } from '@crm/bus-kafka';
import { crmRegistry } from '@crm/contracts';
import { type NewEvent } from '@crm/event-store';
import { PostgresEventStore } from '@crm/event-store-postgres';
import { ProjectionRunner, type ReadModelsModule } from '@crm/projections';
import { WorkerProcess } from '@crm/projections/testing';
import { toIntegrationEvent } from '@crm/relay';
import { PgSqlClient } from '@crm/sql-clients';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { localInfra } from '../e2e/local-infra';
import { customerLife, eventsPerCustomer, type Append } from './load';

export interface ChaosOptions {
  /** Events to write in all (approximately: whole customer lives). */
  events: number;
  /** Admin connection to the PostgreSQL server; the run creates its own database there. */
  databaseUrl: string;
  brokers: string[];
  log?: (line: string) => void;
}

export interface ChaosReport {
  eventsWritten: number;
  faults: string[];
  seconds: number;
  /** Per service: events each projection applied, and rows that differ from a fresh replay. */
  services: Record<string, { applied: Record<string, number>; expected: Record<string, number>; differingRows: number }>;
  parkedEvents: number;
  deadLetters: number;
  ok: boolean;
}

const SERVICES = ['sales', 'service', 'marketing', 'partner-portal', 'analytics'] as const;
type Target = 'relay' | (typeof SERVICES)[number];

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? ((line: string) => console.log(line));
  if (!localInfra.available)
    throw new Error('chaos kills and restarts the broker and PostgreSQL: run it against servers deploy/local started (DEPLOY_LOCAL_INFRA=1)');
  const started = Date.now();
  const run = randomUUID().replace(/-/g, '').slice(0, 10);
  const database = `crm_chaos_${run}`;
  const adminQuery = async (sql: string) => {
    // A connection of its own each time: the PostgreSQL restart in the middle cuts every connection.
    const admin = new Client({ connectionString: options.databaseUrl });
    admin.on('error', () => undefined);
    await admin.connect();
    try {
      await admin.query(sql);
    } finally {
      await admin.end().catch(() => undefined);
    }
  };
  await adminQuery(`CREATE DATABASE ${database}`);
  const url = withDatabase(options.databaseUrl, database);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `crm-chaos-${run}-`));
  const basePort = 44000 + Math.floor(Math.random() * 1000);
  const env = {
    CRM_MODE: 'distributed',
    CRM_DATABASE_URL: url,
    CRM_KAFKA_BROKERS: options.brokers.join(','),
    CRM_KAFKA_TOPIC: `crm.chaos.${run}`,
    CRM_KAFKA_PARTITIONS: '3',
    CRM_DATA_DIR: dataDir,
    CRM_LOG_LEVEL: 'warn',
    CRM_HTTP_HOST: '127.0.0.1',
  };
  const logDir = path.resolve(__dirname, '../../.local/test-logs');
  const port = (t: Target) => basePort + (t === 'relay' ? 9 : SERVICES.indexOf(t));
  const processes = new Map<Target, WorkerProcess>([
    ['relay', new WorkerProcess('tools/relay.ts', { ...env, CRM_HTTP_PORT: String(port('relay')) }, path.join(logDir, `chaos-${run}-relay.log`))],
    ...SERVICES.map((s): [Target, WorkerProcess] => [
      s,
      new WorkerProcess(
        `services/${s}/src/main.ts`,
        // the portal signs webhooks with a key every instance shares (required in distributed mode)
        // and no per-address rate limit: the whole load comes from this one address, by design
        { ...env, CRM_PARTNER_WEBHOOK_KEY: `chaos-partner-webhook-key-${run}-0123456789`, CRM_RATE_LIMIT_PER_MINUTE: '0', CRM_HTTP_PORT: String(port(s)) },
        path.join(logDir, `chaos-${run}-${s}.log`),
      ),
    ]),
  ]);
  const ready = async (t: Target) =>
    fetch(`http://127.0.0.1:${port(t)}/health/ready`).then(
      (r) => r.ok,
      () => false,
    );
  const waitReady = async (targets: Target[], what: string) => until(async () => (await Promise.all(targets.map(ready))).every(Boolean), 300_000, what);

  const store = new PostgresEventStore(new PgSqlClient(url), { schema: 'event_store' });
  const faults: string[] = [];
  try {
    await store.migrate();
    for (const p of processes.values()) p.start();
    await waitReady([...processes.keys()], 'relay and services to be ready');
    log(`chaos ${run}: relay and five services ready after ${Math.round((Date.now() - started) / 1000)} s`);

    // The load, cut into one chunk per fault: each fault happens while its chunk is being written,
    // whatever the speed of this machine.
    const partnerId = randomUUID();
    await appendRetrying(store, {
      stream: `partner-${partnerId}`,
      events: [plain('PartnerRegistered', { partnerId, name: 'Chaos Distribution', partnerKind: 'distributor' })],
    });
    const interactions = 4;
    const customers = Math.max(8, Math.round(options.events / eventsPerCustomer(interactions)));
    const schedule: (() => Promise<void>)[] = [
      ...(['relay', ...SERVICES] as Target[]).map((t) => () => killAndRestart(t)),
      async () => {
        faults.push('broker SIGKILL');
        localInfra.killBroker();
        await pause(3000);
        localInfra.startBroker();
      },
      async () => {
        faults.push('PostgreSQL immediate restart');
        localInfra.restartPostgres();
      },
      () => killAndRestart('relay'),
    ];
    async function killAndRestart(t: Target): Promise<void> {
      faults.push(`${t} SIGKILL`);
      const p = processes.get(t)!;
      await p.kill();
      await pause(1000);
      p.start();
    }
    let written = 0;
    let next = 0;
    const perChunk = Math.ceil(customers / schedule.length);
    for (const fault of schedule) {
      const chunk = Array.from({ length: Math.min(perChunk, customers - next) }, () => next++);
      const writing = writeCustomers(store, chunk, partnerId, interactions).then((n) => (written += n));
      // The fault strikes once part of the chunk is in, and the chunk goes on during the outage.
      await pause(500);
      await fault();
      await writing;
      log(`chaos ${run}: ${faults[faults.length - 1]} done; ${written} events written`);
    }
    await waitReady([...processes.keys()], 'everything ready after the faults');

    // Everything each projection should apply, from the store itself.
    const db = new Client({ connectionString: url });
    db.on('error', () => undefined);
    await db.connect();
    try {
      // Counted again at every look: the services' own timers (the SLA timer's warnings and breaches
      // of the load's cases, the router's offers) keep appending after the load has stopped.
      // The service's SLA timer has recorded every warning and breach that fell due, and its read
      // model has applied them (nothing left on the timer's to-do list): only then do the counts stop
      // moving, and the read model can be compared with a fresh replay without racing the timer.
      const timersIdle = async (service: string) =>
        service !== 'service' ||
        Number(
          (await db.query(`SELECT count(*)::int AS n FROM service.case_service_levels WHERE next_notice_at IS NOT NULL AND next_notice_at <= now()`)).rows[0].n,
        ) === 0;
      const storeCounts = async () =>
        new Map<string, number>(
          (await db.query(`SELECT type, count(*)::int AS n FROM event_store.events GROUP BY type`)).rows.map((r: { type: string; n: number }) => [r.type, r.n]),
        );
      const report: ChaosReport = { eventsWritten: written, faults, seconds: 0, services: {}, parkedEvents: 0, deadLetters: 0, ok: false };
      for (const service of SERVICES) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const mod = require(path.resolve(__dirname, `../../services/${service}/src/read-models.ts`)) as ReadModelsModule;
        const expectedOf = (counts: Map<string, number>) =>
          Object.fromEntries(mod.readModels.map((m) => [m.projection.name, m.projection.handles.reduce((n, t) => n + (counts.get(t) ?? 0), 0)]));
        let expected = expectedOf(await storeCounts());
        // A projection that had nothing to apply (e.g. no leads in the load) has no checkpoint row: 0.
        const applied = async () => ({
          ...Object.fromEntries(Object.keys(expected).map((name) => [name, 0])),
          ...(Object.fromEntries(
            (
              await db.query(`SELECT name AS projection, events_applied::int AS n FROM platform.checkpoints WHERE name = ANY($1::text[])`, [
                Object.keys(expected),
              ])
            ).rows.map((r: { projection: string; n: number }) => [r.projection, r.n]),
          ) as Record<string, number>),
        });
        const caughtUp = () =>
          until(
            async () => {
              if (!(await timersIdle(service))) return false;
              expected = expectedOf(await storeCounts());
              const a = await applied();
              return Object.entries(expected).every(([name, n]) => a[name] === n);
            },
            600_000,
            `${service} to apply everything`,
          ).catch(async (e: unknown) => {
            log(`chaos ${run}: ${service} applied ${JSON.stringify(await applied())} of ${JSON.stringify(expected)}`);
            // What the stuck service says of itself, so a failure can be told apart from a hang or a death.
            const p = processes.get(service as Target);
            const health = await fetch(`http://127.0.0.1:${port(service as Target)}/health/ready`, { signal: AbortSignal.timeout(5000) }).then(
              async (r) => `${r.status} ${await r.text()}`,
              (error: unknown) => `no answer: ${String(error)}`,
            );
            log(`chaos ${run}: ${service} process ${p?.running ? 'running' : 'NOT running'}; /health/ready: ${health}`);
            const parked = await db
              .query(`SELECT consumer, count(*)::int AS n, min(reason) AS reason FROM platform.parked_events GROUP BY consumer`)
              .catch(() => ({ rows: [] }));
            log(`chaos ${run}: parked events: ${JSON.stringify(parked.rows)}`);
            await explainMissing(db, options.brokers, env.CRM_KAFKA_TOPIC, `read-models.${service}`, mod, log).catch((error: unknown) =>
              log(`chaos ${run}: could not explain the missing events: ${String(error)}`),
            );
            throw e;
          });
        // The replay reads the store as it is when it runs: an event appended meanwhile (a service's
        // own timer) would be in one side and not yet in the other. Compare again if the store moved.
        const storeTotal = async () => Number((await db.query(`SELECT count(*)::int AS n FROM event_store.events`)).rows[0].n);
        let differingRows = 0;
        for (let attempt = 1; ; attempt++) {
          await caughtUp();
          const before = await storeTotal();
          differingRows = await compareWithReplay(url, db, mod, service);
          const moved = (await storeTotal()) - before;
          if (moved === 0 || attempt === 3) break;
          log(`chaos ${run}: ${service}: ${moved} events were appended during the comparison; comparing again`);
        }
        report.services[service] = { applied: await applied(), expected, differingRows };
        log(`chaos ${run}: ${service}: ${JSON.stringify(report.services[service].applied)}; rows differing from a fresh replay: ${differingRows}`);
      }
      report.parkedEvents = (await db.query(`SELECT count(*)::int AS n FROM platform.parked_events`)).rows[0].n;
      for (const service of SERVICES) {
        report.deadLetters += (
          await readDeadLetters(options.brokers, `crm.dlq.read-models.${service}`, 1, 3000, { logLevel: logLevel.NOTHING }).catch(() => [])
        ).length;
      }
      report.seconds = Math.round((Date.now() - started) / 1000);
      report.ok = report.parkedEvents === 0 && report.deadLetters === 0 && Object.values(report.services).every((s) => s.differingRows === 0);
      log(
        `chaos ${run}: ${JSON.stringify({ eventsWritten: written, faults: faults.length, parked: report.parkedEvents, deadLetters: report.deadLetters, seconds: report.seconds, ok: report.ok })}`,
      );
      return report;
    } finally {
      await db.end();
    }
  } finally {
    for (const p of processes.values()) await p.kill();
    await store.close().catch(() => undefined);
    await adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Why a service misses events: which events of its projections have no dedupe record (bus mode
 * claims one per applied event), where each one sits in the topic, and the group's committed
 * offsets against each partition's end — so a skipped range tells an offset problem from a
 * message that never reached the topic.
 */
async function explainMissing(db: Client, brokers: string[], topic: string, group: string, mod: ReadModelsModule, log: (line: string) => void): Promise<void> {
  const kafka = new Kafka({ brokers, clientId: 'crm-chaos-explain', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const committed = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    const ends = await admin.fetchTopicOffsets(topic);
    log(
      `chaos: group ${group} committed ${JSON.stringify(committed[0]?.partitions)}; topic ends ${JSON.stringify(ends.map((e) => ({ p: e.partition, high: e.high })))}`,
    );
    // Where every event sits in the topic.
    const where = new Map<string, string>();
    const consumer = kafka.consumer({ groupId: `crm-chaos-explain-${randomUUID()}`, maxWaitTimeInMs: 250 });
    const total = ends.reduce((n, e) => n + Number(e.high) - Number(e.low), 0);
    let read = 0;
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 60_000);
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          const id = message.headers?.ce_id?.toString() ?? '';
          where.set(id, `${where.has(id) ? `${where.get(id)},` : ''}${partition}@${message.offset}`);
          if (++read >= total) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    await consumer.disconnect();
    log(`chaos: read ${read} of ${total} messages of ${topic}`);
    for (const m of mod.readModels) {
      const missing = (
        await db.query(
          `SELECT e.event_id::text AS id, e.type, e.global_position::text AS position, e.stream_id AS stream FROM event_store.events e
           WHERE e.type = ANY($1::text[]) AND NOT EXISTS (SELECT 1 FROM platform.projection_dedupe d WHERE d.projection = $2 AND d.event_id = e.event_id)
           ORDER BY e.global_position`,
          [m.projection.handles, m.projection.name],
        )
      ).rows as { id: string; type: string; position: string; stream: string }[];
      if (missing.length === 0) continue;
      log(`chaos: ${m.projection.name} misses ${missing.length} events; first 20:`);
      for (const e of missing.slice(0, 20)) log(`chaos:   ${e.position} ${e.type} ${e.id} ${e.stream} in topic at ${where.get(e.id) ?? 'NOWHERE'}`);
      const partitions = new Map<string, number>();
      for (const e of missing) {
        const p = (where.get(e.id) ?? 'nowhere').split('@')[0];
        partitions.set(p, (partitions.get(p) ?? 0) + 1);
      }
      log(`chaos: ${m.projection.name} missing per partition: ${JSON.stringify(Object.fromEntries(partitions))}`);
    }
  } finally {
    await admin.disconnect();
  }
}

/** Writes whole customer lives with 4 concurrent writers; every append is retried with the same event ids (idempotent) while PostgreSQL is down. */
async function writeCustomers(store: PostgresEventStore, indexes: number[], partnerId: string, interactions: number): Promise<number> {
  let written = 0;
  const queue = [...indexes];
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
        for (const append of customerLife(i, partnerId, interactions)) {
          await appendRetrying(store, append);
          written += append.events.length;
        }
      }
    }),
  );
  return written;
}

async function appendRetrying(store: PostgresEventStore, append: Append): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await store.appendToStream(append.stream, append.events);
      return;
    } catch (error) {
      if (attempt > 600) throw error;
      await pause(Math.min(1000, 50 * attempt));
    }
  }
}

/** Rebuilds a service's read models into a fresh schema and counts the rows that differ from the live ones (both ways). */
async function compareWithReplay(url: string, db: Client, mod: ReadModelsModule, service: string): Promise<number> {
  const schema = `replay_${service.replace(/-/g, '_')}`;
  await db.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  const projections = mod.readModels.map((m) => m.projection);
  const entities = projections.flatMap((p) => [...p.entities]) as Function[];
  // What a process writes besides the events (an inbox it empties, trained models) is no replay.
  const work = new Set(projections.flatMap((p) => [...(p.workEntities ?? [])]) as Function[]);
  const replay = new DataSource({ type: 'postgres', url, schema, entities, synchronize: true });
  await replay.initialize();
  const store = new PostgresEventStore(new PgSqlClient(url), { schema: 'event_store' });
  try {
    const runner = new ProjectionRunner(replay, projections, { schema, group: `replay.${service}` });
    await runner.migrate();
    await runner.rebuild(store, crmRegistry(), toIntegrationEvent);
    let differing = 0;
    for (const entity of entities) {
      if (work.has(entity)) continue;
      const table = replay.getMetadata(entity).tableName;
      const live = `${mod.readModels[0].schema}.${table}`;
      const fresh = `${schema}.${table}`;
      const r = await db.query(
        `SELECT count(*)::int AS n FROM ((TABLE ${live} EXCEPT ALL TABLE ${fresh}) UNION ALL (TABLE ${fresh} EXCEPT ALL TABLE ${live})) d`,
      );
      // A few differing rows of each side, to tell what differs (a count alone says nothing of why).
      if (r.rows[0].n > 0) {
        const sample = async (a: string, b: string) =>
          (await db.query(`SELECT row_to_json(d) AS row FROM (TABLE ${a} EXCEPT ALL TABLE ${b}) d LIMIT 3`)).rows.map((x: { row: unknown }) => x.row);
        console.warn(
          `chaos: ${service}: ${live} rows only live: ${JSON.stringify(await sample(live, fresh))}; only in the replay: ${JSON.stringify(await sample(fresh, live))}`,
        );
      }
      differing += r.rows[0].n as number;
      if (r.rows[0].n > 0) console.warn(`chaos: ${service}: ${live} has ${String(r.rows[0].n)} rows differing from a fresh replay`);
    }
    return differing;
  } finally {
    await replay.destroy();
    await store.close();
  }
}

function plain(type: string, data: Record<string, unknown>): NewEvent {
  return {
    id: randomUUID(),
    type,
    data,
    schemaVersion: 1,
    metadata: {
      correlationId: randomUUID(),
      causationId: randomUUID(),
      actor: { type: 'system', id: 'chaos' },
      occurredAt: new Date().toISOString(),
      visibility: { departments: '*', partners: [] },
    },
  };
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

function pause(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`chaos: timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await pause(250);
  }
}

if (require.main === module) {
  const { values } = parseArgs({ options: { events: { type: 'string', default: '100000' } } });
  const databaseUrl = process.env.DATABASE_URL;
  const brokers = (process.env.KAFKA_BROKERS ?? '').split(',').filter(Boolean);
  if (!databaseUrl || brokers.length === 0) {
    console.error('DATABASE_URL and KAFKA_BROKERS must point at the servers deploy/local started (bash deploy/local/infra.sh up), with DEPLOY_LOCAL_INFRA=1');
    process.exit(2);
  }
  runChaos({ events: Number(values.events), databaseUrl, brokers }).then(
    (report) => {
      fs.writeFileSync('chaos-report.json', JSON.stringify(report, null, 2));
      console.log(`chaos: ${report.ok ? 'OK' : 'FAILED'} — report in chaos-report.json`);
      process.exit(report.ok ? 0 : 1);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
