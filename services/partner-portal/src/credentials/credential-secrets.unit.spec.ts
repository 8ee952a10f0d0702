import { randomUUID } from 'node:crypto';
import { hashClientSecret, newClientId, newClientSecret, partnerIdOfClientId, verifyAgainstDecoy, verifyClientSecret } from './credential-secrets';

describe('partner credential secrets', () => {
  it('derives the partner from a client id it made, and nothing from anything else', () => {
    const partnerId = randomUUID();
    const clientId = newClientId(partnerId);
    expect(partnerIdOfClientId(clientId)).toBe(partnerId);
    expect(partnerIdOfClientId(partnerId)).toBeUndefined();
    expect(partnerIdOfClientId(`${partnerId}.`)).toBeUndefined();
    expect(partnerIdOfClientId(`${partnerId}.short`)).toBeUndefined();
    expect(partnerIdOfClientId(`x${clientId}`)).toBeUndefined();
    expect(partnerIdOfClientId(`../${clientId}`)).toBeUndefined();
  });

  it('hashes with scrypt and a random salt, and verifies only the right secret', async () => {
    const secret = newClientSecret();
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
    const [a, b] = [await hashClientSecret(secret), await hashClientSecret(secret)];
    expect(a).toMatch(/^scrypt\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain(secret);
    expect(await verifyClientSecret(secret, a)).toBe(true);
    expect(await verifyClientSecret(secret, b)).toBe(true);
    expect(await verifyClientSecret(newClientSecret(), a)).toBe(false);
    expect(await verifyClientSecret(`${secret} `, a)).toBe(false);
  });

  it('refuses malformed stored hashes instead of throwing', async () => {
    const secret = newClientSecret();
    for (const encoded of ['', 'plain', 'scrypt$$', 'bcrypt$abc$def', `scrypt$c2FsdA$${Buffer.alloc(16).toString('base64url')}`, 'scrypt$a$b$c']) {
      expect(await verifyClientSecret(secret, encoded)).toBe(false);
    }
    expect(await verifyAgainstDecoy(secret)).toBe(false);
  });
});
