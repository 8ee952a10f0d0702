import { PostgresEventStore } from '@crm/event-store-postgres';
import { PgliteSession, PgSqlClient } from '@crm/sql-clients';
import { DataSource } from 'typeorm';
import type { BenchContext } from './kit';

/** An event store and a TypeORM data source for read models, on one database, for a bench module. */
export interface ReadModelDb {
  name: 'pglite' | 'postgres';
  label: string;
  store: PostgresEventStore;
  dataSource: DataSource;
  /** Runs raw SQL on the same database (the baselines). */
  query<Row>(text: string, params?: unknown[]): Promise<Row[]>;
  close(): Promise<void>;
}

/** Embedded PGlite (in memory) always; the PostgreSQL server when the context has one. */
export async function* readModelDbs(ctx: BenchContext, schema: string, entities: Function[]): AsyncGenerator<ReadModelDb> {
  {
    const session = await PgliteSession.open();
    const sql = session.sqlClient();
    const store = new PostgresEventStore(sql, { schema: `${schema}_es` });
    await store.migrate();
    await sql.exec(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    const dataSource = new DataSource({ type: 'postgres', driver: session.pgDriver(), schema, entities, synchronize: true });
    await dataSource.initialize();
    yield {
      name: 'pglite',
      label: 'embedded PGlite (in memory)',
      store,
      dataSource,
      query: async <Row>(text: string, params?: unknown[]) => (await sql.query<Row>(text, params)).rows,
      async close() {
        await dataSource.destroy();
        await session.close();
      },
    };
  }
  if (ctx.databaseUrl) {
    const url = ctx.databaseUrl;
    const sql = new PgSqlClient({ connectionString: url, max: 4 });
    const store = new PostgresEventStore(new PgSqlClient({ connectionString: url, max: 4 }), { schema: `${schema}_es` });
    await store.migrate();
    await sql.exec(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    const dataSource = new DataSource({ type: 'postgres', url, schema, entities, synchronize: true, extra: { max: 4 } });
    await dataSource.initialize();
    yield {
      name: 'postgres',
      label: `PostgreSQL server (${new URL(url).host})`,
      store,
      dataSource,
      query: async <Row>(text: string, params?: unknown[]) => (await sql.query<Row>(text, params)).rows,
      async close() {
        await dataSource.destroy();
        await store.close();
        await sql.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE; DROP SCHEMA IF EXISTS ${schema}_es CASCADE; DROP SCHEMA IF EXISTS ${schema}_pl CASCADE`);
        await sql.close();
      },
    };
  }
}
