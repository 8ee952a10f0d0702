/**
 * pipeline: command → another service's read model, sustained. Commands (single-event appends, as a
 * command handler makes them) at 1,000 events/s for a fixed time; the relay process publishes them
 * to Kafka; the analytics service process applies them to its read models. Latency: from the
 * append's acknowledgement to the moment the change is visible in analytics' database (its dedupe
 * record commits in the same transaction as the change), found by polling every 5 ms from here.
 * Baseline in the same run: a raw Kafka produce → consume round trip at the same rate (the floor of
 * any design on this broker). Goal: p99 < 150 ms at 1,000 events/s. Needs DATABASE_URL and
 * KAFKA_BROKERS; works in a database of its own.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { NewEvent } from '@crm/event-store';
import { PostgresEventStore } from '@crm/event-store-postgres';
import { WorkerProcess } from '@crm/projections/testing';
import { PgSqlClient } from '@crm/sql-clients';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { percentile, round, type BenchContext, type BenchModule, type Figure, crmEvent } from './kit';

export const pipelineBench: BenchModule = {
  name: 'pipeline',
  description: 'command → other service’s read model latency at 1,000 events/s (relay + Kafka + analytics process)',
  run,
};

const RATE = 1000;
const TICK_MS = 10;
const wall = () => performance.timeOrigin + performance.now();

async function run(ctx: BenchContext): Promise<Figure[]> {
  if (!ctx.databaseUrl || !ctx.kafkaBrokers) {
    ctx.log('skipped: needs DATABASE_URL and KAFKA_BROKERS (bash deploy/local/infra.sh up)');
    return [];
  }
  const seconds = ctx.quick ? 10 : 30;
  const brokers = ctx.kafkaBrokers.split(',');
  const raw = await rawKafka(brokers, seconds);
  ctx.log(`raw Kafka round trip at ${RATE}/s: p50 ${round(raw.p50)} ms, p99 ${round(raw.p99)} ms`);

  const runId = randomUUID().replace(/-/g, '').slice(0, 10);
  const database = `crm_bench_${runId}`;
  const admin = new Client({ connectionString: ctx.databaseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const u = new URL(ctx.databaseUrl);
  u.pathname = `/${database}`;
  const url = u.toString();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-bench-'));
  const port = 45000 + Math.floor(Math.random() * 1000);
  const env = {
    CRM_MODE: 'distributed',
    CRM_DATABASE_URL: url,
    CRM_KAFKA_BROKERS: ctx.kafkaBrokers,
    CRM_KAFKA_TOPIC: `crm.bench.${runId}`,
    CRM_DATA_DIR: dataDir,
    CRM_LOG_LEVEL: 'warn',
    CRM_HTTP_HOST: '127.0.0.1',
  };
  const logDir = path.resolve(__dirname, '../../.local/bench-logs');
  const relay = new WorkerProcess('tools/relay.ts', { ...env, CRM_HTTP_PORT: String(port + 1) }, path.join(logDir, `pipeline-${runId}-relay.log`));
  const analytics = new WorkerProcess(
    'services/analytics/src/main.ts',
    { ...env, CRM_HTTP_PORT: String(port) },
    path.join(logDir, `pipeline-${runId}-analytics.log`),
  );
  const store = new PostgresEventStore(new PgSqlClient({ connectionString: url, max: 12 }));
  const db = new Client({ connectionString: url });
  try {
    await store.migrate();
    relay.start();
    analytics.start();
    await until(
      async () =>
        (await fetch(`http://127.0.0.1:${port}/health/ready`).then(
          (r) => r.ok,
          () => false,
        )) &&
        (await fetch(`http://127.0.0.1:${port + 1}/health/ready`).then(
          (r) => r.ok,
          () => false,
        )),
      300_000,
    );
    await db.connect();

    // Customers with an open episode each; the measured commands are interactions on them.
    const episodes: { episodeId: string; customerId: string }[] = [];
    for (let i = 0; i < 300; i++) {
      const customerId = randomUUID();
      const episodeId = randomUUID();
      await store.appendToStream(`customer-${customerId}`, [
        crmEvent('CustomerRegistered', {
          customerId,
          kind: 'person',
          name: `b${i}`,
          contacts: [],
          identities: [],
          journeyStage: 'prospect',
          relationshipPhase: 'awareness',
          registeredBy: 'sales',
        }),
      ]);
      await store.appendToStream(`episode-${episodeId}`, [
        crmEvent('EpisodeOpened', {
          episodeId,
          customerId,
          name: 'bench',
          episodeType: 'case',
          owner: { kind: 'department', department: 'service' },
          openedAt: new Date().toISOString(),
        }),
      ]);
      episodes.push({ episodeId, customerId });
    }
    const seen = async (ids: string[]) =>
      new Set(
        (
          await db.query(
            `SELECT event_id::text AS id FROM platform.projection_dedupe WHERE projection = 'analytics.customer-metrics' AND event_id = ANY($1::uuid[])`,
            [ids],
          )
        ).rows.map((r: { id: string }) => r.id),
      );
    const setupIds = (await db.query(`SELECT event_id::text AS id FROM event_store.events`)).rows.map((r: { id: string }) => r.id);
    await until(async () => (await seen(setupIds)).size === setupIds.length, 300_000);

    const acked = new Map<string, number>();
    const latencies: number[] = [];
    let stopPolling = false;
    const poller = (async () => {
      while (!stopPolling || acked.size > 0) {
        const pending = [...acked.keys()];
        if (pending.length) {
          const found = await seen(pending);
          const now = wall();
          for (const id of found) {
            latencies.push(now - acked.get(id)!);
            acked.delete(id);
          }
        }
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const perTick = (RATE * TICK_MS) / 1000;
    const started = wall();
    let sent = 0;
    const inflight: Promise<void>[] = [];
    for (let tick = 0; wall() - started < seconds * 1000; tick++) {
      const due = started + tick * TICK_MS;
      if (due > wall()) await new Promise((r) => setTimeout(r, due - wall()));
      for (let k = 0; k < perTick; k++) {
        const { episodeId, customerId } = episodes[(sent + k) % episodes.length];
        const e = interaction(episodeId, customerId);
        inflight.push(store.appendToStream(`episode-${episodeId}`, [e]).then(() => void acked.set(e.id, wall())));
      }
      sent += perTick;
      if (inflight.length > 2000) await Promise.all(inflight.splice(0));
    }
    await Promise.all(inflight);
    const rate = sent / ((wall() - started) / 1000);
    stopPolling = true;
    await Promise.race([poller, new Promise((r) => setTimeout(r, 120_000))]);
    latencies.sort((a, b) => a - b);
    const p99 = percentile(latencies, 0.99);
    return [
      ctx.report({
        name: 'pipeline.command-to-read-model.p99.postgres-kafka',
        unit: 'ms',
        value: round(p99),
        baseline: { name: 'raw Kafka produce → consume p99 at the same rate', value: round(raw.p99) },
        goal: `< 150 ms at ${RATE} events/s`,
        met: p99 < 150 && rate >= RATE * 0.95,
        details: {
          seconds,
          sent,
          measured: latencies.length,
          achievedRate: Math.round(rate),
          p50: round(percentile(latencies, 0.5)),
          p95: round(percentile(latencies, 0.95)),
          max: round(latencies[latencies.length - 1]),
          rawP50: round(raw.p50),
        },
      }),
    ];
  } finally {
    await relay.kill();
    await analytics.kill();
    await store.close().catch(() => undefined);
    await db.end().catch(() => undefined);
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Produce → consume latency of bare kafkajs at RATE messages/s (acks=all, one partition per key as ours). */
async function rawKafka(brokers: string[], seconds: number): Promise<{ p50: number; p99: number }> {
  const kafka = new Kafka({ brokers, clientId: 'bench-raw', logLevel: logLevel.NOTHING });
  const topic = `crm.bench.raw.${randomUUID()}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 6 }], waitForLeaders: true });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  const consumer = kafka.consumer({ groupId: `bench-raw-${randomUUID()}`, maxWaitTimeInMs: 100 });
  const latencies: number[] = [];
  try {
    await producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    let joined!: () => void;
    const isJoined = new Promise<void>((r) => (joined = r));
    consumer.on(consumer.events.GROUP_JOIN, () => joined());
    await consumer.run({ eachMessage: async ({ message }) => void latencies.push(wall() - Number(message.value?.toString())) });
    await isJoined;
    const started = wall();
    const sends: Promise<unknown>[] = [];
    for (let tick = 0; wall() - started < seconds * 1000; tick++) {
      const due = started + tick * TICK_MS;
      if (due > wall()) await new Promise((r) => setTimeout(r, due - wall()));
      const messages = Array.from({ length: (RATE * TICK_MS) / 1000 }, () => ({ key: randomUUID(), value: String(wall()) }));
      sends.push(producer.send({ topic, acks: -1, messages }));
    }
    await Promise.all(sends);
    const expected = Math.floor((seconds * 1000) / TICK_MS) * ((RATE * TICK_MS) / 1000);
    await until(async () => latencies.length >= expected * 0.99, 60_000);
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
  latencies.sort((a, b) => a - b);
  return { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) };
}

function interaction(episodeId: string, customerId: string): NewEvent {
  return crmEvent('InteractionRecorded', {
    episodeId,
    customerId,
    interaction: {
      interactionId: randomUUID(),
      channel: 'phone',
      direction: 'inbound',
      actor: { kind: 'customer', id: customerId },
      action: 'called',
      occurredAt: new Date().toISOString(),
    },
  });
}

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`pipeline bench: timed out after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
