import { migrateReadModels, pendingSchemaChanges, READ_MODEL_MIGRATIONS_TABLE, ReadModelSchemaDriftError } from '@crm/platform';
import { prepareCustomerSearch } from '@crm/relationship-read-models';
import { PgliteSession } from '@crm/sql-clients';
import { Column, DataSource, Entity, PrimaryColumn } from 'typeorm';
import { loadServiceReadModels, schemaDelta, servicesWithReadModels } from './generate-read-model-migration';

// Versioned read-model migrations (docs/operations.md "Migrations"), on the embedded PGlite: every
// service's migrations build exactly its entities' tables — an entity changed without a migration
// fails here, naming the service — and a database an older version synchronised adopts them.

const services = servicesWithReadModels();
// One PGlite for the whole file (opening one costs seconds); each case starts from an empty schema.
let session: PgliteSession;
beforeAll(async () => {
  session = await PgliteSession.open();
});
afterAll(async () => {
  await session?.close();
});

async function withDataSource<T>(
  service: string,
  run: (ds: DataSource) => Promise<T>,
  options: { synchronize?: boolean; extraEntities?: Function[] } = {},
): Promise<T> {
  const { schema, entities, migrations } = loadServiceReadModels(service);
  {
    await session.sqlClient().exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`);
    const ds = new DataSource({
      type: 'postgres',
      driver: session.pgDriver(),
      schema,
      entities: [...entities, ...(options.extraEntities ?? [])],
      migrations,
      migrationsTableName: READ_MODEL_MIGRATIONS_TABLE,
      synchronize: options.synchronize ?? false,
    });
    await ds.initialize();
    try {
      return await run(ds);
    } finally {
      await ds.destroy();
    }
  }
}

describe('read-model migrations', () => {
  it('every service with read models has migrations', () => {
    expect(services).toEqual(['analytics', 'marketing', 'partner-portal', 'sales', 'service']);
    for (const service of services) expect(loadServiceReadModels(service).migrations.length).toBeGreaterThan(0);
  });

  it.each(services)('%s: the migrations on an empty schema give exactly the entities’ tables (if not: generate the migration for it)', async (service) => {
    const delta = await schemaDelta(service, session);
    expect({ service, missingFromMigrations: delta.up }).toEqual({ service, missingFromMigrations: [] });
  });

  it.each(services)('%s: a database the old synchronize created adopts the migrations without failing, and matches after', async (service) => {
    const { schema, migrations } = loadServiceReadModels(service);
    // The database an older version left: the tables its synchronize made — the entities as they
    // were when the baseline was generated — and no migrations table. While the baseline is the
    // only migration that is today's synchronize itself; once later migrations exist, the
    // baseline's own statements (what that synchronize ran) stand in for it.
    const onlyBaseline = migrations.length === 1;
    await withDataSource(
      service,
      async (ds) => {
        if (!onlyBaseline) {
          const runner = ds.createQueryRunner();
          try {
            await new migrations[0]().up(runner);
          } finally {
            await runner.release();
          }
        }
        // The trigram indexes each start adds beside the entities (not the entities': never drift).
        await prepareCustomerSearch(ds.manager);
        const applied = await migrateReadModels(ds, { schema, exclusive: false });
        expect(applied).toEqual(migrations.map((m) => new m().name));
        expect(await pendingSchemaChanges(ds)).toEqual([]);
        // Run again (the next pod, the next Job): nothing to do.
        expect(await migrateReadModels(ds, { schema, exclusive: false })).toEqual([]);
      },
      { synchronize: onlyBaseline },
    );
  });

  it('an index a crashed rebuild dropped is created again at start; any other drift refuses to start, naming what is missing', async () => {
    @Entity({ name: 'drift_probe' })
    class DriftProbe {
      @PrimaryColumn({ type: 'text' }) id!: string;
      @Column({ type: 'integer' }) n!: number;
    }
    await withDataSource('sales', async (ds) => {
      await migrateReadModels(ds, { schema: 'sales', exclusive: false });
      await ds.query('DROP INDEX sales.lead_list_owner');
      expect(await migrateReadModels(ds, { schema: 'sales', exclusive: false })).toEqual([]);
      const [{ n }] = (await ds.query(`SELECT count(*)::int AS n FROM pg_indexes WHERE schemaname = 'sales' AND indexname = 'lead_list_owner'`)) as {
        n: number;
      }[];
      expect(n).toBe(1);
    });
    await withDataSource(
      'sales',
      async (ds) => {
        const failure = await migrateReadModels(ds, { schema: 'sales', exclusive: false }).catch((e: unknown) => e);
        expect(failure).toBeInstanceOf(ReadModelSchemaDriftError);
        expect((failure as ReadModelSchemaDriftError).queries.join('\n')).toContain('"sales"."drift_probe"');
        expect((failure as Error).message).toContain('generate-read-model-migration');
      },
      { extraEntities: [DriftProbe] },
    );
  });
});
