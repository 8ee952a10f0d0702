// For the rebuild CLI: npm run rebuild-read-model -- --service analytics [--projection analytics.customer-metrics]
import { crmRegistry } from '@crm/contracts';
import type { ReadModelsModule } from '@crm/projections';
import { relationshipProjections, schemaOf } from '@crm/relationship-api';
import { customerMetricsProjection } from './metrics/customer-metrics.projection';

export const readModels: ReadModelsModule['readModels'] = [...relationshipProjections('analytics'), customerMetricsProjection('analytics')].map((projection) => ({
  projection,
  schema: schemaOf('analytics'),
}));
export const registry = crmRegistry();
