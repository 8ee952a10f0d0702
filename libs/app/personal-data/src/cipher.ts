import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ERASED, isSealed } from '@crm/contracts';

const PREFIX = 'pii:v1:';

/** Seals one value with AES-256-GCM under the subject's key; the key id is bound as associated data. */
export function seal(value: string, keyId: string, key: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(keyId));
  const ciphertext = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
  return `${PREFIX}${keyId}:${Buffer.concat([iv, ciphertext, cipher.getAuthTag()]).toString('base64url')}`;
}

/** The key id a sealed value names. */
export const keyIdOf = (sealed: string): string => sealed.slice(PREFIX.length, PREFIX.length + 36);

/**
 * The plain value of a sealed one, or `ERASED` when its key is gone (or the value does not open
 * under it: a value that does not authenticate is never shown). A value that is not sealed is
 * returned as it is (events written before sealing existed).
 */
export function open(value: string, keys: ReadonlyMap<string, Buffer>): string {
  if (!isSealed(value)) return value;
  const key = keys.get(keyIdOf(value));
  if (!key) return ERASED;
  try {
    const raw = Buffer.from(value.slice(PREFIX.length + 37), 'base64url');
    if (raw.length < 28) return ERASED;
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(keyIdOf(value)));
    decipher.setAuthTag(raw.subarray(raw.length - 16));
    return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString('utf8');
  } catch {
    return ERASED;
  }
}
