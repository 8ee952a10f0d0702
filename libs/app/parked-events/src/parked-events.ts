import { parsePosition } from '@crm/event-store';
import { assertIdentifier } from '@crm/sql';

/** Anything that runs SQL: a TypeORM EntityManager / DataSource, or an `@crm/sql` client or transaction. */
export interface Queryable {
  query(text: string, params?: unknown[]): Promise<unknown>;
}

/**
 * An event a consumer (a projection, or the relay) could not apply, kept with its reason until an
 * operator re-drives or discards it. While one is open, the consumer parks every later event of the
 * same subject too (`waiting` reason), so a subject's events are always applied in their order —
 * the way a sequenced dead-letter queue works — and the subject is reported stale.
 */
export interface ParkedEvent {
  consumer: string;
  eventId: string;
  subject: string;
  eventType: string;
  position: string | null;
  reason: string;
  attempts: number;
  parkedAt: string;
  lastAttemptAt: string;
  resolvedAt: string | null;
  resolution: 'applied' | 'discarded' | null;
  /** The event as it was offered (JSON text of the integration event). */
  event: string;
}

export interface NewParkedEvent {
  consumer: string;
  eventId: string;
  subject: string;
  eventType: string;
  position?: string;
  reason: string;
  /** JSON text: jsonb would refuse the very payloads (`\u0000`) that get events parked. */
  event: string;
}

export const WAITING_REASON_PREFIX = 'waiting behind parked event';
/** How the reason of an event that breaks its integration contract starts (written by the relay and the projection runner). */
export const CONTRACT_REASON_PREFIX = 'breaks its contract';

/** Why an event was parked, as a bounded class (a metric label, never the reason's text). */
export type ParkedReasonClass = 'contract' | 'waiting' | 'apply-failed';

/** The class of a parked event's reason: waiting behind another, breaking its contract, or anything a projection threw. */
export function parkedReasonClass(reason: string): ParkedReasonClass {
  if (reason.startsWith(WAITING_REASON_PREFIX)) return 'waiting';
  if (reason.startsWith(CONTRACT_REASON_PREFIX)) return 'contract';
  return 'apply-failed';
}

/** What API answers say about a subject whose read model is missing events. */
export interface Staleness {
  stale: true;
  /** Events of this subject not applied yet (parked). */
  parkedEvents: number;
  since: string;
  /** The consumers (projections, relay) holding them. */
  consumers: string[];
}

/** The parked-events table in the platform schema, shared by every consumer of one database. */
export class ParkedEvents {
  readonly table: string;

  constructor(schema = 'platform') {
    this.table = `${assertIdentifier(schema)}.parked_events`;
  }

  ddl(): string[] {
    const t = this.table;
    return [
      `CREATE TABLE IF NOT EXISTS ${t} (
        consumer text NOT NULL,
        event_id uuid NOT NULL,
        subject text NOT NULL,
        event_type text NOT NULL,
        position text,
        position_commit numeric,
        position_prepare numeric,
        reason text NOT NULL,
        event text NOT NULL,
        attempts integer NOT NULL DEFAULT 1,
        parked_at timestamptz NOT NULL DEFAULT now(),
        last_attempt_at timestamptz NOT NULL DEFAULT now(),
        resolved_at timestamptz,
        resolution text,
        PRIMARY KEY (consumer, event_id)
      )`,
      `CREATE INDEX IF NOT EXISTS parked_events_open ON ${t} (consumer, subject) WHERE resolved_at IS NULL`,
    ];
  }

