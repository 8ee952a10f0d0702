import { EventEmitter } from 'node:events';
import { PGlite, types } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import type { SqlClient, SqlExecutor, SqlResult } from '@crm/sql';

type Callback = (err: Error | null, result?: unknown) => void;

/**
 * PGlite is one Postgres session. Everything in the process that touches it — the event store,
 * checkpoints, TypeORM read models — must take turns through this lock, or one caller's statements
 * would land inside another caller's open transaction.
 */
export class PgliteSession {
  private tail: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(readonly db: PGlite) {}

  /** `dataDir` undefined keeps the database in memory (tests); a path keeps it on disk. */
  static async open(dataDir?: string): Promise<PgliteSession> {
    const db = await PGlite.create({
      dataDir,
      // Trigram search (customer search is typo tolerant), as PostgreSQL servers ship it.
      extensions: { pg_trgm },
      // Match node-postgres: int8 as text, so bigint columns mean the same on both drivers.
      parsers: { [types.INT8]: (value: string) => value },
      serializers: {
        [types.BOOL]: (v: unknown) => (v === true || v === 'true' || v === 1 ? 't' : v === false || v === 'false' || v === 0 ? 'f' : String(v)),
      },
    });
    return new PgliteSession(db);
  }

  /** Waits for exclusive use of the session; call `release` exactly once. */
  async acquire(): Promise<() => void> {
    if (this.closed) throw new Error('PGlite session is closed');
    let release!: () => void;
    const next = new Promise<void>((resolve) => (release = resolve));
    const previous = this.tail;
    this.tail = previous.then(() => next);
    await previous;
    let released = false;
    return () => {
      if (!released) {
        released = true;
        release();
      }
    };
  }

  async run<Row>(text: string, params?: readonly unknown[]): Promise<SqlResult<Row> & { command: string; fields: unknown[] }> {
    const command = /^\s*(\w+)/.exec(text)?.[1]?.toUpperCase() ?? '';
    if (params && params.length > 0) {
      const r = await this.db.query<Row>(text, params as unknown[]);
      return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length, command, fields: r.fields };
    }
    const results = await this.db.exec(text);
    const last = results[results.length - 1];
    const rows = (last?.rows ?? []) as Row[];
    return { rows, rowCount: last?.affectedRows ?? rows.length, command, fields: last?.fields ?? [] };
  }

  async close(): Promise<void> {
    const release = await this.acquire();
    this.closed = true;
    try {
      await this.db.close();
    } finally {
      release();
    }
  }

  /** A `SqlClient` over this session. */
  sqlClient(): SqlClient {
    return new PgliteSqlClient(this);
  }

  /**
   * A module shaped like `pg` for TypeORM's `driver` option: `new Pool().connect(cb)` hands out the
   * session exclusively until TypeORM releases it.
   */
  pgDriver(): { Pool: new () => unknown } {
    // The pg-shaped classes below are instantiated by TypeORM, so they close over the session.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const session = this;
    class PgliteClient extends EventEmitter {
      constructor(private readonly releaseLock: () => void) {
        super();
      }
      query(text: string, paramsOrCb?: unknown[] | Callback, cb?: Callback): Promise<unknown> | void {
        const params = Array.isArray(paramsOrCb) ? paramsOrCb : undefined;
        const callback = typeof paramsOrCb === 'function' ? (paramsOrCb as Callback) : cb;
        const p = session.run(text, params);
        if (callback) {
          p.then(
            (r) => callback(null, r),
            (e: Error) => callback(e),
          );
          return;
        }
        return p;
      }
      release(): void {
        this.releaseLock();
      }
    }
    class PglitePool extends EventEmitter {
      connect(cb: (err: Error | null, client?: PgliteClient, release?: () => void) => void): void {
        session.acquire().then(
          (release) => {
            const client = new PgliteClient(release);
            cb(null, client, () => client.release());
          },
          (e: Error) => cb(e),
        );
      }
      async query(text: string, params?: unknown[]): Promise<unknown> {
        const release = await session.acquire();
        try {
          return await session.run(text, params);
        } finally {
          release();
        }
      }
      end(cb?: (err: Error | null) => void): void {
        // The session outlives TypeORM's pool; its owner closes it.
        cb?.(null);
      }
    }
    return { Pool: PglitePool };
  }
}

class PgliteSqlClient implements SqlClient {
  readonly dialect = 'pglite' as const;
  constructor(private readonly session: PgliteSession) {}

  async query<Row>(text: string, params?: readonly unknown[]): Promise<SqlResult<Row>> {
    const release = await this.session.acquire();
    try {
      const r = await this.session.run<Row>(text, params ?? []);
      return { rows: r.rows, rowCount: r.rowCount };
    } finally {
      release();
    }
  }

  async exec(script: string): Promise<void> {
    const release = await this.session.acquire();
    try {
      await this.session.run(script);
    } finally {
      release();
    }
  }

  async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const release = await this.session.acquire();
    try {
      await this.session.run('BEGIN');
      const tx: SqlExecutor = {
        query: async <Row>(text: string, params?: readonly unknown[]) => {
          const r = await this.session.run<Row>(text, params ?? []);
          return { rows: r.rows, rowCount: r.rowCount };
        },
      };
      try {
        const result = await work(tx);
        await this.session.run('COMMIT');
        return result;
      } catch (error) {
        await this.session.run('ROLLBACK').catch(() => undefined);
        throw error;
      }
    } finally {
      release();
    }
  }

  async close(): Promise<void> {
    // The session is shared; its owner closes it.
  }
}
