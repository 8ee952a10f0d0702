// The read models of marketing, declared once: marketing.module.ts runs them, and the rebuild and re-drive
// CLIs load this file (npm run rebuild-read-model -- --service marketing).
import { serviceReadModels } from '@crm/relationship-api';
// The versioned migrations of the schema (npm run generate-read-model-migration -- --service marketing).
import { migrations as schemaMigrations } from './migrations';
import { campaignStatisticsProjection } from './campaign-statistics/campaign-statistics.projection';
import { segmentFactsProjection } from './segments/segment-facts.projection';
import { segmentsProjection } from './segments/segments.projection';
import { triggerOffersProjection } from './triggers/trigger-offers.projection';
import { triggerTimersProjection } from './triggers/trigger-timers.projection';

export const marketingReadModels = serviceReadModels(
  'marketing',
  [
    // segments (issue 13 §2): the facts rules are judged on, and the segments with their members' stays
    segmentFactsProjection(),
    segmentsProjection(),
    // event-based marketing (issue 13 §4): the trigger rules, the due-timers table the trigger timer ticks over, the firings lists
    triggerTimersProjection(),
    // what the campaign a firing named did with it, and each message it sent (the firings lists show it)
    triggerOffersProjection(),
    // campaign statistics (issue 13 §5): audience, messages, responses and conversions per campaign
    campaignStatisticsProjection(),
  ],
  schemaMigrations,
);
export const { readModels, registry, migrations } = marketingReadModels;
