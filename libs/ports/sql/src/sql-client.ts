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
  /**
   * LISTEN on `channel` over a dedicated connection (PostgreSQL server only; absent on PGlite, which
   * is one process). Resolves once LISTEN is in effect; rejects if that first connection fails.
   */
  listen?(channel: string, onNotify: (payload: string) => void, options?: ListenOptions): Promise<SqlListener>;
}

export interface ListenOptions {
  /**
   * The connection dropped (server restart, `pg_terminate_backend`, network) or a reconnection
   * attempt failed. The listener keeps retrying with backoff; notifications sent meanwhile are lost.
   */
  onConnectionLost?(error: unknown): void;
  /** LISTEN is in effect again after a loss: anything notified in between was missed, so look now. */
  onReconnected?(): void;
  /** First and last delay between reconnection attempts (doubling); default 50 ms … 5 s. */
  reconnectDelayMs?: { min: number; max: number };
}

export interface SqlListener {
  /** Stops listening and closes the dedicated connection; no callback fires afterwards. */
  close(): Promise<void>;
}

/** PostgreSQL's SQLSTATE for unique_violation. */
export const UNIQUE_VIOLATION = '23505';

export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
