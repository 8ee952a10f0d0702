// The versioned migrations of partner-portal's read-model schema, oldest first: rewritten by
// `npm run generate-read-model-migration`; tools/migrate.ts and the service's start (distributed) run them.
import type { ReadModelMigration } from '@crm/platform';
import { PartnerPortalInitial1795797985241 } from './1795797985241-initial';
import { PartnerPortalPartnerDirectory1795836791557 } from './1795836791557-partner-directory';

export const migrations: ReadModelMigration[] = [PartnerPortalInitial1795797985241, PartnerPortalPartnerDirectory1795836791557];
