import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '@crm/config';
import { crmRegistry } from '@crm/contracts';
import { TestClock } from '@crm/kernel';
import { createPlatform, type Platform } from '@crm/platform';
import { ProblemTypes, TokenMint, type ServiceApp } from '@crm/service-kit';
import { createPartnerPortalApp, PartnerPortalConfig } from '../partner-portal';

type Json = Record<string, unknown>;

/** RFC 6749 Appendix B: the id and secret are form-urlencoded before base64. */
const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id).replace(/%20/g, '+')}:${encodeURIComponent(secret).replace(/%20/g, '+')}`).toString('base64')}`;

// The token endpoint as an OAuth 2.0 client sees it (issue 14 §1): client_secret_basic and
// client_secret_post, one method per request, OAuth error codes, and failed attempts limited per
// client id and per address on a test clock (limits of 3 and 8 in 60 s here).
describe('partner token endpoint (embedded)', () => {
  const clock = new TestClock('2026-06-01T09:00:00.000Z');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-partner-token-'));
  let platform: Platform;
  let app: ServiceApp;
  let base = '';
  let management = '';
  const credentials: { clientId: string; clientSecret: string }[] = [];

  const post = async (body: Json | string | undefined, headers: Record<string, string> = {}) => {
    const form = typeof body === 'string';
    const r = await fetch(`${base}/auth/token`, {
      method: 'POST',
      headers: { ...(body !== undefined && { 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json' }), ...headers },
      body: body === undefined ? undefined : form ? body : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, headers: r.headers, body: (text ? JSON.parse(text) : {}) as Json };
  };
  const staff = async (method: string, url: string, body?: Json) => {
    const r = await fetch(`${base}${url}`, {
      method,
      headers: { authorization: `Bearer ${management}`, ...(body && { 'content-type': 'application/json' }) },
      body: body && JSON.stringify(body),
    });
    return { status: r.status, body: (await r.json()) as Json };
  };
  const fields = (body: Json) => [...new Set(((body.errors ?? []) as { field: string }[]).map((e) => e.field))];

  beforeAll(async () => {
    const config = loadConfig(PartnerPortalConfig, {
      CRM_DATA_DIR: dataDir,
      CRM_PARTNER_TOKEN_FAILURES_PER_CLIENT: '3',
      CRM_PARTNER_TOKEN_FAILURES_PER_ADDRESS: '8',
      CRM_PARTNER_TOKEN_FAILURE_WINDOW_MS: '60000',
    });
    platform = await createPlatform(config, { registry: crmRegistry(), clientId: 'test' });
    app = await createPartnerPortalApp(config, platform, { embedded: true, clock });
    base = await app.listen(0);
    management = await app.app.get(TokenMint).mint({ kind: 'staff', subject: 'maria', department: 'management', roles: ['admin'] });
    const partner = await staff('POST', '/partners', { name: 'Distributor A', partnerKind: 'distributor' });
    for (let i = 0; i < 2; i++) {
      const c = await staff('POST', `/partners/${String(partner.body.partnerId)}/credentials`);
      credentials.push({ clientId: String(c.body.clientId), clientSecret: String(c.body.clientSecret) });
    }
  });
  afterAll(async () => {
    await app?.close();
    await platform?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('client_secret_basic: the credentials in an HTTP Basic header, the form body with only grant_type', async () => {
    const [a] = credentials;
    const r = await post('grant_type=client_credentials', { authorization: basic(a.clientId, a.clientSecret) });
    expect([r.status, r.body.token_type, r.body.expires_in, r.headers.get('cache-control')]).toEqual([200, 'Bearer', 3600, 'no-store']);
    const claims = JSON.parse(Buffer.from(String(r.body.access_token).split('.')[1], 'base64url').toString()) as Json;
    expect(claims).toMatchObject({ sub: a.clientId, crm_kind: 'partner' });
    // The token works where a partner token should.
    const list = await fetch(`${base}/customers`, { headers: { authorization: `Bearer ${String(r.body.access_token)}` } });
    expect(list.status).toBe(200);
    // With no body at all, and with client_id repeated in the body (allowed when it is the same client).
    expect((await post(undefined, { authorization: basic(a.clientId, a.clientSecret) })).status).toBe(200);
    expect(
      (await post(`grant_type=client_credentials&client_id=${encodeURIComponent(a.clientId)}`, { authorization: basic(a.clientId, a.clientSecret) })).status,
    ).toBe(200);
  });

  it('client_secret_post: client_id and client_secret in the form or as JSON', async () => {
    const [a] = credentials;
    const form = await post(`grant_type=client_credentials&client_id=${encodeURIComponent(a.clientId)}&client_secret=${encodeURIComponent(a.clientSecret)}`);
    expect(form.status).toBe(200);
    expect((await post({ clientId: a.clientId, clientSecret: a.clientSecret })).status).toBe(200);
  });

  it('one method per request, a well-formed header, a known grant type: else 400 with the OAuth error and the field', async () => {
    const [a, b] = credentials;
    const both = await post({ client_id: a.clientId, client_secret: a.clientSecret }, { authorization: basic(a.clientId, a.clientSecret) });
    expect([both.status, both.body.error, fields(both.body)]).toEqual([400, 'invalid_request', ['authorization']]);
    const otherClient = await post({ client_id: b.clientId }, { authorization: basic(a.clientId, a.clientSecret) });
    expect([otherClient.status, otherClient.body.error, fields(otherClient.body)]).toEqual([400, 'invalid_request', ['clientId']]);
    for (const header of [
      'Basic',
      'Basic !!!',
      `Basic ${Buffer.from('no-colon').toString('base64')}`,
      `Basic ${Buffer.from(':secret').toString('base64')}`,
      `Basic ${Buffer.from('id:%E0%A4%A').toString('base64')}`,
      `Basic ${Buffer.from('id:%00').toString('base64')}`,
      `Basic ${Buffer.from(`${'x'.repeat(300)}:s`).toString('base64')}`,
      'Digest username="a"',
    ]) {
      const r = await post({}, { authorization: header });
      expect([header, r.status, r.body.error, fields(r.body)]).toEqual([header, 400, 'invalid_request', ['authorization']]);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
    }
    const grant = await post({ grant_type: 'password', client_id: a.clientId, client_secret: a.clientSecret });
    expect([grant.status, grant.body.error, fields(grant.body)]).toEqual([400, 'unsupported_grant_type', ['grant_type']]);
    const none = await post({ grant_type: 'client_credentials' });
    expect([none.status, none.body.error, fields(none.body)]).toEqual([400, 'invalid_request', ['clientId', 'clientSecret']]);
    const text = await fetch(`${base}/auth/token`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'client_id=a' });
    expect(text.status).toBe(415);
    const nested = await post({ client_id: [[a.clientId]], client_secret: a.clientSecret });
    expect([nested.status, fields(nested.body)]).toEqual([400, ['client_id']]);
    const nul = await post({ client_id: 'a\u0000b', client_secret: 'x' });
    expect(nul.status).toBe(400);
  });

  it('a wrong secret over Basic is 401 invalid_client with WWW-Authenticate: Basic', async () => {
    const [, b] = credentials;
    const r = await post({}, { authorization: basic(b.clientId, 'wrong secret') });
    expect([r.status, r.body.error, r.body.type]).toEqual([401, 'invalid_client', ProblemTypes.unauthorized]);
    expect(r.headers.get('www-authenticate')).toMatch(/^Basic realm="crm-partner-portal"/);
  });

  it('failed attempts: 3 per client id and 8 per address in 60 s, then 429 with Retry-After even for the right secret; a success clears the client’s count', async () => {
    clock.advance(120_000); // the earlier cases' failures are out of the window
    const [a, b] = credentials;
    const wrong = () => post({}, { authorization: basic(a.clientId, 'not the secret') });
    // A success clears the client's failures: two failures, a success, two more are still under the limit.
    for (let i = 0; i < 2; i++) expect((await wrong()).status).toBe(401);
    expect((await post({}, { authorization: basic(a.clientId, a.clientSecret) })).status).toBe(200);
    clock.advance(1_000);
    for (let i = 0; i < 2; i++) expect((await wrong()).status).toBe(401);
    expect((await post({}, { authorization: basic(a.clientId, a.clientSecret) })).status).toBe(200);
    // The address has 4 failures now. A third in a row for client a…
    clock.advance(1_000);
    for (let i = 0; i < 3; i++) expect((await wrong()).status).toBe(401);
    // …and client a is refused, even with its right secret, until the oldest of its three failures leaves the window.
    const limited = await post({}, { authorization: basic(a.clientId, a.clientSecret) });
    expect([limited.status, limited.body.error, limited.body.type]).toEqual([429, 'slow_down', ProblemTypes.tooManyRequests]);
    expect(limited.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(limited.headers.get('retry-after'))).toBe(60);
    // The address has 7 failures; one more (client b's) reaches 8: client b from it is refused too, for as long as the oldest stays.
    expect((await post({}, { authorization: basic(b.clientId, 'not the secret either') })).status).toBe(401);
    const byAddress = await post({}, { authorization: basic(b.clientId, b.clientSecret) });
    expect([byAddress.status, Number(byAddress.headers.get('retry-after'))]).toEqual([429, 58]);
    // A guess that would be refused is not even counted; after the window both work again.
    clock.advance(30_000);
    expect(Number((await post({}, { authorization: basic(a.clientId, a.clientSecret) })).headers.get('retry-after'))).toBe(30);
    clock.advance(30_000);
    expect((await post({}, { authorization: basic(b.clientId, b.clientSecret) })).status).toBe(200);
    expect((await post({}, { authorization: basic(a.clientId, a.clientSecret) })).status).toBe(200);
  });

  it('is in the OpenAPI document with Basic authentication, its errors and examples', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as {
      components: { securitySchemes: Record<string, unknown> };
      paths: Record<
        string,
        Record<string, { responses: Record<string, unknown>; security?: unknown[]; requestBody?: { content: Record<string, { examples?: object }> } }>
      >;
    };
    const op = doc.paths['/auth/token'].post;
    expect(Object.keys(op.responses).sort()).toEqual(['200', '400', '401', '415', '429']);
    expect(op.security).toEqual([{ basic: [] }]);
    expect(doc.components.securitySchemes.basic).toEqual({ type: 'http', scheme: 'basic' });
    expect(Object.keys(op.requestBody!.content['application/json'].examples ?? {})).toEqual(['post', 'basic']);
  });
});
