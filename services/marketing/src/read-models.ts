// The read models of marketing, declared once: marketing.module.ts runs them, and the rebuild and re-drive
// CLIs load this file (npm run rebuild-read-model -- --service marketing).
import { serviceReadModels } from '@crm/relationship-api';
import { triggerTimersProjection } from './triggers/trigger-timers.projection';

export const marketingReadModels = serviceReadModels('marketing', [
  // event-based marketing (issue 13 §4): the trigger rules, the due-timers table the trigger timer ticks over, the firings lists
  triggerTimersProjection(),
]);
export const { readModels, registry } = marketingReadModels;
