// The versioned migrations of service's read-model schema, oldest first: rewritten by
// `npm run generate-read-model-migration`; tools/migrate.ts and the service's start (distributed) run them.
import type { ReadModelMigration } from '@crm/platform';
import { ServiceInitial1795797988776 } from './1795797988776-initial';

export const migrations: ReadModelMigration[] = [ServiceInitial1795797988776];
