import { formatPosition, parsePosition, type GlobalPosition } from '@crm/event-store';
import { assertIdentifier, type SqlClient, type SqlExecutor } from '@crm/sql';

/** Durable "how far have I got" for followers of the event store's global order. */
export interface CheckpointStore {
  load(name: string): Promise<GlobalPosition | undefined>;
  /** `db`: a transaction to write in, so the checkpoint moves with what the follower wrote. */
  save(name: string, position: GlobalPosition, db?: SqlExecutor): Promise<void>;
}

/** One follower's row. The counters are kept by projections; the relay leaves them at zero. */
export interface Checkpoint {
  readonly name: string;
  /** The last position the follower saw (from the store) or applied (from the bus). */
  readonly position?: GlobalPosition;
  /** The id of the last event a projection applied. */
  readonly lastEventId?: string;
  /** Events a projection applied, over its life (a rebuild starts it again). */
  readonly eventsApplied: number;
  /** How far a projection's last rebuild replayed the store: a bus consumer skips what lies at or before it. */
  readonly rebuiltThrough?: GlobalPosition;
}

/** What one transaction of a follower records. */
export interface CheckpointAdvance {
  readonly name: string;
  /** Where it now stands; omitted: the stored position stays (a batch whose events carried none). */
  readonly position?: GlobalPosition;
  /** Omitted: the stored one stays. */
  readonly lastEventId?: string;
  /** Events applied in this transaction, added to `eventsApplied` (default 0). */
  readonly applied?: number;
}

/** The table the projection runner kept its checkpoints in before it shared this one. */
const LEGACY_PROJECTION_TABLE = 'projection_checkpoints';

/** Serialises this table's migrations across processes (the relay's number since the table was its own). */
const MIGRATION_LOCK = 7201002;

/**
 * THE checkpoint table of a database: `<schema>.checkpoints`, one row per follower of the store's
 * global order — the relay (by its name) and every projection (by its name; the names share one
 * namespace, as they do in `parked_events`). Every read and write of it goes through this class, on
 * any `SqlExecutor`: the platform's SQL client, or a transaction of someone else's — the projection
 * runner passes its TypeORM transaction, so a projection's checkpoint (and its dedupe records) commit
 * or roll back with its read-model change, which is what makes its effect exactly-once.
 */
export class SqlCheckpointStore implements CheckpointStore {
  readonly table: string;
  private readonly schema: string;

  /** `db`: where reads and writes go when no transaction is passed (a `SqlClient` can also migrate). */
  constructor(
    private readonly db: SqlExecutor | SqlClient,
    schema = 'platform',
  ) {
    this.schema = assertIdentifier(schema);
    this.table = `${this.schema}.checkpoints`;
  }

  /**
   * Creates or upgrades the table, idempotently and under an advisory lock (several processes may
   * start at once). A database from before the relay and the projections shared it keeps every
   * position: the relay's table gains the projections' columns, and the rows of the projection
   * runner's own table are moved in — copied and that table dropped in the same transaction, so it
   * happens exactly once. A read-only view under the old name keeps old queries working.
   * `tx`: run inside this transaction (the caller's); without it, in one of the client's own.
   */
  async migrate(tx?: SqlExecutor): Promise<void> {
    if (tx) return this.migrateIn(tx);
    if (!hasTransactions(this.db)) throw new Error('SqlCheckpointStore.migrate needs a transaction: pass one, or build the store on a SqlClient');
    await this.db.transaction((t) => this.migrateIn(t));
  }

