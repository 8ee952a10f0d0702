/**
 * Schema migrations of the platform (run before the services start, e.g. as the Kubernetes Job
 * `crm-migrate`): the PostgreSQL event store's tables and the platform's checkpoint table (the relay's
 * and the projections' positions; a database from before they shared it is merged here). Read
 * model tables are created by each service at start-up under an advisory lock.
 */
import 'reflect-metadata';
import { loadConfigOrExit, PlatformConfig } from '@crm/config';
import { PostgresEventStore } from '@crm/event-store-postgres';
import { SqlCheckpointStore } from '@crm/checkpoints';
import { PgSqlClient } from '@crm/sql-clients';

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
  } finally {
    await sql.close();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
