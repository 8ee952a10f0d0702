import { Pool, type PoolConfig } from 'pg';
import type { SqlClient, SqlExecutor, SqlResult } from './sql-client';

export class PgSqlClient implements SqlClient {
  readonly dialect = 'postgres' as const;
  readonly pool: Pool;

  constructor(config: PoolConfig | string) {
    this.pool = new Pool(typeof config === 'string' ? { connectionString: config } : config);
    // An idle client that dies (server restart) must not crash the process; the next query reconnects.
    this.pool.on('error', () => undefined);
  }

  async query<Row>(text: string, params?: readonly unknown[]): Promise<SqlResult<Row>> {
    const r = await this.pool.query(text, params as unknown[]);
    return { rows: r.rows as Row[], rowCount: r.rowCount ?? 0 };
  }

  async exec(script: string): Promise<void> {
    await this.pool.query(script);
  }

  async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const tx: SqlExecutor = {
        query: async <Row>(text: string, params?: readonly unknown[]) => {
          const r = await client.query(text, params as unknown[]);
          return { rows: r.rows as Row[], rowCount: r.rowCount ?? 0 };
        },
      };
      const result = await work(tx);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
