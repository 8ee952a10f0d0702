/**
 * Where a campaign's audience comes from when it names a segment: the members of the segment at the
 * instant the campaign starts (frozen then as a snapshot): `SegmentAudience` of the segments feature
 * (an unknown segment is 404).
 */
export interface CampaignAudienceSource {
  membersOf(segmentId: string): Promise<string[]>;
}

export const CAMPAIGN_AUDIENCE = Symbol('CAMPAIGN_AUDIENCE');
