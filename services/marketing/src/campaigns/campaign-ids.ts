import { createHash } from 'node:crypto';

/** Fixed for good: changing it would give every campaign touch a new id and break retries. */
const CAMPAIGN_NAMESPACE = 'fa339127-6aca-4b45-b8f0-4d61ed1cde9c';

/** A name-based (version 5, SHA-1) UUID as RFC 9562 defines it. */
export function uuidV5(name: string, namespace: string): string {
  const bytes = createHash('sha1')
    .update(Buffer.from(namespace.replace(/-/g, ''), 'hex'))
    .update(name, 'utf8')
    .digest()
    .subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

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
