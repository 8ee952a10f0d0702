import { randomUUID } from 'node:crypto';
import { campaignEpisodeId, campaignTouchId } from './campaign-ids';

describe('campaign ids', () => {
  it('derives the same ids for the same campaign and customer, whatever the letter case', () => {
    const campaignId = randomUUID();
    const customerId = randomUUID();
    expect(campaignEpisodeId(campaignId, customerId)).toBe(campaignEpisodeId(campaignId.toUpperCase(), customerId));
    expect(campaignTouchId(campaignId, customerId)).toBe(campaignTouchId(campaignId, customerId.toUpperCase()));
    expect(campaignEpisodeId(campaignId, customerId)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('derives different ids for other customers, other campaigns, and episode versus touch', () => {
    const campaignId = randomUUID();
    const customerId = randomUUID();
    const ids = [
      campaignEpisodeId(campaignId, customerId),
      campaignTouchId(campaignId, customerId),
      campaignEpisodeId(campaignId, randomUUID()),
      campaignEpisodeId(randomUUID(), customerId),
    ];
    expect(new Set(ids).size).toBe(ids.length);
  });
});
