/**
 * What every bench module shares: the figure format, the context the orchestrator hands over, the
 * targets (embedded PGlite always, a PostgreSQL server when DATABASE_URL is set) and small helpers.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { NewEvent } from '@crm/event-store';
import { type SqlClient } from '@crm/sql';
import { PgliteSession, PgSqlClient } from '@crm/sql-clients';

/** One measured number, with what it is compared against and the goal it is held to. */
export interface Figure {
  /** Dotted, stable, e.g. `append.single.new-stream.postgres`. */
  name: string;
  unit: string;
  value: number;
  baseline?: { name: string; value: number };
  /** value / baseline.value. */
  ratio?: number;
  /** Human-readable, e.g. `ratio ≥ 0.8` or `< 10 ms`. */
  goal?: string;
  met?: boolean;
  details?: Record<string, unknown>;
}

export interface BenchContext {
  /** PostgreSQL server to measure on (from DATABASE_URL); undefined → embedded PGlite only. */
  databaseUrl?: string;
  /** Kafka brokers (from KAFKA_BROKERS), for modules that need the bus. */
  kafkaBrokers?: string;
  /** Fewer iterations: a smoke run, figures are noisier. */
  quick: boolean;
  /** Prints a figure (fills in its ratio) and returns it; a module returns the figures it reported. */
  report(figure: Figure): Figure;
  /** A progress or context line under the module's heading. */
  log(message: string): void;
}

export interface BenchModule {
  /** What `--only` selects. */
  name: string;
  description: string;
  run(ctx: BenchContext): Promise<Figure[]>;
}

export interface Target {
  /** `pglite` or `postgres`: the last component of figure names. */
  name: 'pglite' | 'postgres';
  label: string;
  /** A fresh database handle; `close` also drops what the module created under `schema`. */
  open(schema: string): Promise<{ sql: SqlClient; close(): Promise<void> }>;
}

/** Embedded PGlite (in memory) always; the PostgreSQL server too when the context has one. */
export function targets(ctx: BenchContext): Target[] {
  const list: Target[] = [
    {
      name: 'pglite',
      label: 'embedded PGlite (in memory)',
      async open() {
        const session = await PgliteSession.open();
        return { sql: session.sqlClient(), close: () => session.close() };
      },
    },
  ];
  const url = ctx.databaseUrl;
  if (url) {
    list.push({
      name: 'postgres',
      label: `PostgreSQL server (${new URL(url).host})`,
      async open(schema: string) {
        const sql = new PgSqlClient({ connectionString: url, max: 4 });
        return {
          sql,
          async close() {
            await sql.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
            await sql.close();
          },
        };
      },
    });
  }
  return list;
}

export function uniqueSchema(prefix: string): string {
  return `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 8)}`;
}

/** A realistic event: ~150 bytes of data, ~300 bytes of metadata. */
export function benchEvent(data: Record<string, unknown> = {}): NewEvent {
  return {
    id: randomUUID(),
    type: 'BenchInteractionLogged',
    data: { customerId: randomUUID(), channel: 'phone', direction: 'outbound', note: 'x'.repeat(80), ...data },
    metadata: {
      correlationId: randomUUID(),
      causationId: randomUUID(),
      actor: { type: 'staff', id: 'bench-user', department: 'sales' },
      occurredAt: new Date().toISOString(),
      visibility: { departments: '*', partners: 'shared' },
    },
    schemaVersion: 1,
  };
}

/** Sorted-sample percentile (nearest rank). */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export interface Contender {
  name: string;
  /** One operation; `i` counts this contender's operations from 0 (warm-up included). */
  op(i: number): Promise<void>;
}

/**
 * Runs two contenders in alternating rounds (A B, B A, A B, …) so drift on a shared machine
 * (autovacuum, checkpoints, the other core's load) hits both alike; reports operations per second
 * over all measured rounds and the spread of the per-round rates.
 */
export async function interleaved(
  a: Contender,
  b: Contender,
  options: { rounds: number; perRound: number; warmup: number },
): Promise<[ContenderResult, ContenderResult]> {
  const state = [a, b].map((c) => ({ c, i: 0, ms: 0, ops: 0, rates: [] as number[] }));
  for (const s of state) for (let k = 0; k < options.warmup; k++) await s.c.op(s.i++);
  for (let round = 0; round < options.rounds; round++) {
    const order = round % 2 === 0 ? state : [state[1], state[0]];
    for (const s of order) {
      const t0 = performance.now();
      for (let k = 0; k < options.perRound; k++) await s.c.op(s.i++);
      const ms = performance.now() - t0;
      s.ms += ms;
      s.ops += options.perRound;
      s.rates.push(options.perRound / (ms / 1000));
    }
  }
  const result = state.map((s) => ({
    name: s.c.name,
    opsPerSecond: s.ops / (s.ms / 1000),
    operations: s.ops,
    minRoundRate: Math.min(...s.rates),
    maxRoundRate: Math.max(...s.rates),
  }));
  return [result[0], result[1]];
}

export interface ContenderResult {
  name: string;
  opsPerSecond: number;
  operations: number;
  minRoundRate: number;
  maxRoundRate: number;
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** An event of the CRM's own vocabulary (for modules that run real projections). */
export function crmEvent(type: string, data: Record<string, unknown>, department = 'sales'): NewEvent {
  return {
    id: randomUUID(),
    type,
    data,
    schemaVersion: 1,
    metadata: {
      correlationId: randomUUID(),
      causationId: randomUUID(),
      actor: { type: 'staff', id: 'bench', department },
      occurredAt: new Date().toISOString(),
      visibility: { departments: '*', partners: 'shared' },
    },
  };
}
