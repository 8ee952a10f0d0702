// The read models of marketing, declared once: marketing.module.ts runs them, and the rebuild and re-drive
// CLIs load this file (npm run rebuild-read-model -- --service marketing).
import { serviceReadModels } from '@crm/relationship-api';
import { campaignStatisticsProjection } from './campaign-statistics/campaign-statistics.projection';

export const marketingReadModels = serviceReadModels('marketing', [
  // campaign statistics (issue 13 §5): audience, messages, responses and conversions per campaign
  campaignStatisticsProjection(),
]);
export const { readModels, registry } = marketingReadModels;
