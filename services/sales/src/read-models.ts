// The read models of sales, declared once: sales.module.ts runs them, and the rebuild and re-drive
// CLIs load this file (npm run rebuild-read-model -- --service sales).
import { serviceReadModels } from '@crm/relationship-api';
// The versioned migrations of the schema (npm run generate-read-model-migration -- --service sales).
import { migrations as schemaMigrations } from './migrations';
import {
  activityListProjection,
  catalogueProjection,
  leadListProjection,
  opportunityListProjection,
  orderListProjection,
  quoteListProjection,
} from '@crm/relationship-read-models';

/**
 * The shared relationship read models, and sales' own: the leads list (`GET /leads`), the
 * opportunities list (`GET /opportunities`, `GET /pipeline`), the activities list (`GET /activities`,
 * the activity scheduler), the product catalogue (`GET /products`, `/price-books`), the quotes list
 * (`GET /quotes`) and the orders list (`GET /orders`).
 */
export const salesReadModels = serviceReadModels(
  'sales',
  [
    leadListProjection('sales'),
    opportunityListProjection('sales'),
    activityListProjection('sales'),
    catalogueProjection('sales'),
    quoteListProjection('sales'),
    orderListProjection('sales'),
  ],
  schemaMigrations,
);
export const { readModels, registry, migrations } = salesReadModels;
