// For the rebuild CLI: npm run rebuild-read-model -- --service sales
import { crmRegistry } from '@crm/contracts';
import type { ReadModelsModule } from '@crm/projections';
import { relationshipProjections, schemaOf } from '@crm/relationship-api';

export const readModels: ReadModelsModule['readModels'] = relationshipProjections('sales').map((projection) => ({ projection, schema: schemaOf('sales') }));
export const registry = crmRegistry();
