import { uuidV5 } from '@crm/kernel';

/** Fixed for good: changing it would give every campaign touch a new id and break retries. */
const CAMPAIGN_NAMESPACE = 'fa339127-6aca-4b45-b8f0-4d61ed1cde9c';

/**
 * The episode of one customer in one campaign. Derived, not generated, so a retried campaign finds
 * the episodes it already opened, and a response can be filed knowing only campaign and customer.
 */
export function campaignEpisodeId(campaignId: string, customerId: string): string {
  return uuidV5(`campaign/${campaignId.toLowerCase()}/customer/${customerId.toLowerCase()}`, CAMPAIGN_NAMESPACE);
}

/** The one outbound touch of a campaign episode: a retry records it once. */
export function campaignTouchId(campaignId: string, customerId: string): string {
  return uuidV5(`campaign/${campaignId.toLowerCase()}/customer/${customerId.toLowerCase()}/touch`, CAMPAIGN_NAMESPACE);
}
