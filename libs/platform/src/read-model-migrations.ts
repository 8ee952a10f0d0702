import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';

/** A migration class of a service's read models (TypeORM's: `up`/`down` over a query runner). */
export type ReadModelMigration = new () => MigrationInterface;

/** Where TypeORM records the migrations applied to a read-model schema (in that schema). */
export const READ_MODEL_MIGRATIONS_TABLE = 'read_model_migrations';

/** The schema of a read-model data source differs from its entities: a change without a migration. */
export class ReadModelSchemaDriftError extends Error {
  override readonly name = 'ReadModelSchemaDriftError';
  constructor(
    readonly schema: string,
    readonly queries: readonly string[],
  ) {
    super(
      `the read-model tables of schema ${schema} do not match their entities after the migrations ` +
        `(${queries.length} change(s) missing, first: ${queries[0]}); an entity changed without a migration: ` +
        `npm run generate-read-model-migration -- --service <service> --name <what changed>, or run npm run migrate if the migrations are newer than the database`,
    );
  }
}

/**
 * What TypeORM's schema builder would change to make the tables match the entities (empty: they
 * match). Without the statements that set a column's default to the one it already has: TypeORM
 * reports a function default such as `'[]'::jsonb` as changed on every comparison (the old
 * synchronize re-ran it at every start), which is no change at all.
 */
export async function pendingSchemaChanges(ds: DataSource): Promise<string[]> {
  const sql = await ds.driver.createSchemaBuilder().log();
  const pending: string[] = [];
  for (const { query } of sql.upQueries) if (!(await changesNothing(ds, query))) pending.push(query);
  return pending;
}

/** A statement that sets a column's default to the default the column has now. */
export async function changesNothing(ds: DataSource, query: string): Promise<boolean> {
  const setDefault = /^ALTER TABLE "([^"]+)"\."([^"]+)" ALTER COLUMN "([^"]+)" SET DEFAULT (.+)$/s.exec(query.trim());
  if (!setDefault) return false;
  const [, schema, table, column, value] = setDefault;
  const rows = (await ds.query(`SELECT column_default FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 AND column_name = $3`, [
    schema,
    table,
    column,
  ])) as { column_default: string | null }[];
  return rows[0]?.column_default === value.trim();
}

/**
 * Index creations only: what a full rebuild leaves missing when it crashed after dropping the
 * indexes it defers (`rebuildDeferredIndexes`). Safe to run at any start: they add, never change.
 */
const isIndexCreation = (query: string) => /^CREATE (UNIQUE )?INDEX /i.test(query.trim());

/**
 * Runs the data source's pending migrations (each in its own transaction) and then checks that the
 * tables match the entities. Missing indexes (a rebuild that crashed mid-way) are created again;
 * any other difference is an entity changed without a migration: `ReadModelSchemaDriftError`, and
 * the process does not start on tables its code does not match.
 *
 * `exclusive`: several processes may start at once (a server), so it runs under an advisory lock.
 * Not on PGlite, whose one session a second query runner would wait for forever.
 */
export async function migrateReadModels(ds: DataSource, options: { schema: string; exclusive: boolean }): Promise<string[]> {
  const run = async () => {
    const applied = await ds.runMigrations({ transaction: 'each' });
    const pending = await pendingSchemaChanges(ds);
    if (pending.length && pending.every(isIndexCreation)) {
      for (const query of pending) await ds.query(query);
    } else if (pending.length) {
      throw new ReadModelSchemaDriftError(options.schema, pending);
    }
    return applied.map((m) => m.name);
  };
  return options.exclusive ? withSchemaChangeLock(ds, run) : run();
}

/**
 * Runs `fn` holding the advisory lock every read-model schema change takes — migrations, and the
 * synchronisation of embedded mode and of older versions — so an old and a new pod starting during
 * a rollout (or two starting at once) never change the same schema at the same time.
 */
export async function withSchemaChangeLock<T>(ds: DataSource, fn: () => Promise<T>): Promise<T> {
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock(7201004)');
    try {
      return await fn();
    } finally {
      await runner.query('SELECT pg_advisory_unlock(7201004)');
    }
  } finally {
    await runner.release();
  }
}

/**
 * For the baseline migration of a service (its first): statements that leave what exists alone, so
 * a database whose tables the old `synchronize` created adopts the migrations without failing. The
 * drift check after the migrations then proves those tables match the entities.
 */
export async function runIdempotently(queryRunner: QueryRunner, queries: readonly string[]): Promise<void> {
  for (const query of queries) {
    const q = query.trim();
    if (/^CREATE TABLE /i.test(q)) await queryRunner.query(q.replace(/^CREATE TABLE /i, 'CREATE TABLE IF NOT EXISTS '));
    else if (/^CREATE (UNIQUE )?INDEX /i.test(q)) await queryRunner.query(q.replace(/^CREATE (UNIQUE )?INDEX /i, (m) => `${m}IF NOT EXISTS `));
    else if (/^CREATE TYPE /i.test(q) || /^ALTER TABLE .* ADD CONSTRAINT /is.test(q)) {
      // No IF NOT EXISTS for these in PostgreSQL: an existing one raises duplicate_object (or
      // duplicate_table / invalid_table_definition for a primary key or unique constraint).
      await queryRunner.query(
        `DO $migration$ BEGIN ${q}; EXCEPTION WHEN duplicate_object OR duplicate_table OR invalid_table_definition THEN NULL; END $migration$`,
      );
    } else await queryRunner.query(q);
  }
}
