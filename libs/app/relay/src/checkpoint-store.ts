import { formatPosition, parsePosition, type GlobalPosition } from '@crm/event-store';
import { assertIdentifier } from '@crm/sql';
import type { SqlClient, SqlExecutor } from '@crm/sql';

/** Durable "how far have I got" for followers of the event store's global order. */
export interface CheckpointStore {
  load(name: string): Promise<GlobalPosition | undefined>;
  save(name: string, position: GlobalPosition, db?: SqlExecutor): Promise<void>;
}

export class SqlCheckpointStore implements CheckpointStore {
  private readonly table: string;
  constructor(private readonly sql: SqlClient, schema = 'platform') {
    this.table = `${assertIdentifier(schema)}.checkpoints`;
  }

  async migrate(): Promise<void> {
    const schema = this.table.split('.')[0];
    await this.sql.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(7201002)');
      await tx.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await tx.query(`CREATE TABLE IF NOT EXISTS ${this.table} (
        name text PRIMARY KEY,
        position text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    });
  }

  async load(name: string): Promise<GlobalPosition | undefined> {
    const r = await this.sql.query<{ position: string }>(`SELECT position FROM ${this.table} WHERE name = $1`, [name]);
    return r.rows[0] ? parsePosition(r.rows[0].position) : undefined;
  }

  async save(name: string, position: GlobalPosition, db: SqlExecutor = this.sql): Promise<void> {
    await db.query(
      `INSERT INTO ${this.table} (name, position, updated_at) VALUES ($1, $2, now())
       ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position, updated_at = now()`,
      [name, formatPosition(position)],
    );
  }

  async reset(name: string): Promise<void> {
    await this.sql.query(`DELETE FROM ${this.table} WHERE name = $1`, [name]);
  }
}
