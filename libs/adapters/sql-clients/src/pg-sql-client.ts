import { Client, Pool, type ClientConfig, type PoolConfig } from 'pg';
import type { ListenOptions, SqlClient, SqlExecutor, SqlListener, SqlResult } from '@crm/sql';

export class PgSqlClient implements SqlClient {
  readonly dialect = 'postgres' as const;
  readonly pool: Pool;
  private readonly config: PoolConfig;

  constructor(config: PoolConfig | string) {
    // A connection attempt that hangs (a server restarting, a half-open socket) fails after 10 s
    // instead of holding its caller forever; callers retry.
    this.config = { connectionTimeoutMillis: 10_000, keepAlive: true, ...(typeof config === 'string' ? { connectionString: config } : config) };
    this.pool = new Pool(this.config);
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

  /**
   * LISTEN on a dedicated connection outside the pool (a pooled connection would be handed to other
   * queries and stop listening). After a loss it reconnects with backoff, reporting the loss and the
   * recovery through `options`.
   */
  async listen(channel: string, onNotify: (payload: string) => void, options: ListenOptions = {}): Promise<SqlListener> {
    const listener = new PgListener({ ...this.config }, channel, onNotify, options);
    await listener.start();
    return listener;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

class PgListener implements SqlListener {
  private client?: Client;
  private closed = false;
  private timer?: NodeJS.Timeout;
  private delayMs: number;

  constructor(
    private readonly config: ClientConfig,
    private readonly channel: string,
    private readonly onNotify: (payload: string) => void,
    private readonly options: ListenOptions,
  ) {
    this.delayMs = this.minDelay;
  }

  private get minDelay(): number {
    return this.options.reconnectDelayMs?.min ?? 50;
  }

  async start(): Promise<void> {
    await this.connect();
  }

  private async connect(): Promise<void> {
    const client = new Client({
      // A half-open TCP connection would otherwise listen to nothing forever (polling still covers it).
      keepAlive: true,
      keepAliveInitialDelayMillis: 10000,
      connectionTimeoutMillis: 10000,
      ...this.config,
    });
    // Events of a client that is not (or no longer) the current one are ignored: a failed connect
    // is reported by its rejection, and one loss is reported once even if pg emits error and end.
    const lost = (error: unknown) => {
      if (this.client !== client) return;
      this.client = undefined;
      client.end().catch(() => undefined);
      if (this.closed) return;
      this.options.onConnectionLost?.(error);
      this.scheduleReconnect();
    };
    client.on('error', lost);
    client.on('end', () => lost(new Error('LISTEN connection ended')));
    client.on('notification', (message) => {
      if (this.client === client && !this.closed && message.channel === this.channel) this.onNotify(message.payload ?? '');
    });
    try {
      await client.connect();
      await client.query(`LISTEN "${this.channel.replace(/"/g, '""')}"`);
    } catch (error) {
      client.end().catch(() => undefined);
      throw error;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
  }

  private scheduleReconnect(): void {
    if (this.closed || this.timer) return;
    const delay = this.delayMs;
    this.delayMs = Math.min(this.delayMs * 2, this.options.reconnectDelayMs?.max ?? 5000);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.connect().then(
        () => {
          if (this.closed) return;
          this.delayMs = this.minDelay;
          this.options.onReconnected?.();
        },
        (error: unknown) => {
          if (this.closed) return;
          this.options.onConnectionLost?.(error);
          this.scheduleReconnect();
        },
      );
    }, delay);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}
