/**
 * The smallest SQL surface our adapters need, so the same event store / checkpoint / dedupe code
 * runs on a real PostgreSQL server (`pg`) and on embedded PGlite.
 */
export interface SqlResult<Row> {
  rows: Row[];
  rowCount: number;
}

export interface SqlExecutor {
  query<Row = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<SqlResult<Row>>;
}

export interface SqlClient extends SqlExecutor {
  /** Runs `work` in one transaction on one connection; rolls back if it throws. */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Runs a script of several statements without parameters (DDL). */
  exec(script: string): Promise<void>;
  close(): Promise<void>;
  readonly dialect: 'postgres' | 'pglite';
}

/** PostgreSQL's SQLSTATE for unique_violation. */
export const UNIQUE_VIOLATION = '23505';

export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
