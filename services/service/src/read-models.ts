// The read models of service, declared once: service.module.ts runs them, and the rebuild and re-drive
// CLIs load this file (npm run rebuild-read-model -- --service service).
import { serviceReadModels } from '@crm/relationship-api';
import { caseListProjection } from './cases/case-list/case-list.projection';

/** The shared relationship read models, and service's own: the cases list (`GET /cases`, `service.cases@v1`). */
export const customerServiceReadModels = serviceReadModels('service', [caseListProjection('service')]);
export const { readModels, registry } = customerServiceReadModels;
