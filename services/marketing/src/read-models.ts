// The read models of marketing, declared once: marketing.module.ts runs them, and the rebuild and re-drive
// CLIs load this file (npm run rebuild-read-model -- --service marketing).
import { serviceReadModels } from '@crm/relationship-api';

export const marketingReadModels = serviceReadModels('marketing');
export const { readModels, registry } = marketingReadModels;
