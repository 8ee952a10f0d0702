import { randomBytes } from 'node:crypto';
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
  type PolledPage,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeToAllOptions,
  type Subscription,
} from '@crm/event-store';
import { pollingSubscription } from '@crm/event-store';
import { sqlState, UNIQUE_VIOLATION, type SqlClient, type SqlExecutor, type SqlListener } from '@crm/sql';
import { assertIdentifier } from '@crm/sql';
import { CONCURRENCY_CONFLICT, eventsChannel, eventStoreDdl, IDEMPOTENCY_VIOLATION } from './schema';

export interface PostgresEventStoreOptions {
  /** Schema holding the store's tables; default `event_store`. */
  schema?: string;
  /**
   * How often a caught-up subscription looks for events written by other processes when it has no
   * LISTEN connection (PGlite, `listen: false`, or while the connection is being re-established).
   * Default 50 ms.
   */
  pollIntervalMs?: number;
  /**
   * Subscribe to the append function's notifications (PostgreSQL server only: the client must offer
   * `listen`), so subscribers wake within milliseconds of another process's commit. Default true.
   */
  listen?: boolean;
  /** The poll interval while LISTEN is in effect — a fallback only. Default 500 ms. */
  fallbackPollIntervalMs?: number;
  /** Coalesces wake-ups of subscriptions (`pollingSubscription`'s `minWakeIntervalMs`). Default 0. */
  minWakeIntervalMs?: number;
  /**
   * Told when the LISTEN connection fails or drops (it reconnects by itself; polling covers the gap).
   * Default: a warning on stderr.
   */
  onListenerError?: (error: unknown) => void;
}

/** What the LISTEN side of a store has done, for health checks, tests and benchmarks. */
export interface PostgresEventStoreWakeStats {
  /** True while a LISTEN connection is in effect (the poll interval is then the fallback one). */
  listening: boolean;
  /** Notifications from other stores (other processes) received. */
  notifications: number;
  /** Times the LISTEN connection was lost or could not be opened. */
  connectionLosses: number;
  /** Times LISTEN was re-established after a loss. */
  reconnects: number;
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
  private readonly channel: string;
  private readonly pollIntervalMs: number;
  private readonly fallbackPollIntervalMs: number;
  private readonly minWakeIntervalMs: number;
  private readonly listenEnabled: boolean;
  private readonly onListenerError: (error: unknown) => void;
  /** Marks this store's own notifications: its subscribers are already woken locally. */
  private readonly instanceId = randomBytes(6).toString('hex');
  /** Wake-ups of this store's caught-up subscriptions. */
  private readonly wakers = new Set<() => void>();
  private listener?: Promise<SqlListener | undefined>;
  private listenerUsers = 0;
  private listenerClosing: Promise<void> = Promise.resolve();
  private readonly stats: PostgresEventStoreWakeStats = { listening: false, notifications: 0, connectionLosses: 0, reconnects: 0 };

  constructor(
    private readonly sql: SqlClient,
    options: PostgresEventStoreOptions = {},
  ) {
    this.schema = assertIdentifier(options.schema ?? 'event_store');
    this.channel = eventsChannel(this.schema);
    this.pollIntervalMs = options.pollIntervalMs ?? 50;
    this.fallbackPollIntervalMs = options.fallbackPollIntervalMs ?? 500;
    this.minWakeIntervalMs = options.minWakeIntervalMs ?? 0;
    this.listenEnabled = options.listen ?? true;
    this.onListenerError =
      options.onListenerError ??
      ((error) => console.warn(`[event-store ${this.schema}] LISTEN connection: ${error instanceof Error ? error.message : String(error)}`));
  }

