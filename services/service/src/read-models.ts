// The read models of service, declared once: service.module.ts runs them, and the rebuild and re-drive
// CLIs load this file (npm run rebuild-read-model -- --service service).
import { serviceReadModels } from '@crm/relationship-api';
import { routingProjection } from './routing/routing.projection';

export const customerServiceReadModels = serviceReadModels('service', [
  // the router's agents, waiting cases, value tiers and offers (issue 12 §3)
  routingProjection('service'),
]);
export const { readModels, registry } = customerServiceReadModels;
