// The read models of partner-portal, declared once: partner-portal.module.ts runs them, and the rebuild and re-drive
// CLIs load this file (npm run rebuild-read-model -- --service partner-portal).
import { serviceReadModels } from '@crm/relationship-api';

export const partnerPortalReadModels = serviceReadModels('partner-portal');
export const { readModels, registry } = partnerPortalReadModels;
