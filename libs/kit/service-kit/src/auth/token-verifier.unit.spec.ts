import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { loadConfig } from '@crm/config';
import { authSettings, serviceConfigClass } from '../config/service-config';
import { ensureLocalKeys } from './keys';
import { mintToken, TokenMint } from './mint-token';
import { InvalidTokenError, KeySourceUnavailableError, TokenVerifier } from './token-verifier';

describe('TokenVerifier with the local JWKS file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'crm-verifier-'));
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('creates the embedded key pair for the default files, and verifies what TokenMint issues', async () => {
    const settings = authSettings(loadConfig(serviceConfigClass(3101), { CRM_DATA_DIR: dir }));
    const verifier = await TokenVerifier.create(settings, dir);
    await expect(fs.stat(settings.signingKeyFile)).resolves.toBeTruthy();
    const mint = new TokenMint(settings, dir);
    const token = await mint.mint({ kind: 'partner', subject: 'pat', partnerId: 'acme', roles: ['partner-admin'] }, { expiresIn: '5m' });
    await expect(verifier.verify(token)).resolves.toEqual({ kind: 'partner', subject: 'pat', partnerId: 'acme', roles: ['partner-admin'] });
  });

  it('does not create keys for a JWKS file the operator named, and fails fast if it is missing', async () => {
    const settings = authSettings(loadConfig(serviceConfigClass(3101), { CRM_DATA_DIR: path.join(dir, 'x'), CRM_JWKS_FILE: path.join(dir, 'x', 'mine.json') }));
    await expect(TokenVerifier.create(settings, path.join(dir, 'x'))).rejects.toThrow(/does not exist/);
  });

  it('TokenMint refuses a signing key file the operator named that does not exist', async () => {
    const settings = authSettings(loadConfig(serviceConfigClass(3101), { CRM_DATA_DIR: dir, CRM_SIGNING_KEY_FILE: path.join(dir, 'absent.json') }));
    await expect(new TokenMint(settings, dir).mint({ kind: 'staff', subject: 'a', department: 'sales', roles: [] })).rejects.toThrow(/does not exist/);
  });
});

describe('TokenVerifier with an identity provider (CRM_JWKS_URL)', () => {
  let server: http.Server;
  let jwksUrl: string;
  let privateKey: CryptoKey;
  let jwksStatus = 200;
  const issuer = 'https://idp.example.com/realms/crm';

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256', { extractable: true });
    privateKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'idp-key-1', alg: 'RS256', use: 'sig' };
    server = http.createServer((_req, res) => {
      res.writeHead(jwksStatus, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/certs`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  function settingsFor(dir: string) {
    return authSettings(
      loadConfig(serviceConfigClass(3101), { CRM_DATA_DIR: dir, CRM_JWKS_URL: jwksUrl, CRM_JWT_ISSUER: issuer, CRM_JWT_AUDIENCE: 'crm-api' }),
    );
  }

  function idpToken(claims: Record<string, unknown>, audience = 'crm-api') {
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'idp-key-1' })
      .setIssuer(issuer)
      .setAudience(audience)
      .setSubject('u-42')
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(privateKey);
  }

  it('verifies the identity provider’s tokens, mapping its claims', async () => {
    const verifier = await TokenVerifier.create(settingsFor('/nonexistent'), '/nonexistent');
    await expect(verifier.verify(await idpToken({ dept: 'service', roles: 'agent lead' }))).resolves.toEqual({
      kind: 'staff',
      subject: 'u-42',
      department: 'service',
      roles: ['agent', 'lead'],
    });
  });

  it('refuses tokens for another audience, without CRM claims, or signed by the local key', async () => {
    const verifier = await TokenVerifier.create(settingsFor('/nonexistent'), '/nonexistent');
    await expect(verifier.verify(await idpToken({ dept: 'service' }, 'account'))).rejects.toThrow(InvalidTokenError);
    await expect(verifier.verify(await idpToken({}))).rejects.toThrow(/dept/);
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'crm-verifier-'));
    try {
      const local = await mintToken(
        { kind: 'staff', subject: 'a', department: 'sales', roles: [] },
        { signingKey: await ensureLocalKeys(dir), issuer, audience: 'crm-api' },
      );
      await expect(verifier.verify(local)).rejects.toThrow(InvalidTokenError);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('reports an unreachable key set as unavailable, not as a bad token', async () => {
    jwksStatus = 500;
    try {
      const verifier = await TokenVerifier.create(settingsFor('/nonexistent'), '/nonexistent');
      await expect(verifier.verify(await idpToken({ dept: 'service' }))).rejects.toThrow(KeySourceUnavailableError);
    } finally {
      jwksStatus = 200;
    }
  });
});
