// The read models of analytics, declared once: analytics.module.ts runs them, and the rebuild and
// re-drive CLIs load this file (npm run rebuild-read-model -- --service analytics [--projection analytics.customer-metrics]).
import { serviceReadModels } from '@crm/relationship-api';
// The versioned migrations of the schema (npm run generate-read-model-migration -- --service analytics).
import { migrations as schemaMigrations } from './migrations';
import { journeyInboxProjection } from './journey/journey-inbox.projection';
import { customerMetricsProjection } from './metrics/customer-metrics.projection';
import { exchangeRatesProjection } from './purchases/exchange-rates.projection';
import { purchaseHistoryProjection } from './purchases/purchase-history.projection';
import { propensityFactsProjection } from './propensity/propensity-facts.projection';
import { orderLinesProjection } from './cross-sell/order-lines.projection';

/** Analytics' own read models: the customer metrics, the purchase history (sales orders) and the reporting exchange rates. */
export const analyticsReadModels = serviceReadModels(
  'analytics',
  [
    customerMetricsProjection('analytics'),
    purchaseHistoryProjection('analytics'),
    exchangeRatesProjection('analytics'),
    journeyInboxProjection('analytics'),
    // churn and offer-response propensity, cross-sell (issue 11 §3)
    propensityFactsProjection('analytics'),
    orderLinesProjection('analytics'),
  ],
  schemaMigrations,
);
export const { readModels, registry, migrations } = analyticsReadModels;