  /**
   * Creates the tables and the append function if missing, or upgrades them; safe to run from
   * several processes at once (one advisory lock serialises them; every statement is idempotent).
   */
  async migrate(): Promise<void> {
    await this.sql.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(7201001)');
      for (const statement of eventStoreDdl(this.schema)) await tx.query(statement);
    });
  }

  /** One autocommit statement: the append function does lock, checks, insert and notify server-side. */
  async appendToStream(streamId: string, events: readonly NewEvent[], options: { expectedRevision?: ExpectedRevision } = {}): Promise<AppendResult> {
    validateNewEvents(streamId, events);
    const expected = options.expectedRevision ?? 'any';
    let answer: [revision: string, transactionId: string, globalPosition: string, appended: string];
    try {
      const r = await this.sql.query<{ r: typeof answer }>(`SELECT ${this.schema}.append_events($1, $2, $3::jsonb, $4) AS r`, [
        streamId,
        typeof expected === 'bigint' ? expected.toString() : expected,
        // One jsonb document for the whole batch: measurably cheaper than five array parameters.
        JSON.stringify(events.map((e) => ({ id: e.id, type: e.type, schemaVersion: e.schemaVersion ?? 1, data: e.data ?? null, metadata: e.metadata }))),
        this.instanceId,
      ]);
      answer = r.rows[0].r;
    } catch (error) {
      const state = sqlState(error);
      const detail = (error as { detail?: unknown }).detail;
      if (state === CONCURRENCY_CONFLICT) {
        throw new ConcurrencyConflictError(streamId, expected, typeof detail === 'string' && detail !== '' ? BigInt(detail) : undefined);
      }
      if (state === IDEMPOTENCY_VIOLATION) {
        throw new IdempotencyViolationError(streamId, typeof detail === 'string' && detail ? detail.split(',') : []);
      }
      // The function resolves races on event ids itself (ON CONFLICT waits for the other writer).
      // Only a row written around it (not through append_events) can still trip a unique index;
      // answer as a retry would be answered if the batch is stored, else report the error.
      if (state === UNIQUE_VIOLATION) {
        const existing = await this.findExisting(this.sql, streamId, events);
        if (existing) return existing;
      }
      throw error;
    }
    const result: AppendResult = {
      nextExpectedRevision: BigInt(answer[0]),
      position: { commit: BigInt(answer[1]), prepare: BigInt(answer[2]) },
      appended: String(answer[3]) === '1',
    };
    if (result.appended) this.wakeAll();
    return result;
  }

  /** Idempotency: the whole batch already stored in this stream → the earlier result; part of it → error. */
  private async findExisting(db: SqlExecutor, streamId: string, events: readonly NewEvent[]): Promise<AppendResult | undefined> {
    const found = await db.query<{ event_id: string; stream_id: string; stream_revision: string; global_position: string; transaction_id: string }>(
      `SELECT e.event_id::text AS event_id, e.stream_id, e.stream_revision::text AS stream_revision,
              e.global_position::text AS global_position, e.transaction_id::text AS transaction_id
       FROM ${this.schema}.events e WHERE e.event_id = ANY($1::uuid[]) ORDER BY e.stream_revision`,
      [events.map((e) => e.id)],
    );
    if (found.rows.length === 0) return undefined;
    if (found.rows.length !== events.length || found.rows.some((r) => r.stream_id !== streamId)) {
      throw new IdempotencyViolationError(
        streamId,
        found.rows.map((r) => r.event_id),
      );
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
      positionParams(after, options.maxCount ?? 1000),
    );
    return r.rows.map(toRecorded);
  }

  /**
   * `readAll` plus whether committed events after the page are held back because an older
   * transaction is still in flight: then the subscription looks again within milliseconds rather
   * than waiting for a notification that the older transaction may never send (it need not be an
   * append — any writing transaction on the database holds the horizon back).
   */
  private async readPage(after: GlobalPosition | undefined, maxCount: number): Promise<PolledPage> {
    // The horizon bounds both index scans (the expression is stable within the statement). The probe
    // starts at the horizon with a scalar bound: a row comparison there would make the btree start
    // from `after` and walk every visible entry; given tx >= $1, (tx, pos) > ($1, $2) is the OR.
    const r = await this.sql.query<EventRow & { held_back: boolean }>(
      `SELECT p.*, EXISTS (
         SELECT 1 FROM ${this.schema}.events e
         WHERE e.transaction_id >= greatest(pg_snapshot_xmin(pg_current_snapshot()), $1::text::xid8)
           AND (e.transaction_id > $1::text::xid8 OR e.global_position > $2::bigint)) AS held_back
       FROM (SELECT 1) one LEFT JOIN (
         SELECT ${COLUMNS} FROM ${this.schema}.events e
         WHERE (e.transaction_id, e.global_position) > ($1::text::xid8, $2::bigint)
           AND e.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
         ORDER BY e.transaction_id, e.global_position LIMIT $3) p ON true`,
      positionParams(after ?? START, maxCount),
    );
    const rows = r.rows.filter((row) => row.event_id !== null);
    return { events: rows.map(toRecorded), heldBack: r.rows.length > 0 && r.rows[0].held_back };
  }

  subscribeToAll(options: SubscribeToAllOptions): Subscription {
    // LISTEN before the first read: an append committed after that read then always wakes us.
    const listening = this.acquireListener();
    return pollingSubscription({
      readAll: async (after: GlobalPosition | undefined, maxCount: number) => {
        await listening;
        return this.readPage(after, maxCount);
      },
      pollIntervalMs: () => (this.stats.listening ? this.fallbackPollIntervalMs : this.pollIntervalMs),
      minWakeIntervalMs: this.minWakeIntervalMs,
      onLocalAppend: (wake) => {
        this.wakers.add(wake);
        return () => {
          this.wakers.delete(wake);
          this.releaseListener();
        };
      },
      ...options,
    });
  }

  /** A snapshot of the LISTEN side's counters. */
  wakeStats(): PostgresEventStoreWakeStats {
    return { ...this.stats };
  }

  private wakeAll(): void {
    for (const wake of this.wakers) wake();
  }

  /** One LISTEN connection per store, shared by its subscriptions, opened by the first. */
  private acquireListener(): Promise<void> {
    const listen = this.sql.listen?.bind(this.sql);
    if (!this.listenEnabled || !listen) return Promise.resolve();
    this.listenerUsers++;
    if (!this.listener) {
      // Callbacks of a listener that was released meanwhile (it is being closed) change nothing.
      const current = () => this.listener === opened;
      const opened: Promise<SqlListener | undefined> = this.listenerClosing.then(() =>
        listen(
          this.channel,
          (payload) => {
            if (payload === this.instanceId || !current()) return; // ours: woken locally already
            this.stats.notifications++;
            this.wakeAll();
          },
          {
            onConnectionLost: (error) => {
              if (!current()) return;
              this.stats.listening = false;
              this.stats.connectionLosses++;
              this.onListenerError(error);
              this.wakeAll(); // re-arm with the short poll interval until LISTEN is back
            },
            onReconnected: () => {
              if (!current()) return;
              this.stats.listening = true;
              this.stats.reconnects++;
              this.wakeAll(); // notifications sent while we were away are lost: look now
            },
          },
        ).then(
          (listener) => {
            if (current()) this.stats.listening = true;
            return listener;
          },
          (error: unknown) => {
            // No LISTEN: subscriptions poll at the short interval; the next first subscriber retries.
            this.stats.connectionLosses++;
            this.onListenerError(error);
            return undefined;
          },
        ),
      );
      this.listener = opened;
    }
    return this.listener.then(() => undefined);
  }

  private releaseListener(): void {
    if (!this.listener || --this.listenerUsers > 0) return;
    const listener = this.listener;
    this.listener = undefined;
    this.stats.listening = false;
    this.listenerClosing = listener.then((l) => l?.close()).catch(() => undefined);
  }

  async ping(): Promise<void> {
    await this.sql.query('SELECT 1');
  }

  async close(): Promise<void> {
    const listener = this.listener;
    this.listener = undefined;
    this.listenerUsers = 0;
    this.stats.listening = false;
    await this.listenerClosing;
    await listener?.then((l) => l?.close()).catch(() => undefined);
    await this.sql.close();
  }
}

function positionParams(after: GlobalPosition, maxCount: number): unknown[] {
  return [String(after.commit < 0n ? 0n : after.commit), String(after.prepare), maxCount];
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
