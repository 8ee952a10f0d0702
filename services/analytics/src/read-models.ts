// The read models of analytics, declared once: analytics.module.ts runs them, and the rebuild and
// re-drive CLIs load this file (npm run rebuild-read-model -- --service analytics [--projection analytics.customer-metrics]).
import { serviceReadModels } from '@crm/relationship-api';
import { customerMetricsProjection } from './metrics/customer-metrics.projection';
import { purchaseHistoryProjection } from './purchases/purchase-history.projection';
import { propensityFactsProjection } from './propensity/propensity-facts.projection';
import { orderLinesProjection } from './cross-sell/order-lines.projection';

/** Analytics' own read models: the customer metrics and the purchase history (sales orders). */
export const analyticsReadModels = serviceReadModels('analytics', [
  customerMetricsProjection('analytics'),
  purchaseHistoryProjection('analytics'),
  propensityFactsProjection('analytics'),
  orderLinesProjection('analytics'),
]);
export const { readModels, registry } = analyticsReadModels;
