import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { ensureLocalKeys, publicJwkOf, readJwksFile, readSigningKey } from './keys';
import { mintToken } from './mint-token';

describe('ensureLocalKeys', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'crm-keys-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('creates an ES256 key pair on first use: private JWK (0600) and a JWKS with its kid', async () => {
    const keys = await ensureLocalKeys(dir);
    expect(keys.created).toBe(true);
    expect(keys.signingKeyFile).toBe(path.join(dir, 'keys', 'signing-key.json'));
    expect(keys.jwksFile).toBe(path.join(dir, 'keys', 'jwks.json'));
    expect((await fs.stat(keys.signingKeyFile)).mode & 0o777).toBe(0o600);
    const priv = JSON.parse(await fs.readFile(keys.signingKeyFile, 'utf8')) as Record<string, unknown>;
    expect(priv).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid: keys.kid, d: expect.any(String) });
    const jwks = await readJwksFile(keys.jwksFile);
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toEqual({ kty: 'EC', crv: 'P-256', x: priv.x, y: priv.y, kid: keys.kid, alg: 'ES256', use: 'sig' });
    expect(jwks.keys[0]).not.toHaveProperty('d');
  });

  it('is idempotent, also when called concurrently', async () => {
    const results = await Promise.all([ensureLocalKeys(dir), ensureLocalKeys(dir), ensureLocalKeys(dir)]);
    expect(new Set(results.map((k) => k.kid)).size).toBe(1);
    expect(results.filter((k) => k.created)).toHaveLength(1);
    const again = await ensureLocalKeys(dir);
    expect(again.created).toBe(false);
    expect(again.kid).toBe(results[0].kid);
    expect((await readJwksFile(again.jwksFile)).keys).toHaveLength(1);
    expect((await fs.readdir(path.join(dir, 'keys'))).sort()).toEqual(['jwks.json', 'signing-key.json']);
  });

  it('keeps other keys in the JWKS file and re-adds its own if missing; tightens a loose key file mode', async () => {
    const first = await ensureLocalKeys(dir);
    const other = await ensureLocalKeys(path.join(dir, 'other'));
    await fs.writeFile(first.jwksFile, JSON.stringify({ keys: [other.publicJwk] }));
    await fs.chmod(first.signingKeyFile, 0o644);
    await ensureLocalKeys(dir);
    expect((await readJwksFile(first.jwksFile)).keys.map((k) => k.kid)).toEqual([other.kid, first.kid]);
    expect((await fs.stat(first.signingKeyFile)).mode & 0o777).toBe(0o600);
  });

  it('refuses files that are not keys', async () => {
    await fs.mkdir(path.join(dir, 'keys'));
    await fs.writeFile(path.join(dir, 'keys', 'signing-key.json'), '{"hello":');
    await expect(ensureLocalKeys(dir)).rejects.toThrow(/not valid JSON/);
    await fs.writeFile(path.join(dir, 'keys', 'signing-key.json'), '{"kty":"EC"}');
    await expect(ensureLocalKeys(dir)).rejects.toThrow(/private JWK/);
    await expect(readSigningKey(path.join(dir, 'nope.json'))).rejects.toThrow(/does not exist/);
  });

  it('signs tokens the JWKS verifies (iss, aud, sub, exp, iat, kid, CRM claims)', async () => {
    const keys = await ensureLocalKeys(dir);
    const token = await mintToken(
      { kind: 'staff', subject: 'alice', department: 'sales', roles: ['agent'] },
      { signingKey: keys.signingKeyFile, issuer: 'crm-embedded', audience: 'crm', expiresIn: '8h' },
    );
    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(await readJwksFile(keys.jwksFile)), {
      issuer: 'crm-embedded',
      audience: 'crm',
    });
    expect(protectedHeader).toMatchObject({ alg: 'ES256', kid: keys.kid, typ: 'JWT' });
    expect(payload).toMatchObject({ sub: 'alice', crm_kind: 'staff', dept: 'sales', roles: ['agent'], iss: 'crm-embedded', aud: 'crm' });
    expect(payload.exp! - payload.iat!).toBe(8 * 3600);
    expect(payload.jti).toEqual(expect.any(String));
  });

  it('publicJwkOf drops every private member', () => {
    expect(
      publicJwkOf({ kty: 'RSA', n: 'n', e: 'AQAB', d: 'd', p: 'p', q: 'q', dp: 'dp', dq: 'dq', qi: 'qi', kid: 'k', ext: true, key_ops: ['sign'] }),
    ).toEqual({ kty: 'RSA', n: 'n', e: 'AQAB', kid: 'k' });
  });
});
