/**
 * The read models each service declares in `services/<service>/src/read-models.ts`, loaded by path
 * at run time (tools read any service's read models without importing services): for the
 * migration generator and `tools/migrate.ts`. From the sources (run-ts) or from dist/ (the image).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ReadModelMigration } from '@crm/platform';
import type { ReadModelsModule } from '@crm/projections';

const root = path.resolve(__dirname, '..');

interface ServiceReadModelsModule extends ReadModelsModule {
  migrations?: readonly ReadModelMigration[];
}

/** A service's read models as its `read-models.ts` declares them: schema, entities, migrations. */
export function loadServiceReadModels(service: string): { schema: string; entities: Function[]; migrations: ReadModelMigration[] } {
  // Loaded by path at run time: this tool reads any service's read models without importing services.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(path.join(root, 'services', service, 'src', 'read-models')) as ServiceReadModelsModule;
  const schemas = [...new Set(mod.readModels.map((m) => m.schema))];
  if (schemas.length !== 1)
    throw new Error(`the read models of ${service} live in ${schemas.length} schemas (${schemas.join(', ')}); one per service is expected`);
  return {
    schema: schemas[0],
    entities: [...new Set(mod.readModels.flatMap((m) => m.projection.entities as Function[]))],
    migrations: [...(mod.migrations ?? [])],
  };
}

/** Services with read models (`services/<name>/src/read-models.ts`), sorted. */
export function servicesWithReadModels(): string[] {
  const dir = path.join(root, 'services');
  return fs
    .readdirSync(dir)
    .filter((name) => ['ts', 'js'].some((ext) => fs.existsSync(path.join(dir, name, 'src', `read-models.${ext}`))))
    .sort();
}
