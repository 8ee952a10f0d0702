// The read models of service, declared once: service.module.ts runs them, and the rebuild and re-drive
// CLIs load this file (npm run rebuild-read-model -- --service service).
import { serviceReadModels } from '@crm/relationship-api';
import { caseServiceLevelsProjection } from './service-levels/case-service-levels.projection';

export const customerServiceReadModels = serviceReadModels('service', [
  // service levels (issue 12 §4): the SLA clocks, the timer's index, attainment
  caseServiceLevelsProjection('service'),
]);
export const { readModels, registry } = customerServiceReadModels;