  private async migrateIn(tx: SqlExecutor): Promise<void> {
    await tx.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
    await tx.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
    await tx.query(`CREATE TABLE IF NOT EXISTS ${this.table} (
      name text PRIMARY KEY,
      position text,
      last_event_id uuid,
      events_applied bigint NOT NULL DEFAULT 0,
      rebuilt_through text,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    // A table the relay created alone: only (name, position NOT NULL, updated_at). ALTER TABLE locks
    // the table even when it changes nothing, so alter only what is missing.
    const columns = await this.columnsOf(tx, 'checkpoints');
    if (columns.get('position') === 'NO') await tx.query(`ALTER TABLE ${this.table} ALTER COLUMN position DROP NOT NULL`);
    if (!columns.has('last_event_id')) await tx.query(`ALTER TABLE ${this.table} ADD COLUMN last_event_id uuid`);
    if (!columns.has('events_applied')) await tx.query(`ALTER TABLE ${this.table} ADD COLUMN events_applied bigint NOT NULL DEFAULT 0`);
    if (!columns.has('rebuilt_through')) await tx.query(`ALTER TABLE ${this.table} ADD COLUMN rebuilt_through text`);

    const legacy = `${this.schema}.${LEGACY_PROJECTION_TABLE}`;
    const kind = await this.relationKind(tx, LEGACY_PROJECTION_TABLE);
    if (kind === 'r') {
      const legacyColumns = await this.columnsOf(tx, LEGACY_PROJECTION_TABLE);
      // One namespace now: a relay and a projection of the same name would silently share a position.
      const clash = await tx.query<{ name: string }>(`SELECT p.projection AS name FROM ${legacy} p JOIN ${this.table} c ON c.name = p.projection ORDER BY 1`);
      if (clash.rows.length > 0) {
        throw new Error(
          `cannot merge ${legacy} into ${this.table}: both hold a checkpoint named ${clash.rows.map((r) => `"${r.name}"`).join(', ')}; rename the relay (RelayOptions.name) or the projection`,
        );
      }
      // rebuilt_through came after the table; one created before it was never migrated since has none.
      const rebuilt = legacyColumns.has('rebuilt_through') ? 'rebuilt_through' : 'NULL';
      await tx.query(`INSERT INTO ${this.table} (name, position, last_event_id, events_applied, rebuilt_through, updated_at)
        SELECT projection, last_position, last_event_id, events_applied, ${rebuilt}, updated_at FROM ${legacy}`);
      await tx.query(`DROP TABLE ${legacy}`);
    }
    if (kind !== 'v') {
      await tx.query(`CREATE VIEW ${legacy} AS
        SELECT name AS projection, last_event_id, position AS last_position, events_applied, rebuilt_through, updated_at FROM ${this.table}`);
    }
  }

  private async columnsOf(tx: SqlExecutor, table: string): Promise<Map<string, string>> {
    const r = await tx.query<{ column_name: string; is_nullable: string }>(
      'SELECT column_name, is_nullable FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2',
      [this.schema, table],
    );
    return new Map(r.rows.map((c) => [c.column_name, c.is_nullable]));
  }

  /** `r` table, `v` view, undefined when nothing has the name. */
  private async relationKind(tx: SqlExecutor, name: string): Promise<string | undefined> {
    const r = await tx.query<{ relkind: string }>(
      'SELECT c.relkind::text AS relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2',
      [this.schema, name],
    );
    return r.rows[0]?.relkind;
  }

  async load(name: string, db: SqlExecutor = this.db): Promise<GlobalPosition | undefined> {
    return (await this.read([name], db)).get(name)?.position;
  }

  /** The rows of these followers (those that have one). */
  async read(names: readonly string[], db: SqlExecutor = this.db): Promise<Map<string, Checkpoint>> {
    const r = await db.query<{ name: string; position: string | null; last_event_id: string | null; events_applied: string; rebuilt_through: string | null }>(
      `SELECT name, position, last_event_id::text AS last_event_id, events_applied::text AS events_applied, rebuilt_through FROM ${this.table} WHERE name = ANY($1::text[])`,
      [[...names]],
    );
    return new Map(
      r.rows.map((row) => [
        row.name,
        {
          name: row.name,
          position: row.position ? parsePosition(row.position) : undefined,
          lastEventId: row.last_event_id ?? undefined,
          eventsApplied: Number(row.events_applied),
          rebuiltThrough: row.rebuilt_through ? parsePosition(row.rebuilt_through) : undefined,
        },
      ]),
    );
  }

  async save(name: string, position: GlobalPosition, db: SqlExecutor = this.db): Promise<void> {
    await this.advance([{ name, position }], db);
  }

  /**
   * Records several followers' progress with one statement (the projection runner: every projection
   * of a batch). Rows are written in name order, so concurrent transactions take their row locks
   * in the same order and never deadlock.
   */
  async advance(advances: readonly CheckpointAdvance[], db: SqlExecutor = this.db): Promise<void> {
    if (advances.length === 0) return;
    const rows = [...advances]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((a) => ({ name: a.name, position: a.position ? formatPosition(a.position) : null, last_event_id: a.lastEventId ?? null, applied: a.applied ?? 0 }));
    await db.query(
      `INSERT INTO ${this.table} AS c (name, position, last_event_id, events_applied, updated_at)
       SELECT name, position, last_event_id, applied, now()
       FROM jsonb_to_recordset($1::jsonb) AS r(name text, position text, last_event_id uuid, applied bigint)
       ON CONFLICT (name) DO UPDATE SET
         position = COALESCE(EXCLUDED.position, c.position),
         last_event_id = COALESCE(EXCLUDED.last_event_id, c.last_event_id),
         events_applied = c.events_applied + EXCLUDED.events_applied, updated_at = now()`,
      [JSON.stringify(rows)],
    );
  }

  /** After a rebuild: what it replayed (each one's position) becomes the floor below which the bus is skipped. */
  async markRebuilt(names: readonly string[], db: SqlExecutor = this.db): Promise<void> {
    await db.query(`UPDATE ${this.table} SET rebuilt_through = position, updated_at = now() WHERE name = ANY($1::text[])`, [[...names]]);
  }

  /** Forgets these followers' rows: they start again from the beginning. */
  async reset(names: string | readonly string[], db: SqlExecutor = this.db): Promise<void> {
    await db.query(`DELETE FROM ${this.table} WHERE name = ANY($1::text[])`, [typeof names === 'string' ? [names] : [...names]]);
  }
}

function hasTransactions(db: SqlExecutor | SqlClient): db is SqlClient {
  return typeof (db as Partial<SqlClient>).transaction === 'function';
}
