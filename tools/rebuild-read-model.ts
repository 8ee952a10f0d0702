/**
 * Rebuilds read models from position zero of the event store.
 *
 *   npm run rebuild-read-model -- --service analytics [--projection customer-activity]
 *   npm run rebuild-read-model -- --module path/to/read-models.ts [--projection NAME]
 *
 * Uses the same CRM_* settings as the services (embedded PGlite under CRM_DATA_DIR by default, or
 * distributed PostgreSQL). A read-models module exports `readModels: ReadModel[]`. Stop the
 * service's consumers first: the rebuild empties the tables, then replays.
 */
import path from 'node:path';
import { loadConfigOrExit, PlatformConfig } from '@crm/config';
import { createPlatform } from '@crm/platform';
import { ProjectionRunner, type Projection, type ReadModelsModule } from '@crm/projections';
import { toIntegrationEvent } from '@crm/relay';

export async function rebuild(argv: string[], env: Record<string, string | undefined> = process.env): Promise<Record<string, number>> {
  const arg = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const service = arg('service');
  const modulePath = arg('module') ?? (service ? `services/${service}/src/read-models.ts` : undefined);
  if (!modulePath) throw new Error('usage: rebuild-read-model --service NAME | --module PATH [--projection NAME]');
  // Loaded by path at run time: this tool hosts any service's read models without importing services.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(path.resolve(modulePath)) as ReadModelsModule;
  const wanted = arg('projection');
  const selected = mod.readModels.filter((m) => !wanted || m.projection.name === wanted);
  if (selected.length === 0)
    throw new Error(`no read model ${wanted ?? ''} in ${modulePath}; known: ${mod.readModels.map((m) => m.projection.name).join(', ')}`);

  const config = loadConfigOrExit(PlatformConfig, env);
  const platform = await createPlatform(config, { registry: mod.registry, clientId: 'crm-rebuild' });
  const counts: Record<string, number> = {};
  // The read models of one schema are rebuilt together, by one runner: one pass over the store
  // for all of them (a service's nine read models: one read of every event instead of nine).
  const bySchema = new Map<string, Projection[]>();
  for (const { projection, schema } of selected) bySchema.set(schema, [...(bySchema.get(schema) ?? []), projection]);
  try {
    for (const [schema, projections] of bySchema) {
      const entities = [...new Set(projections.flatMap((p) => [...p.entities]))] as Function[];
      const ds = await platform.createDataSource(entities, { schema });
      const runner = new ProjectionRunner(ds, projections, { schema: config.CRM_PLATFORM_SCHEMA, group: `rebuild.${schema}` });
      await runner.migrate();
      await runner.rebuild(platform.eventStore, mod.registry, toIntegrationEvent);
      for (const projection of projections) {
        counts[projection.name] = (await runner.status(projection.name))?.eventsApplied ?? 0;
        console.log(`rebuilt ${projection.name}: ${counts[projection.name]} events applied`);
      }
    }
  } finally {
    await platform.close();
  }
  return counts;
}

if (require.main === module) {
  rebuild(process.argv.slice(2)).catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
