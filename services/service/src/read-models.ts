// The read models of service, declared once: service.module.ts runs them, and the rebuild and re-drive
// CLIs load this file (npm run rebuild-read-model -- --service service).
import { serviceReadModels } from '@crm/relationship-api';

export const customerServiceReadModels = serviceReadModels('service');
export const { readModels, registry } = customerServiceReadModels;