  /** Creates the table if missing (idempotent; under the platform schema's migration lock). */
  async migrate(db: { transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> }): Promise<void> {
    await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(7201003)');
      await tx.query(`CREATE SCHEMA IF NOT EXISTS ${this.table.split('.')[0]}`);
      for (const statement of this.ddl()) await tx.query(statement);
    });
  }

  /** Parks events (several in one statement); parking one already parked counts another attempt. */
  async park(db: Queryable, events: readonly NewParkedEvent[]): Promise<void> {
    if (events.length === 0) return;
    const cols: unknown[][] = [[], [], [], [], [], [], [], [], []];
    for (const e of events) {
      const p = e.position ? parsePosition(e.position) : undefined;
      const values = [
        e.consumer,
        e.eventId,
        e.subject,
        e.eventType,
        e.position ?? null,
        p ? String(p.commit) : null,
        p ? String(p.prepare) : null,
        e.reason,
        e.event,
      ];
      values.forEach((v, i) => cols[i].push(v));
    }
    await db.query(
      `INSERT INTO ${this.table} (consumer, event_id, subject, event_type, position, position_commit, position_prepare, reason, event)
       SELECT * FROM unnest($1::text[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::numeric[], $7::numeric[], $8::text[], $9::text[])
       ON CONFLICT (consumer, event_id) DO UPDATE SET reason = EXCLUDED.reason, attempts = ${this.table}.attempts + 1,
         last_attempt_at = now(), resolved_at = NULL, resolution = NULL`,
      cols,
    );
  }

  /** The (consumer, subject) pairs among these that have an open parked event. */
  async blocked(db: Queryable, consumers: readonly string[], subjects: readonly string[]): Promise<Set<string>> {
    if (consumers.length === 0 || subjects.length === 0) return new Set();
    const found = rows<{ consumer: string; subject: string }>(
      await db.query(
        `SELECT DISTINCT consumer, subject FROM ${this.table} WHERE resolved_at IS NULL AND consumer = ANY($1::text[]) AND subject = ANY($2::text[])`,
        [[...consumers], [...new Set(subjects)]],
      ),
    );
    return new Set(found.map((r) => blockKey(r.consumer, r.subject)));
  }

  /** Open parked events, oldest first per consumer and subject. */
  async open(db: Queryable, consumers: readonly string[], filter: { eventIds?: readonly string[]; subject?: string } = {}): Promise<ParkedEvent[]> {
    const params: unknown[] = [[...consumers]];
    let where = 'resolved_at IS NULL AND consumer = ANY($1::text[])';
    if (filter.eventIds?.length) {
      params.push([...filter.eventIds]);
      where += ` AND event_id = ANY($${params.length}::uuid[])`;
    }
    if (filter.subject) {
      params.push(filter.subject);
      where += ` AND subject = $${params.length}`;
    }
    const found = rows<Record<string, unknown>>(
      await db.query(
        `SELECT consumer, event_id::text AS event_id, subject, event_type, position, reason, event, attempts,
                parked_at, last_attempt_at, resolved_at, resolution
         FROM ${this.table} WHERE ${where}
         ORDER BY consumer, subject, position_commit NULLS LAST, position_prepare NULLS LAST, parked_at`,
        params,
      ),
    );
    return found.map(toParked);
  }

  async countOpen(db: Queryable, consumers: readonly string[]): Promise<Record<string, number>> {
    const found = rows<{ consumer: string; n: string | number }>(
      await db.query(`SELECT consumer, count(*) AS n FROM ${this.table} WHERE resolved_at IS NULL AND consumer = ANY($1::text[]) GROUP BY consumer`, [
        [...consumers],
      ]),
    );
    const counts: Record<string, number> = Object.fromEntries(consumers.map((c) => [c, 0]));
    for (const r of found) counts[r.consumer] = Number(r.n);
    return counts;
  }

  /** Per consumer: open parked events, and the subjects (customers) they make stale. */
  async summary(db: Queryable, consumers: readonly string[]): Promise<Record<string, { events: number; subjects: number }>> {
    const found = rows<{ consumer: string; events: string | number; subjects: string | number }>(
      await db.query(
        `SELECT consumer, count(*) AS events, count(DISTINCT subject) AS subjects FROM ${this.table} WHERE resolved_at IS NULL AND consumer = ANY($1::text[]) GROUP BY consumer`,
        [[...consumers]],
      ),
    );
    const out: Record<string, { events: number; subjects: number }> = Object.fromEntries(consumers.map((c) => [c, { events: 0, subjects: 0 }]));
    for (const r of found) out[r.consumer] = { events: Number(r.events), subjects: Number(r.subjects) };
    return out;
  }

  async resolve(db: Queryable, consumer: string, eventId: string, resolution: 'applied' | 'discarded'): Promise<void> {
    await db.query(`UPDATE ${this.table} SET resolved_at = now(), resolution = $3, last_attempt_at = now() WHERE consumer = $1 AND event_id = $2`, [
      consumer,
      eventId,
      resolution,
    ]);
  }

  async failedAgain(db: Queryable, consumer: string, eventId: string, reason: string): Promise<void> {
    await db.query(`UPDATE ${this.table} SET reason = $3, attempts = attempts + 1, last_attempt_at = now() WHERE consumer = $1 AND event_id = $2`, [
      consumer,
      eventId,
      reason,
    ]);
  }

  /** Forgets the parked events of these consumers (a rebuild starts them from scratch). */
  async clear(db: Queryable, consumers: readonly string[]): Promise<void> {
    await db.query(`DELETE FROM ${this.table} WHERE consumer = ANY($1::text[])`, [[...consumers]]);
  }

  /** Whether these consumers are missing events of `subject`, for API answers. */
  async staleness(db: Queryable, consumers: readonly string[], subject: string): Promise<Staleness | undefined> {
    const [r] = rows<{ n: string | number; since: Date | string | null; consumers: string[] | string | null }>(
      await db.query(
        `SELECT count(*) AS n, min(parked_at) AS since, array_agg(DISTINCT consumer) AS consumers
         FROM ${this.table} WHERE resolved_at IS NULL AND subject = $1 AND consumer = ANY($2::text[])`,
        [subject, [...consumers]],
      ),
    );
    if (!r || Number(r.n) === 0 || !r.since) return undefined;
    const list = Array.isArray(r.consumers)
      ? r.consumers
      : String(r.consumers ?? '')
          .replace(/^{|}$/g, '')
          .split(',')
          .filter(Boolean);
    return { stale: true, parkedEvents: Number(r.n), since: new Date(r.since).toISOString(), consumers: list.sort() };
  }
}

export function blockKey(consumer: string, subject: string): string {
  return `${consumer}\u0000${subject}`;
}

function toParked(r: Record<string, unknown>): ParkedEvent {
  const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).toISOString());
  return {
    consumer: String(r.consumer),
    eventId: String(r.event_id),
    subject: String(r.subject),
    eventType: String(r.event_type),
    position: (r.position as string | null) ?? null,
    reason: String(r.reason),
    attempts: Number(r.attempts),
    parkedAt: iso(r.parked_at) ?? '',
    lastAttemptAt: iso(r.last_attempt_at) ?? '',
    resolvedAt: iso(r.resolved_at),
    resolution: (r.resolution as ParkedEvent['resolution']) ?? null,
    event: String(r.event),
  };
}

/** TypeORM's `query` returns rows for SELECT/INSERT…RETURNING, or [rows, count] on some drivers; `@crm/sql` returns `{ rows }`. */
export function rows<Row = Record<string, unknown>>(result: unknown): Row[] {
  if (result && typeof result === 'object' && !Array.isArray(result) && Array.isArray((result as { rows?: unknown }).rows))
    return (result as { rows: Row[] }).rows;
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as Row[];
  return Array.isArray(result) ? (result as Row[]) : [];
}
