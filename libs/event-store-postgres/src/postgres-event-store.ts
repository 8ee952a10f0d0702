import {
  ConcurrencyConflictError,
  IdempotencyViolationError,
  START,
  validateNewEvents,
  type AppendResult,
  type EventMetadata,
  type EventStore,
  type ExpectedRevision,
  type GlobalPosition,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeToAllOptions,
  type Subscription,
} from '@crm/event-store';
import { pollingSubscription } from '@crm/event-store';
import { sqlState, UNIQUE_VIOLATION, type SqlClient, type SqlExecutor } from '@crm/sql';
import { assertIdentifier, eventStoreDdl } from './schema';

export interface PostgresEventStoreOptions {
  /** Schema holding the store's tables; default `event_store`. */
  schema?: string;
  /** How often a caught-up subscription looks for events written by other processes. */
  pollIntervalMs?: number;
}

interface EventRow {
  global_position: string;
  transaction_id: string;
  event_id: string;
  stream_id: string;
  stream_revision: string;
  type: string;
  schema_version: number;
  data: unknown;
  metadata: EventMetadata;
  recorded_at: Date | string;
}

// Output names shadow column names in ORDER BY, so every query orders by the qualified `e.` columns.
const COLUMNS = `e.global_position::text AS global_position, e.transaction_id::text AS transaction_id, e.event_id::text AS event_id,
  e.stream_id, e.stream_revision::text AS stream_revision, e.type, e.schema_version, e.data, e.metadata, e.recorded_at`;

/** Event store on PostgreSQL (real server through `pg`, or embedded PGlite through the same SQL). */
export class PostgresEventStore implements EventStore {
  private readonly schema: string;
  private readonly pollIntervalMs: number;
  private readonly localAppends = new Set<() => void>();

  constructor(private readonly sql: SqlClient, options: PostgresEventStoreOptions = {}) {
    this.schema = assertIdentifier(options.schema ?? 'event_store');
    this.pollIntervalMs = options.pollIntervalMs ?? 50;
  }

