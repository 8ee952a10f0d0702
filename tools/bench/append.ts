/**
 * append: the event store's append against the cheapest write PostgreSQL offers for the same data —
 * an autocommit INSERT into a plain table with the same columns (no stream table, no unique
 * indexes, no checks) on the same database and connection pool.
 *
 *  - one event per append (to a new stream each time, and to one stream with an exact expected
 *    revision) vs a single-row INSERT;
 *  - 100 events per append vs one 100-row INSERT.
 *
 * Goal on the PostgreSQL server: ≥ 0.8× the baseline's events/s. PGlite is reported without a goal.
 */
import { randomUUID } from 'node:crypto';
import type { NewEvent } from '@crm/event-store';
import { PostgresEventStore } from '@crm/event-store-postgres';
import type { SqlClient } from '@crm/sql';
import { benchEvent, interleaved, round, targets, uniqueSchema, type BenchContext, type BenchModule, type ContenderResult, type Figure } from './kit';

const GOAL_RATIO = 0.8;
const BATCH = 100;

export const appendBench: BenchModule = {
  name: 'append',
  description: 'append rate vs raw INSERT of the same rows (single event, 100-event batch)',
  run,
};

export async function run(ctx: BenchContext): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const target of targets(ctx)) {
    const schema = uniqueSchema('bench_append');
    const db = await target.open(schema);
    try {
      ctx.log(`${target.label}`);
      const store = new PostgresEventStore(db.sql, { schema, listen: false });
      await store.migrate();
      await db.sql.exec(baselineTableDdl(schema));
      const withGoal = target.name === 'postgres';
      const singles = ctx.quick ? 400 : 2000;
      const batches = ctx.quick ? 20 : 200;
      const rounds = 10;

      // One event per append, each to a new stream (expected: no_stream).
      const newStream = await interleaved(
        {
          name: 'append 1 event to a new stream',
          op: () => store.appendToStream(`new-${randomUUID()}`, [benchEvent()], { expectedRevision: 'no_stream' }).then(() => undefined),
        },
        { name: 'INSERT 1 row (autocommit)', op: () => insertRows(db.sql, schema, `new-${randomUUID()}`, 0, [benchEvent()]) },
        { rounds, perRound: singles / rounds, warmup: 50 },
      );
      figures.push(ctx.report(compare(`append.single.new-stream.${target.name}`, newStream, 'events/s', withGoal)));

      // One event per append, all to one stream, each expecting the previous revision.
      const stream = `one-${randomUUID()}`;
      const rawStream = `one-${randomUUID()}`;
      const oneStream = await interleaved(
        {
          name: 'append 1 event to one stream (exact expected revision)',
          op: (i) => store.appendToStream(stream, [benchEvent()], { expectedRevision: i === 0 ? 'no_stream' : BigInt(i - 1) }).then(() => undefined),
        },
        { name: 'INSERT 1 row (autocommit)', op: (i) => insertRows(db.sql, schema, rawStream, i, [benchEvent()]) },
        { rounds, perRound: singles / rounds, warmup: 50 },
      );
      figures.push(ctx.report(compare(`append.single.one-stream.${target.name}`, oneStream, 'events/s', withGoal)));

      // 100 events per append vs one 100-row INSERT; both build their batch inside the timed operation.
      const batch = await interleaved(
        {
          name: `append ${BATCH} events to a new stream`,
          op: () => store.appendToStream(`batch-${randomUUID()}`, makeBatch(), { expectedRevision: 'no_stream' }).then(() => undefined),
        },
        { name: `INSERT ${BATCH} rows (one statement, autocommit)`, op: () => insertRows(db.sql, schema, `batch-${randomUUID()}`, 0, makeBatch()) },
        { rounds, perRound: batches / rounds, warmup: 5 },
      );
      figures.push(ctx.report(compare(`append.batch${BATCH}.${target.name}`, batch, 'events/s', withGoal, BATCH)));
      // Not store.close(): it would close the SqlClient that db.close() still needs to drop the schema.
    } finally {
      await db.close();
    }
  }
  return figures;
}

function makeBatch(): NewEvent[] {
  return Array.from({ length: BATCH }, (_, i) => benchEvent({ i }));
}

function compare(name: string, [ours, baseline]: [ContenderResult, ContenderResult], unit: string, withGoal: boolean, eventsPerOp = 1): Figure {
  const value = ours.opsPerSecond * eventsPerOp;
  const base = baseline.opsPerSecond * eventsPerOp;
  const ratio = value / base;
  return {
    name,
    unit,
    value: round(value, 0),
    baseline: { name: baseline.name, value: round(base, 0) },
    ratio: round(ratio, 3),
    ...(withGoal ? { goal: `ratio ≥ ${GOAL_RATIO}`, met: ratio >= GOAL_RATIO } : {}),
    details: {
      what: ours.name,
      operations: ours.operations,
      eventsPerOperation: eventsPerOp,
      roundRates: {
        ours: [round(ours.minRoundRate * eventsPerOp, 0), round(ours.maxRoundRate * eventsPerOp, 0)],
        baseline: [round(baseline.minRoundRate * eventsPerOp, 0), round(baseline.maxRoundRate * eventsPerOp, 0)],
      },
    },
  };
}

/** Same columns as the store's events table, none of its constraints beyond the primary key. */
function baselineTableDdl(schema: string): string {
  return `CREATE TABLE ${schema}.raw_events (
    global_position bigserial PRIMARY KEY,
    transaction_id  xid8 NOT NULL DEFAULT pg_current_xact_id(),
    event_id        uuid NOT NULL,
    stream_id       text NOT NULL,
    stream_revision bigint NOT NULL,
    type            text NOT NULL,
    schema_version  integer NOT NULL DEFAULT 1,
    data            jsonb NOT NULL,
    metadata        jsonb NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT now())`;
}

const insertSql = new Map<string, string>();

/** A plain multi-row INSERT … VALUES with one parameter per value, as an application would write it. */
async function insertRows(sql: SqlClient, schema: string, streamId: string, firstRevision: number, events: readonly NewEvent[]): Promise<void> {
  const key = `${schema}/${events.length}`;
  let text = insertSql.get(key);
  if (!text) {
    const tuples = events.map(
      (_, i) => `($${i * 7 + 1}::uuid, $${i * 7 + 2}, $${i * 7 + 3}::bigint, $${i * 7 + 4}, $${i * 7 + 5}::int, $${i * 7 + 6}::jsonb, $${i * 7 + 7}::jsonb)`,
    );
    text = `INSERT INTO ${schema}.raw_events (event_id, stream_id, stream_revision, type, schema_version, data, metadata) VALUES ${tuples.join(', ')}`;
    insertSql.set(key, text);
  }
  const values: unknown[] = [];
  events.forEach((e, i) => values.push(e.id, streamId, firstRevision + i, e.type, e.schemaVersion ?? 1, JSON.stringify(e.data), JSON.stringify(e.metadata)));
  await sql.query(text, values);
}
