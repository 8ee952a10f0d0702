import { uuidV5 } from '@crm/kernel';

/** Fixed for good: changing it would put recipients of campaigns already frozen in other groups. */
const ASSIGNMENT_NAMESPACE = '6f9d2c1e-3b7a-4e58-9a41-0c2d8e5b7f13';

/**
 * A number in [0, 10,000) from what is hashed: the same input gives the same number on every
 * machine and after every restart, so a recipient's control group and variants never depend on the
 * order the audience was read in. SHA-1 (UUID v5) spreads neighbouring ids evenly.
 */
export function bucketOf(...parts: string[]): number {
  const hex = uuidV5(parts.map((p) => p.toLowerCase()).join('/'), ASSIGNMENT_NAMESPACE).replace(/-/g, '');
  return parseInt(hex.slice(0, 8), 16) % 10_000;
}

/** In the hold-out control group: the bucket of (campaign, customer) below the control share (basis points). */
export function inControlGroup(campaignId: string, customerId: string, controlBasisPoints: number): boolean {
  return bucketOf(campaignId, customerId, 'control') < controlBasisPoints;
}

/**
 * The variant of a step a recipient gets: variants take slices of [0, 10,000) in proportion to their
 * weights, in the order they are listed; the recipient's bucket for (campaign, customer, step) falls in one.
 */
export function variantFor(campaignId: string, customerId: string, stepId: string, variants: readonly { variantId: string; weight: number }[]): string {
  const total = variants.reduce((sum, v) => sum + v.weight, 0);
  const point = (bucketOf(campaignId, customerId, 'step', stepId) * total) / 10_000;
  let upTo = 0;
  for (const v of variants) {
    upTo += v.weight;
    if (point < upTo) return v.variantId;
  }
  return variants[variants.length - 1].variantId;
}
