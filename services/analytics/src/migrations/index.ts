// The versioned migrations of analytics's read-model schema, oldest first: rewritten by
// `npm run generate-read-model-migration`; tools/migrate.ts and the service's start (distributed) run them.
import type { ReadModelMigration } from '@crm/platform';
import { AnalyticsInitial1795797976943 } from './1795797976943-initial';

export const migrations: ReadModelMigration[] = [AnalyticsInitial1795797976943];
