import type { SqlExecutor, SqlResult } from '@crm/sql';

/** What the runner holds: a TypeORM `DataSource`, or the `EntityManager` of one of its transactions. */
export interface TypeormQueryable {
  query(text: string, params?: unknown[]): Promise<unknown>;
}

/**
 * A TypeORM data source or transaction as the SQL port's `SqlExecutor`, so code written against the
 * port (the checkpoint store) runs inside the runner's own transaction — its writes commit or roll
 * back with the read-model change. TypeORM's PostgreSQL driver answers UPDATE and DELETE with
 * `[rows, affected]` and anything else with the rows; `rowCount` is the affected count for the
 * former and the number of rows returned otherwise.
 */
export function typeormExecutor(db: TypeormQueryable): SqlExecutor {
  return {
    async query<Row = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<SqlResult<Row>> {
      const raw = await db.query(text, params ? [...params] : undefined);
      if (Array.isArray(raw) && raw.length === 2 && Array.isArray(raw[0]) && typeof raw[1] === 'number') return { rows: raw[0] as Row[], rowCount: raw[1] };
      const rows = Array.isArray(raw) ? (raw as Row[]) : [];
      return { rows, rowCount: rows.length };
    },
  };
}
