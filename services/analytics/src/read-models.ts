// The read models of analytics, declared once: analytics.module.ts runs them, and the rebuild and
// re-drive CLIs load this file (npm run rebuild-read-model -- --service analytics [--projection analytics.customer-metrics]).
import { serviceReadModels } from '@crm/relationship-api';
import { journeyInboxProjection } from './journey/journey-inbox.projection';
import { customerMetricsProjection } from './metrics/customer-metrics.projection';
import { exchangeRatesProjection } from './purchases/exchange-rates.projection';
import { purchaseHistoryProjection } from './purchases/purchase-history.projection';

/** Analytics' own read models: the customer metrics, the purchase history (sales orders) and the reporting exchange rates. */
export const analyticsReadModels = serviceReadModels('analytics', [
  customerMetricsProjection('analytics'),
  purchaseHistoryProjection('analytics'),
  exchangeRatesProjection('analytics'),
  journeyInboxProjection('analytics'),
]);
export const { readModels, registry } = analyticsReadModels;
