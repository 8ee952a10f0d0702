// The versioned migrations of marketing's read-model schema, oldest first: rewritten by
// `npm run generate-read-model-migration`; tools/migrate.ts and the service's start (distributed) run them.
import type { ReadModelMigration } from '@crm/platform';
import { MarketingInitial1795797983451 } from './1795797983451-initial';

export const migrations: ReadModelMigration[] = [MarketingInitial1795797983451];
