import type { Provider } from '@nestjs/common';
import { DomainRuleViolation } from '@crm/relationship-api';

/**
 * Where a campaign's audience comes from when it names a segment: the members of the segment at the
 * instant the campaign starts (frozen then as a snapshot). The segments feature provides the real
 * one (`SegmentAudience`); until it is wired, a campaign over a segment cannot start.
 */
export interface CampaignAudienceSource {
  membersOf(segmentId: string): Promise<string[]>;
}

export const CAMPAIGN_AUDIENCE = Symbol('CAMPAIGN_AUDIENCE');

/** The default: no segments here (422 `segments-unavailable`); a campaign over a list of customers starts anyway. */
export const segmentsUnavailable: CampaignAudienceSource = {
  membersOf: (segmentId: string) =>
    Promise.reject(
      new DomainRuleViolation('segments-unavailable', `segment ${segmentId}: segments are not available in this service yet; list the customers instead`),
    ),
};

export const campaignAudienceProvider: Provider = { provide: CAMPAIGN_AUDIENCE, useValue: segmentsUnavailable };
