// The read models of analytics, declared once: analytics.module.ts runs them, and the rebuild and
// re-drive CLIs load this file (npm run rebuild-read-model -- --service analytics [--projection analytics.customer-metrics]).
import { serviceReadModels } from '@crm/relationship-api';
import { customerMetricsProjection } from './metrics/customer-metrics.projection';

export const analyticsReadModels = serviceReadModels('analytics', [customerMetricsProjection('analytics')]);
export const { readModels, registry } = analyticsReadModels;
