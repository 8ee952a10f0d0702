// The read models of marketing, declared once: marketing.module.ts runs them, and the rebuild and re-drive
// CLIs load this file (npm run rebuild-read-model -- --service marketing).
import { serviceReadModels } from '@crm/relationship-api';
import { segmentFactsProjection } from './segments/segment-facts.projection';
import { segmentsProjection } from './segments/segments.projection';

export const marketingReadModels = serviceReadModels('marketing', [
  // segments (issue 13 §2): the facts rules are judged on, and the segments with their members' stays
  segmentFactsProjection(),
  segmentsProjection(),
]);
export const { readModels, registry } = marketingReadModels;
