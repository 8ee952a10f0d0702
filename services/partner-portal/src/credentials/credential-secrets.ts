import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Partner client credentials (OAuth 2.0 client-credentials style).
 *
 * - The client id is `<partnerId>.<random>`: the partner is derivable from it, so the token exchange
 *   can go straight to that partner's stream (`partner-<id>`) without any index of client ids.
 * - The secret is 32 random bytes, base64url. It is shown to the caller once and never stored: the
 *   `PartnerCredentialIssued` event carries only `scrypt$<salt>$<hash>` (16-byte random salt,
 *   32-byte key, Node's default scrypt cost), compared with `timingSafeEqual`.
 */

const SALT_BYTES = 16;
const KEY_BYTES = 32;
const SECRET_BYTES = 32;
const CLIENT_ID = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.([A-Za-z0-9_-]{16,64})$/i;

export function newClientId(partnerId: string): string {
  return `${partnerId}.${randomBytes(12).toString('base64url')}`;
}

/** The partner a client id belongs to, or undefined when it is not one of ours. */
export function partnerIdOfClientId(clientId: string): string | undefined {
  return CLIENT_ID.exec(clientId)?.[1];
}

export function newClientSecret(): string {
  return randomBytes(SECRET_BYTES).toString('base64url');
}

function derive(secret: string, salt: Buffer, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(secret, salt, length, (error, key) => (error ? reject(error) : resolve(key))));
}

/** `scrypt$<salt>$<hash>` (both base64url) for a secret. */
export async function hashClientSecret(secret: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(secret, salt, KEY_BYTES);
  return `scrypt$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** True when `secret` is the one `encoded` was made from; constant-time in the hash comparison. */
export async function verifyClientSecret(secret: string, encoded: string): Promise<boolean> {
  const parts = encoded.split('$');
  if (parts.length !== 3 || parts[0] !== 'scrypt') return false;
  const salt = Buffer.from(parts[1], 'base64url');
  const expected = Buffer.from(parts[2], 'base64url');
  if (salt.length === 0 || expected.length !== KEY_BYTES) return false;
  const actual = await derive(secret, salt, KEY_BYTES);
  return timingSafeEqual(actual, expected);
}

let decoy: Promise<string> | undefined;

/**
 * Spends the same scrypt work as a real check, for an unknown client id: a wrong client id then
 * takes as long as a wrong secret, so response times do not tell which client ids exist.
 */
export async function verifyAgainstDecoy(secret: string): Promise<false> {
  decoy ??= hashClientSecret(newClientSecret());
  await verifyClientSecret(secret, await decoy);
  return false;
}
