import { randomBytes, randomUUID } from 'node:crypto';
import { assertIdentifier } from '@crm/sql';

/** Anything that runs a query: a `SqlClient`/`SqlExecutor` (`{ rows }`) or a TypeORM manager (rows). */
export interface Queryable {
  query(text: string, params?: unknown[]): Promise<unknown>;
}

const rowsOf = <T>(result: unknown): T[] => (Array.isArray(result) ? result : ((result as { rows?: T[] })?.rows ?? [])) as T[];

export interface SubjectKey {
  keyId: string;
  key: Buffer;
}

/**
 * The data subjects' keys, in their own table (`<platform schema>.personal_data_keys`): never in an
 * event, never on the bus, never logged. A subject may have several keys (one created after an
 * erasure seals what is recorded later); destroying a subject's keys is the erasure.
 */
export class PersonalDataKeys {
  readonly table: string;

  constructor(schema = 'platform') {
    this.table = `${assertIdentifier(schema)}.personal_data_keys`;
  }

  ddl(): string[] {
    return [
      `CREATE SCHEMA IF NOT EXISTS ${this.table.split('.')[0]}`,
      `CREATE TABLE IF NOT EXISTS ${this.table} (
        key_id uuid PRIMARY KEY,
        subject text NOT NULL,
        key bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`,
      `CREATE INDEX IF NOT EXISTS personal_data_keys_subject ON ${this.table} (subject)`,
    ];
  }

  async migrate(db: Queryable): Promise<void> {
    for (const statement of this.ddl()) await db.query(statement);
  }

  /** A key of each subject to seal new values with: its newest one, created when it has none. */
  async forSealing(db: Queryable, subjects: readonly string[]): Promise<Map<string, SubjectKey>> {
    const wanted = [...new Set(subjects)];
    const found = new Map<string, SubjectKey>();
    if (wanted.length === 0) return found;
    const existing = rowsOf<{ subject: string; key_id: string; key: Buffer | Uint8Array }>(
      await db.query(
        `SELECT DISTINCT ON (subject) subject, key_id::text AS key_id, key FROM ${this.table} WHERE subject = ANY($1::text[]) ORDER BY subject, created_at DESC`,
        [wanted],
      ),
    );
    for (const r of existing) found.set(r.subject, { keyId: r.key_id, key: Buffer.from(r.key) });
    const missing = wanted.filter((s) => !found.has(s));
    if (missing.length > 0) {
      // Two writers may both create one for a new subject: both keys work, each value names its own.
      const created = missing.map((subject) => ({ subject, keyId: randomUUID(), key: randomBytes(32) }));
      await db.query(`INSERT INTO ${this.table} (key_id, subject, key) SELECT * FROM unnest($1::uuid[], $2::text[], $3::bytea[])`, [
        created.map((c) => c.keyId),
        created.map((c) => c.subject),
        created.map((c) => c.key),
      ]);
      for (const c of created) found.set(c.subject, { keyId: c.keyId, key: c.key });
    }
    return found;
  }

  /** The keys with these ids that still exist (a destroyed one is simply absent). */
  async byId(db: Queryable, keyIds: readonly string[]): Promise<Map<string, Buffer>> {
    const ids = [...new Set(keyIds)];
    if (ids.length === 0) return new Map();
    const found = rowsOf<{ key_id: string; key: Buffer | Uint8Array }>(
      await db.query(`SELECT key_id::text AS key_id, key FROM ${this.table} WHERE key_id = ANY($1::uuid[])`, [ids]),
    );
    return new Map(found.map((r) => [r.key_id, Buffer.from(r.key)]));
  }

  /** Destroys every key of these subjects; returns how many there were. */
  async destroy(db: Queryable, subjects: readonly string[]): Promise<number> {
    if (subjects.length === 0) return 0;
    const gone = rowsOf<{ key_id: string }>(
      await db.query(`DELETE FROM ${this.table} WHERE subject = ANY($1::text[]) RETURNING key_id::text AS key_id`, [[...subjects]]),
    );
    return gone.length;
  }
}
