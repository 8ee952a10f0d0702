// The read models of sales, declared once: sales.module.ts runs them, and the rebuild and re-drive
// CLIs load this file (npm run rebuild-read-model -- --service sales).
import { serviceReadModels } from '@crm/relationship-api';

export const salesReadModels = serviceReadModels('sales');
export const { readModels, registry } = salesReadModels;
