// The versioned migrations of partner-portal's read-model schema, oldest first: rewritten by
// `npm run generate-read-model-migration`; tools/migrate.ts and the service's start (distributed) run them.
import type { ReadModelMigration } from '@crm/platform';
import { PartnerPortalInitial1795797985241 } from './1795797985241-initial';

export const migrations: ReadModelMigration[] = [PartnerPortalInitial1795797985241];
