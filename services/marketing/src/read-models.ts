// For the rebuild CLI: npm run rebuild-read-model -- --service marketing
import { crmRegistry } from '@crm/contracts';
import type { ReadModelsModule } from '@crm/projections';
import { relationshipProjections, schemaOf } from '@crm/relationship-api';

export const readModels: ReadModelsModule['readModels'] = relationshipProjections('marketing').map((projection) => ({ projection, schema: schemaOf('marketing') }));
export const registry = crmRegistry();