  /** Creates the tables if missing; safe to run from several processes at once. */
  async migrate(): Promise<void> {
    await this.sql.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(7201001)');
      for (const statement of eventStoreDdl(this.schema).split(';').map((s) => s.trim()).filter(Boolean)) {
        await tx.query(statement);
      }
    });
  }

  async appendToStream(streamId: string, events: readonly NewEvent[], options: { expectedRevision?: ExpectedRevision } = {}): Promise<AppendResult> {
    validateNewEvents(streamId, events);
    const expected = options.expectedRevision ?? 'any';
    try {
      const result = await this.sql.transaction((tx) => this.appendInTransaction(tx, streamId, events, expected));
      if (result.appended) for (const wake of this.localAppends) wake();
      return result;
    } catch (error) {
      // A concurrent append of the same ids (in this or another stream) lost the race on the unique index.
      if (sqlState(error) === UNIQUE_VIOLATION) {
        const existing = await this.findExisting(this.sql, streamId, events);
        if (existing) return existing;
      }
      throw error;
    }
  }

  private async appendInTransaction(tx: SqlExecutor, streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    const s = this.schema;
    // Upsert-and-lock the stream row: concurrent appends to one stream queue here, so the revision
    // check below and the insert are atomic. Different streams never wait for each other.
    const locked = await tx.query<{ revision: string }>(
      `INSERT INTO ${s}.streams (stream_id, revision) VALUES ($1, -1)
       ON CONFLICT (stream_id) DO UPDATE SET revision = ${s}.streams.revision
       RETURNING revision::text AS revision`,
      [streamId],
    );
    const current = BigInt(locked.rows[0].revision);

    // Checked under the lock so a retry of an append that already committed is recognised.
    const existing = await this.findExisting(tx, streamId, events);
    if (existing) return existing;

    const actual = current < 0n ? undefined : current;
    const holds =
      expected === 'any' ||
      (expected === 'no_stream' && actual === undefined) ||
      (expected === 'stream_exists' && actual !== undefined) ||
      (typeof expected === 'bigint' && actual === expected);
    if (!holds) throw new ConcurrencyConflictError(streamId, expected, actual);

    const values: unknown[] = [];
    const tuples = events.map((e, i) => {
      const base = values.length;
      values.push(e.id, streamId, String(current + 1n + BigInt(i)), e.type, e.schemaVersion ?? 1, JSON.stringify(e.data ?? null), JSON.stringify(e.metadata));
      return `($${base + 1}::uuid, $${base + 2}, $${base + 3}::bigint, $${base + 4}, $${base + 5}::int, $${base + 6}::jsonb, $${base + 7}::jsonb)`;
    });
    const inserted = await tx.query<{ global_position: string; transaction_id: string }>(
      `INSERT INTO ${s}.events (event_id, stream_id, stream_revision, type, schema_version, data, metadata)
       VALUES ${tuples.join(', ')}
       RETURNING global_position::text AS global_position, transaction_id::text AS transaction_id`,
      values,
    );
    const next = current + BigInt(events.length);
    await tx.query(`UPDATE ${s}.streams SET revision = $2 WHERE stream_id = $1`, [streamId, String(next)]);
    const last = inserted.rows[inserted.rows.length - 1];
    return { nextExpectedRevision: next, position: { commit: BigInt(last.transaction_id), prepare: BigInt(last.global_position) }, appended: true };
  }

  /** Idempotency: the whole batch already stored in this stream → the earlier result; part of it → error. */
  private async findExisting(db: SqlExecutor, streamId: string, events: readonly NewEvent[]): Promise<AppendResult | undefined> {
    const found = await db.query<{ stream_id: string; stream_revision: string; global_position: string; transaction_id: string }>(
      `SELECT stream_id, stream_revision::text AS stream_revision, global_position::text AS global_position, transaction_id::text AS transaction_id
       FROM ${this.schema}.events e WHERE e.event_id = ANY($1::uuid[]) ORDER BY e.stream_revision`,
      [events.map((e) => e.id)],
    );
    if (found.rows.length === 0) return undefined;
    if (found.rows.length !== events.length || found.rows.some((r) => r.stream_id !== streamId)) {
      throw new IdempotencyViolationError(streamId, found.rows.map((r) => r.stream_id));
    }
    const last = found.rows[found.rows.length - 1];
    return {
      nextExpectedRevision: BigInt(last.stream_revision),
      position: { commit: BigInt(last.transaction_id), prepare: BigInt(last.global_position) },
      appended: false,
    };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    const limit = options.maxCount ?? 1000;
    const from = options.fromRevision ?? (backwards ? BigInt(Number.MAX_SAFE_INTEGER) : 0n);
    const r = await this.sql.query<EventRow>(
      `SELECT ${COLUMNS} FROM ${this.schema}.events e
       WHERE e.stream_id = $1 AND e.stream_revision ${backwards ? '<=' : '>='} $2::bigint
       ORDER BY e.stream_revision ${backwards ? 'DESC' : 'ASC'} LIMIT $3`,
      [streamId, String(from), limit],
    );
    return r.rows.map(toRecorded);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const after = options.after ?? START;
    const r = await this.sql.query<EventRow>(
      `SELECT ${COLUMNS} FROM ${this.schema}.events e
       WHERE (e.transaction_id, e.global_position) > ($1::text::xid8, $2::bigint)
         AND e.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
       ORDER BY e.transaction_id, e.global_position LIMIT $3`,
      [String(after.commit < 0n ? 0n : after.commit), String(after.prepare), options.maxCount ?? 1000],
    );
    return r.rows.map(toRecorded);
  }

  subscribeToAll(options: SubscribeToAllOptions): Subscription {
    return pollingSubscription({
      readAll: (after: GlobalPosition | undefined, maxCount: number) => this.readAll({ after, maxCount }),
      pollIntervalMs: this.pollIntervalMs,
      onLocalAppend: (wake) => {
        this.localAppends.add(wake);
        return () => this.localAppends.delete(wake);
      },
      ...options,
    });
  }

  async ping(): Promise<void> {
    await this.sql.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.sql.close();
  }
}

function toRecorded(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    streamId: row.stream_id,
    revision: BigInt(row.stream_revision),
    position: { commit: BigInt(row.transaction_id), prepare: BigInt(row.global_position) },
    type: row.type,
    schemaVersion: row.schema_version,
    data: row.data,
    metadata: row.metadata,
    recordedAt: new Date(row.recorded_at).toISOString(),
  };
}
