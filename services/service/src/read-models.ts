// For the rebuild CLI: npm run rebuild-read-model -- --service service
import { crmRegistry } from '@crm/contracts';
import type { ReadModelsModule } from '@crm/projections';
import { relationshipProjections, schemaOf } from '@crm/relationship-api';

export const readModels: ReadModelsModule['readModels'] = relationshipProjections('service').map((projection) => ({ projection, schema: schemaOf('service') }));
export const registry = crmRegistry();
