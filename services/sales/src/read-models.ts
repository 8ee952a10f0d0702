// The read models of sales, declared once: sales.module.ts runs them, and the rebuild and re-drive
// CLIs load this file (npm run rebuild-read-model -- --service sales).
import { serviceReadModels } from '@crm/relationship-api';
import { leadListProjection } from '@crm/relationship-read-models';
import { orderListProjection } from '@crm/relationship-read-models';

/** The shared relationship read models, and sales' own: the leads list (`GET /leads`). */
export const salesReadModels = serviceReadModels('sales', [leadListProjection('sales'), orderListProjection('sales')]);
export const { readModels, registry } = salesReadModels;
