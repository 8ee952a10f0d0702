// For the rebuild CLI: npm run rebuild-read-model -- --service partner-portal
import { crmRegistry } from '@crm/contracts';
import type { ReadModelsModule } from '@crm/projections';
import { relationshipProjections, schemaOf } from '@crm/relationship-api';

export const readModels: ReadModelsModule['readModels'] = relationshipProjections('partner-portal').map((projection) => ({ projection, schema: schemaOf('partner-portal') }));
export const registry = crmRegistry();
