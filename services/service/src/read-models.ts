// The read models of service, declared once: service.module.ts runs them, and the rebuild and re-drive
// CLIs load this file (npm run rebuild-read-model -- --service service).
import { serviceReadModels } from '@crm/relationship-api';
// The versioned migrations of the schema (npm run generate-read-model-migration -- --service service).
import { migrations as schemaMigrations } from './migrations';
import { caseListProjection } from './cases/case-list/case-list.projection';
import { caseServiceLevelsProjection } from './service-levels/case-service-levels.projection';
import { routingProjection } from './routing/routing.projection';
import { orderListProjection } from '@crm/relationship-read-models';
import { callLogProjection } from './channels/telephony/call-log.projection';
import { returnListProjection } from './returns/return-list.projection';
import { escalationInboxProjection } from './service-levels/escalation-inbox.projection';

/** The shared relationship read models, and service's own. */
export const customerServiceReadModels = serviceReadModels(
  'service',
  [
    // the cases list (`GET /cases`, `service.cases@v1`; issue 12 §1)
    caseListProjection('service'),
    // service levels (issue 12 §4): the SLA clocks, the timer's index, attainment
    caseServiceLevelsProjection('service'),
    // the router's agents, waiting cases, value tiers and offers (issue 12 §3)
    routingProjection('service'),
    // the channels (issue 12 §2): the orders list (the IVR's order status) and the call log (IVR containment)
    orderListProjection('service'),
    callLogProjection(),
    // returns and repairs (issue 12 §5): the returns list, and the to-dos of the case following its return
    returnListProjection('service'),
    // service levels (issue 12 §4): the SLA escalation executor's inbox (settled by CaseEscalationActed; only its attempt counter is a work table)
    escalationInboxProjection(),
  ],
  schemaMigrations,
);
export const { readModels, registry, migrations } = customerServiceReadModels;
