import { createHash } from 'node:crypto';

/**
 * A UUID named by what it stands for (RFC 9562 version 5: SHA-1 of a namespace and a name): the case
 * a call opens, the interaction a callback records, the case an e-mail opens. A provider retrying a
 * webhook (after a timeout, or after we failed half-way) names the same ids again, so the retry opens
 * no second case and records no second interaction (the episode ignores an interaction id it has).
 */
const NAMESPACE = Buffer.from('6f1c3b0e8a5d4c1f9e2b7a4d5c6e8f90', 'hex');

export function namedUuid(kind: string, name: string): string {
  const hash = createHash('sha1').update(NAMESPACE).update(`${kind}\u0000${name}`).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
