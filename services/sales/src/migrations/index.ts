// The versioned migrations of sales's read-model schema, oldest first: rewritten by
// `npm run generate-read-model-migration`; tools/migrate.ts and the service's start (distributed) run them.
import type { ReadModelMigration } from '@crm/platform';
import { SalesInitial1795797986956 } from './1795797986956-initial';

export const migrations: ReadModelMigration[] = [SalesInitial1795797986956];
