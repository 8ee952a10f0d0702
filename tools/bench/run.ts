/**
 * npm run bench — quick platform benchmarks, each reported as a ratio against a baseline measured
 * in the same run on the same database:
 *  - append rate: single-event appends through the event store vs raw single-row INSERTs;
 *  - subscription lag: time from an append's commit to a live subscriber receiving it.
 * Targets: embedded PGlite always; the PostgreSQL server too when DATABASE_URL is set.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { EventStore, NewEvent } from '@crm/event-store';
import { PostgresEventStore } from '@crm/event-store-postgres';
import { PgliteSession, PgSqlClient, type SqlClient } from '@crm/sql';

const N = Number(process.env.BENCH_EVENTS ?? 2000);
const LAG_SAMPLES = Number(process.env.BENCH_LAG_SAMPLES ?? 200);

function event(i: number): NewEvent {
  return {
    id: randomUUID(),
    type: 'BenchNoted',
    data: { customerId: randomUUID(), i, note: 'x'.repeat(100) },
    metadata: {
      correlationId: randomUUID(),
      causationId: randomUUID(),
      actor: { type: 'system', id: 'bench' },
      occurredAt: new Date().toISOString(),
      visibility: { departments: '*', partners: [] },
    },
  };
}

async function rawInsertRate(sql: SqlClient, schema: string): Promise<number> {
  await sql.exec(`CREATE TABLE IF NOT EXISTS ${schema}.raw_baseline (id bigserial PRIMARY KEY, event_id uuid, stream_id text, type text, data jsonb, metadata jsonb)`);
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    const e = event(i);
    await sql.query(`INSERT INTO ${schema}.raw_baseline (event_id, stream_id, type, data, metadata) VALUES ($1, $2, $3, $4, $5)`, [
      e.id,
      `bench-${i % 100}`,
      e.type,
      JSON.stringify(e.data),
      JSON.stringify(e.metadata),
    ]);
  }
  return N / ((performance.now() - t0) / 1000);
}

async function appendRate(store: EventStore): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < N; i++) await store.appendToStream(`bench-${i % 100}-${process.pid}`, [event(i)]);
  return N / ((performance.now() - t0) / 1000);
}

async function subscriptionLag(store: EventStore): Promise<{ p50: number; p95: number; max: number }> {
  const tail = await store.readAll({ maxCount: 1_000_000 });
  const sent = new Map<string, number>();
  const lags: number[] = [];
  let resolveAll!: () => void;
  const all = new Promise<void>((r) => (resolveAll = r));
  const sub = store.subscribeToAll({
    after: tail.at(-1)?.position,
    onEvent: async (e) => {
      const t = sent.get(e.id);
      if (t !== undefined) {
        lags.push(performance.now() - t);
        if (lags.length === LAG_SAMPLES) resolveAll();
      }
    },
  });
  for (let i = 0; i < LAG_SAMPLES; i++) {
    const e = event(i);
    await store.appendToStream(`lag-${randomUUID()}`, [e]);
    sent.set(e.id, performance.now()); // committed: the lag counts from here
    await new Promise((r) => setTimeout(r, 5));
  }
  await all;
  await sub.stop();
  lags.sort((a, b) => a - b);
  const at = (q: number) => lags[Math.min(lags.length - 1, Math.floor(q * lags.length))];
  return { p50: at(0.5), p95: at(0.95), max: lags[lags.length - 1] };
}

async function bench(name: string, sql: SqlClient, schema: string, cleanup: () => Promise<void>): Promise<void> {
  const store = new PostgresEventStore(sql, { schema, pollIntervalMs: 50 });
  await store.migrate();
  const raw = await rawInsertRate(sql, schema);
  const appends = await appendRate(store);
  const lag = await subscriptionLag(store);
  console.log(`\n## ${name}`);
  console.log(`raw INSERT baseline        ${raw.toFixed(0)} rows/s (${N} single-row inserts)`);
  console.log(`event store append         ${appends.toFixed(0)} events/s (${N} single-event appends, expected revision any)`);
  console.log(`append / raw INSERT ratio  ${(appends / raw).toFixed(2)}`);
  console.log(`subscription lag           p50 ${lag.p50.toFixed(1)} ms, p95 ${lag.p95.toFixed(1)} ms, max ${lag.max.toFixed(1)} ms (${LAG_SAMPLES} samples, other-process poll interval 50 ms; same-process appends wake the subscriber)`);
  await cleanup();
}

async function main(): Promise<void> {
  const schema = `bench_${randomUUID().replace(/-/g, '').slice(0, 8)}`;
  const session = await PgliteSession.open();
  await bench('embedded PGlite (in memory)', session.sqlClient(), schema, () => session.close());
  const url = process.env.DATABASE_URL;
  if (url) {
    const sql = new PgSqlClient(url);
    await bench(`PostgreSQL server (${new URL(url).host})`, sql, schema, async () => {
      await sql.exec(`DROP SCHEMA ${schema} CASCADE`);
      await sql.close();
    });
  } else {
    console.log('\n(PostgreSQL server skipped: set DATABASE_URL, e.g. after `npm run infra:up`)');
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
