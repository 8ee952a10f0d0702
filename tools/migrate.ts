/**
 * Schema migrations of the platform (run before the services start, e.g. as the Kubernetes Job
 * `crm-migrate`): the PostgreSQL event store's tables and the platform's checkpoint table (the relay's
 * and the projections' positions; a database from before they shared it is merged here), and every
 * service's read-model schema by its versioned migrations (`services/<service>/src/migrations`,
 * recorded in `<schema>.read_model_migrations`), each checked against the entities afterwards. A
 * service in distributed mode runs its own pending migrations at start too (same advisory lock), so
 * the Job only takes that work — and its failure — out of the rollout. docs/operations.md "Migrations".
 *
 *   CRM_MODE=distributed CRM_DATABASE_URL=... npm run migrate [-- --service sales]
 */
import 'reflect-metadata';
import { loadConfigOrExit, PlatformConfig } from '@crm/config';
import { PostgresEventStore } from '@crm/event-store-postgres';
import { SqlCheckpointStore } from '@crm/checkpoints';
import { migrateReadModels, READ_MODEL_MIGRATIONS_TABLE } from '@crm/platform';
import { PgSqlClient } from '@crm/sql-clients';
import { DataSource } from 'typeorm';
import { loadServiceReadModels, servicesWithReadModels } from './service-read-models';

async function main(): Promise<void> {
  const config = loadConfigOrExit(PlatformConfig);
  if (config.CRM_MODE !== 'distributed' || !config.CRM_DATABASE_URL) {
    console.error('CRM_MODE: migrations run against a PostgreSQL server (distributed mode); the embedded mode migrates itself');
    process.exit(78);
  }
  const sql = new PgSqlClient(config.CRM_DATABASE_URL);
  try {
    if (config.CRM_EVENT_STORE === 'postgres') {
      await new PostgresEventStore(sql, { schema: config.CRM_EVENT_STORE_SCHEMA }).migrate();
      console.log(`migrated event store schema ${config.CRM_EVENT_STORE_SCHEMA}`);
    }
    await new SqlCheckpointStore(sql, config.CRM_PLATFORM_SCHEMA).migrate();
    console.log(`migrated platform schema ${config.CRM_PLATFORM_SCHEMA}`);
    const only = process.argv.indexOf('--service');
    for (const service of only >= 0 ? [process.argv[only + 1]] : servicesWithReadModels()) {
      const { schema, entities, migrations } = loadServiceReadModels(service);
      await sql.exec(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      const ds = new DataSource({
        type: 'postgres',
        url: config.CRM_DATABASE_URL,
        schema,
        entities,
        migrations,
        migrationsTableName: READ_MODEL_MIGRATIONS_TABLE,
      });
      await ds.initialize();
      try {
        const applied = await migrateReadModels(ds, { schema, exclusive: true });
        console.log(`migrated read models of ${service} (schema ${schema}): ${applied.length ? applied.join(', ') : 'up to date'}`);
      } finally {
        await ds.destroy();
      }
    }
  } finally {
    await sql.close();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
