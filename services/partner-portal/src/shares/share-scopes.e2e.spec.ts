import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '@crm/config';
import { crmRegistry } from '@crm/contracts';
import { waitFor } from '@crm/event-store/testing';
import { TestClock } from '@crm/kernel';
import { createPlatform, type Platform } from '@crm/platform';
import { partnerStream } from '@crm/relationship';
import { createRelationshipCommands, type RelationshipCommands } from '@crm/relationship-api';
import { mintToken, TokenMint, type ServiceApp, type SigningKey, type StaffPrincipal } from '@crm/service-kit';
import { createPartnerPortalApp, PartnerPortalConfig } from '../partner-portal';

type Json = Record<string, unknown>;
interface Reply {
  status: number;
  type: string;
  body: Json;
}

// Shares with a scope, an expiry, requests and approvals (issue 14 §2), on the embedded portal and a
// test clock: every expiry is judged by the injected clock, never by the wall clock.
describe('partner shares with a scope (embedded)', () => {
  const clock = new TestClock('2026-06-01T09:00:00.000Z');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-share-scopes-'));
  let platform: Platform;
  let app: ServiceApp;
  let base = '';
  let mint: TokenMint;
  let commands: RelationshipCommands;
  let management = '';
  let channelManager = '';
  let serviceAgent = '';
  let salesAgent = '';

  const alice: StaffPrincipal = { kind: 'staff', subject: 'alice', department: 'sales', roles: ['agent'] };
  const budi: StaffPrincipal = { kind: 'staff', subject: 'budi', department: 'service', roles: ['agent'] };

  const send = async (method: string, url: string, token: string | undefined, body?: string, contentType = 'application/json'): Promise<Reply> => {
    const r = await fetch(`${base}${url}`, {
      method,
      headers: { ...(token && { authorization: `Bearer ${token}` }), ...(body !== undefined && { 'content-type': contentType }) },
      body,
    });
    const text = await r.text();
    return { status: r.status, type: r.headers.get('content-type') ?? '', body: (text ? JSON.parse(text) : {}) as Json };
  };
  const call = (method: string, url: string, token: string | undefined, body?: unknown) =>
    send(method, url, token, body === undefined ? undefined : JSON.stringify(body));
  const fields = (r: Reply) => ((r.body.errors ?? []) as { field: string }[]).map((e) => e.field);
  const items = (r: Reply) => (r.body.items ?? []) as Json[];
  const episodeTypes = (r: Reply) => ((r.body.episodes ?? []) as { episodeType: string }[]).map((e) => e.episodeType).sort();
  /** A 404 as a partner sees it, with the id taken out: the same for unshared, expired, revoked and unknown. */
  const notFound = (r: Reply, id: string) => {
    expect(r.status).toBe(404);
    return JSON.stringify(r.body).split(id).join('<id>');
  };
  const problem = (r: Reply, status: number, field?: string) => {
    expect(r.status).toBe(status);
    expect(r.type).toContain('application/problem+json');
    if (field) expect(fields(r)).toContain(field);
  };
  /** Until an assertion holds (read models follow the store): waitFor takes a predicate. */
  const until = (assertion: () => Promise<unknown>) =>
    waitFor(async () => {
      try {
        await assertion();
        return true;
      } catch {
        return false;
      }
    });
  const partnerEventCount = async (partnerId: string) => (await platform.eventStore.readStream(partnerStream(partnerId))).length;

  // Partners: D a distributor, R a repair provider, B a reseller; each with a token.
  let partnerD = '';
  let partnerR = '';
  let partnerB = '';
  let tokenD = '';
  let tokenR = '';
  let tokenB = '';

  const register = async (name: string, partnerKind: string) => String((await call('POST', '/partners', management, { name, partnerKind })).body.partnerId);
  const tokenOf = async (partnerId: string) => {
    const credential = (await call('POST', `/partners/${partnerId}/credentials`, management)).body;
    const r = await call('POST', '/auth/token', undefined, { clientId: credential.clientId, clientSecret: credential.clientSecret });
    expect(r.status).toBe(200);
    return String(r.body.access_token);
  };
  const customer = async (name: string) => (await commands.customers.register(alice, { kind: 'organisation', name })).id;

  beforeAll(async () => {
    const config = loadConfig(PartnerPortalConfig, { CRM_DATA_DIR: dataDir, CRM_PARTNER_ACCESS_LOG_INTERVAL_MS: '0' });
    platform = await createPlatform(config, { registry: crmRegistry(), clientId: 'test' });
    app = await createPartnerPortalApp(config, platform, { embedded: true, clock });
    base = await app.listen(0);
    mint = app.app.get(TokenMint);
    commands = createRelationshipCommands(platform.eventStore, { clock });
    management = await mint.mint({ kind: 'staff', subject: 'maria', department: 'management', roles: ['admin'] });
    channelManager = await mint.mint({ kind: 'staff', subject: 'rudi', department: 'sales', roles: ['channel-manager'] });
    serviceAgent = await mint.mint(budi);
    salesAgent = await mint.mint(alice);
    partnerD = await register('Distributor D', 'distributor');
    partnerR = await register('Repairs R', 'service-provider');
    partnerB = await register('Reseller B', 'reseller');
    [tokenD, tokenR, tokenB] = [await tokenOf(partnerD), await tokenOf(partnerR), await tokenOf(partnerB)];
  });
  afterAll(async () => {
    await app?.close();
    await platform?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("shows only the scoped episode types on the timeline, and always the partner's own episodes", async () => {
    const x = await customer('PT Xenon');
    await commands.episodes.open(alice, 'opportunity', { customerId: x, name: 'Fleet renewal' });
    await commands.episodes.open(budi, 'case', { customerId: x, name: 'Broken unit', channel: 'phone' });
    expect((await call('POST', `/partners/${partnerD}/shares`, channelManager, { customerId: x, episodeTypes: ['case'] })).status).toBe(201);
    await until(async () => expect(episodeTypes(await call('GET', `/customers/${x}/timeline`, tokenD))).toEqual(['case']));
    const own = await call('POST', '/episodes', tokenD, { customerId: x, name: 'Dealer sale', episodeType: 'partner-deal' });
    expect(own.status).toBe(201);
    await until(async () => expect(episodeTypes(await call('GET', `/customers/${x}/timeline`, tokenD))).toEqual(['case', 'partner-deal']));
    // B, not given X, gets the 404 of an unknown customer
    const unknown = randomUUID();
    expect(notFound(await call('GET', `/customers/${x}/timeline`, tokenB), x)).toBe(
      notFound(await call('GET', `/customers/${unknown}/timeline`, tokenB), unknown),
    );
  });

  it('a read-only share answers reads and refuses writes with 403; sharing again with read-write allows them; the same scope again records nothing', async () => {
    const y = await customer('PT Yudha');
    expect((await call('POST', `/partners/${partnerD}/shares`, management, { customerId: y, access: 'read' })).status).toBe(201);
    await until(async () => expect((await call('GET', `/customers/${y}`, tokenD)).status).toBe(200));
    problem(await call('POST', '/episodes', tokenD, { customerId: y, name: 'Dealer sale', episodeType: 'partner-deal' }), 403);
    const before = await partnerEventCount(partnerD);
    expect((await call('POST', `/partners/${partnerD}/shares`, management, { customerId: y, access: 'read' })).status).toBe(201);
    expect(await partnerEventCount(partnerD)).toBe(before);
    expect((await call('POST', `/partners/${partnerD}/shares`, management, { customerId: y, access: 'read-write' })).status).toBe(201);
    expect(await partnerEventCount(partnerD)).toBe(before + 1);
    expect((await call('POST', '/episodes', tokenD, { customerId: y, name: 'Dealer sale', episodeType: 'partner-deal' })).status).toBe(201);
    const view = await call('GET', `/partners/${partnerD}`, management);
    expect((view.body.shares as Json[]).find((s) => s.customerId === y)).toMatchObject({ access: 'read-write', inForce: true });
  });

  it('an expired share answers 404 exactly like an unshared customer, and leaves the list — by the test clock, no event needed', async () => {
    const z = await customer('PT Zamrud');
    const expiresAt = new Date(clock.now().getTime() + 3_600_000).toISOString();
    expect((await call('POST', `/partners/${partnerB}/shares`, management, { customerId: z, expiresAt })).status).toBe(201);
    await until(async () => expect((await call('GET', `/customers/${z}`, tokenB)).status).toBe(200));
    expect(items(await call('GET', '/customers', tokenB)).map((c) => c.customerId)).toContain(z);
    const events = await partnerEventCount(partnerB);
    clock.advance(3_600_000); // exactly at expiresAt: no longer in force
    const unknown = randomUUID();
    expect(notFound(await call('GET', `/customers/${z}`, tokenB), z)).toBe(notFound(await call('GET', `/customers/${unknown}`, tokenB), unknown));
    expect(notFound(await call('GET', `/customers/${z}/timeline`, tokenB), z)).toBe(
      notFound(await call('GET', `/customers/${unknown}/timeline`, tokenB), unknown),
    );
    expect(items(await call('GET', '/customers', tokenB)).map((c) => c.customerId)).not.toContain(z);
    problem(await call('POST', '/episodes', tokenB, { customerId: z, name: 'x', episodeType: 'partner-deal' }), 404);
    expect(await partnerEventCount(partnerB)).toBe(events);
    const view = await call('GET', `/partners/${partnerB}`, management);
    expect(view.body.sharedCustomerIds).not.toContain(z);
    expect((view.body.shares as Json[]).find((s) => s.customerId === z)).toMatchObject({ expiresAt, inForce: false });
    // sharing again with a later expiry brings it back
    const later = new Date(clock.now().getTime() + 86_400_000).toISOString();
    expect((await call('POST', `/partners/${partnerB}/shares`, management, { customerId: z, expiresAt: later })).status).toBe(201);
    await until(async () => expect((await call('GET', `/customers/${z}`, tokenB)).status).toBe(200));
  });

  it('refuses an expiry not in the future with 400 naming expiresAt', async () => {
    const c = await customer('PT Past');
    problem(await call('POST', `/partners/${partnerD}/shares`, management, { customerId: c, expiresAt: clock.now().toISOString() }), 400, 'expiresAt');
    problem(await call('POST', `/partners/${partnerD}/shares`, management, { customerId: c, expiresAt: '2020-01-01T00:00:00.000Z' }), 400, 'expiresAt');
    problem(await call('POST', `/partners/${partnerD}/shares`, management, { customerId: c, expiresAt: 'tomorrow' }), 400, 'expiresAt');
  });

  it('share requests: always 202 with the same body; staff list, approve (the share with its scope) and refuse; a partner sees only its own', async () => {
    const known = await customer('PT Known');
    const unknown = randomUUID();
    const a = await call('POST', '/share-requests', tokenD, { customerId: known, reason: 'they asked us for a quote' });
    const b = await call('POST', '/share-requests', tokenD, { customerId: unknown, reason: 'they asked us for a quote' });
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(Object.keys(a.body).sort()).toEqual(Object.keys(b.body).sort());
    expect([a.body.status, b.body.status]).toEqual(['received', 'received']);
    const [ra, rb] = [String(a.body.requestId), String(b.body.requestId)];

    await until(async () =>
      expect(items(await call('GET', '/share-requests?status=pending', channelManager)).map((r) => r.requestId)).toEqual(expect.arrayContaining([ra, rb])),
    );
    expect(
      items(await call('GET', '/share-requests', tokenD))
        .map((r) => r.requestId)
        .sort(),
    ).toEqual([ra, rb].sort());
    // another partner sees none of them, whatever it asks for
    expect(items(await call('GET', '/share-requests', tokenB))).toEqual([]);
    expect(items(await call('GET', `/share-requests?partnerId=${partnerD}`, tokenB))).toEqual([]);
    // partners and plain sales agents decide nothing
    problem(await call('POST', `/share-requests/${ra}/approve`, tokenD, {}), 403);
    problem(await call('POST', `/share-requests/${ra}/approve`, tokenB, {}), 403);
    problem(await call('POST', `/share-requests/${ra}/approve`, salesAgent, {}), 403);
    problem(await call('GET', '/share-requests', salesAgent), 403);

    const approved = await call('POST', `/share-requests/${ra}/approve`, channelManager, { scope: { access: 'read', episodeTypes: ['case'] } });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'approved', customerId: known, scope: { access: 'read', episodeTypes: ['case'] } });
    await until(async () => expect((await call('GET', `/customers/${known}`, tokenD)).status).toBe(200));
    problem(await call('POST', '/episodes', tokenD, { customerId: known, name: 'x', episodeType: 'partner-deal' }), 403);
    problem(await call('POST', `/share-requests/${ra}/approve`, channelManager, {}), 422);

    // the unknown customer's request: approval is refused (no such customer), a refusal is recorded
    problem(await call('POST', `/share-requests/${rb}/approve`, channelManager, {}), 422);
    expect((await call('POST', `/share-requests/${rb}/refuse`, channelManager, { reason: 'not a customer we know' })).status).toBe(200);
    await until(async () =>
      expect(items(await call('GET', '/share-requests', tokenD)).find((r) => r.requestId === rb)).toMatchObject({
        status: 'refused',
        decisionReason: 'not a customer we know',
      }),
    );
    expect(items(await call('GET', '/share-requests?status=refused', management)).map((r) => r.requestId)).toContain(rb);
    problem(await call('POST', `/share-requests/${randomUUID()}/refuse`, channelManager, { reason: 'x' }), 404);
  });

  it('asOf: the partner and its shares as they stood, by the injected clock', async () => {
    const c = await customer('PT Waktu');
    clock.advance(60_000);
    const beforeShare = clock.now().toISOString();
    clock.advance(60_000);
    expect((await call('POST', `/partners/${partnerR}/shares`, management, { customerId: c, episodeTypes: ['return-repair'] })).status).toBe(201);
    clock.advance(60_000);
    const whileShared = clock.now().toISOString();
    clock.advance(60_000);
    expect((await call('DELETE', `/partners/${partnerR}/shares/${c}`, management)).status).toBe(204);

    const then = await call('GET', `/partners/${partnerR}?asOf=${encodeURIComponent(whileShared)}`, management);
    expect(then.status).toBe(200);
    expect(then.body.asOf).toBe(whileShared);
    expect(then.body.sharedCustomerIds).toContain(c);
    expect((then.body.shares as Json[]).find((s) => s.customerId === c)).toMatchObject({ episodeTypes: ['return-repair'], inForce: true });
    expect((await call('GET', `/partners/${partnerR}?asOf=${encodeURIComponent(beforeShare)}`, management)).body.sharedCustomerIds).not.toContain(c);
    expect((await call('GET', `/partners/${partnerR}`, management)).body.sharedCustomerIds).not.toContain(c);
    problem(await call('GET', `/partners/${partnerR}?asOf=2000-01-01T00:00:00.000Z`, management), 404);
    problem(await call('GET', `/partners/${partnerR}?asOf=yesterday`, management), 400, 'asOf');
  });

  it('service staff share a customer with a repair provider, not with a distributor (403); sales agents with nobody', async () => {
    const c = await customer('PT Servis');
    expect((await call('POST', `/partners/${partnerR}/shares`, serviceAgent, { customerId: c, episodeTypes: ['case', 'return-repair'] })).status).toBe(201);
    await until(async () => expect((await call('GET', `/customers/${c}`, tokenR)).status).toBe(200));
    problem(await call('POST', `/partners/${partnerD}/shares`, serviceAgent, { customerId: c }), 403);
    problem(await call('POST', `/partners/${partnerR}/shares`, salesAgent, { customerId: c }), 403);
    problem(await call('DELETE', `/partners/${partnerD}/shares/${c}`, serviceAgent), 403);
    expect((await call('DELETE', `/partners/${partnerR}/shares/${c}`, serviceAgent)).status).toBe(204);
    // service staff do not administer partners
    problem(await call('GET', `/partners/${partnerR}`, serviceAgent), 403);
  });

  it('attack cases: other partners, revoked shares, forged and expired tokens leak nothing', async () => {
    const c = await customer('PT Rahasia');
    expect((await call('POST', `/partners/${partnerD}/shares`, management, { customerId: c })).status).toBe(201);
    await until(async () => expect((await call('GET', `/customers/${c}`, tokenD)).status).toBe(200));
    const unknown = randomUUID();
    const unshared = notFound(await call('GET', `/customers/${unknown}`, tokenB), unknown);
    expect(notFound(await call('GET', `/customers/${c}`, tokenB), c)).toBe(unshared);
    expect(notFound(await call('GET', `/customers/${c}`, tokenR), c)).toBe(unshared);
    expect((await call('DELETE', `/partners/${partnerD}/shares/${c}`, management)).status).toBe(204);
    expect(notFound(await call('GET', `/customers/${c}`, tokenD), c)).toBe(unshared);
    // a partner cannot share, list others' shares, or read a partner's view
    problem(await call('POST', `/partners/${partnerB}/shares`, tokenB, { customerId: c }), 403);
    problem(await call('GET', `/partners/${partnerD}`, tokenB), 403);
    // forged and expired tokens: 401 on every new route
    const forged = `${tokenD.slice(0, -4)}AAAA`;
    // expired: signed with the portal's own key, issued two hours ago for one hour (the verifier judges exp by the wall clock)
    const internals = mint as unknown as { key: Promise<SigningKey>; settings: { issuer: string; audience: string } };
    const expired = await mintToken(
      { kind: 'partner', subject: 'p', partnerId: partnerD, roles: [] },
      {
        signingKey: await internals.key,
        issuer: internals.settings.issuer,
        audience: internals.settings.audience,
        expiresIn: '1h',
        now: new Date(Date.now() - 2 * 3_600_000),
      },
    );
    for (const token of [forged, expired, undefined]) {
      expect((await call('POST', '/share-requests', token, { customerId: c, reason: 'x' })).status).toBe(401);
      expect((await call('GET', '/share-requests', token)).status).toBe(401);
      expect((await call('POST', `/share-requests/${randomUUID()}/approve`, token, {})).status).toBe(401);
      expect((await call('POST', `/partners/${partnerD}/shares`, token, { customerId: c })).status).toBe(401);
    }
  });

  it('bad input: nested arrays, NUL, lone surrogates, wrong content type, garbage ids — 4xx problems naming the field', async () => {
    const c = await customer('PT Masukan');
    const share = `/partners/${partnerD}/shares`;
    problem(await call('POST', share, management, { customerId: c, episodeTypes: [['case']] }), 400, 'episodeTypes');
    problem(await call('POST', share, management, { customerId: c, episodeTypes: ['gossip'] }), 400, 'episodeTypes');
    problem(await call('POST', share, management, { customerId: c, access: 'write' }), 400, 'access');
    problem(await call('POST', share, management, { customerId: [c] }), 400, 'customerId');
    problem(await send('POST', share, management, `{"customerId":"${c}","access":"read\\u0000"}`), 400, 'access');
    problem(await send('POST', share, management, JSON.stringify({ customerId: c }), 'text/plain'), 415);
    problem(await call('POST', `/partners/not-a-uuid/shares`, management, { customerId: c }), 400, 'id');
    problem(await send('POST', '/share-requests', tokenD, `{"customerId":"${c}","reason":"\\ud800"}`), 400, 'reason');
    problem(await send('POST', '/share-requests', tokenD, `{"customerId":"${c}","reason":"a\\u0000b"}`), 400, 'reason');
    problem(await call('POST', '/share-requests', tokenD, { customerId: 'garbage', reason: 'x' }), 400, 'customerId');
    problem(await call('POST', '/share-requests', tokenD, { customerId: c, reason: [['x']] }), 400, 'reason');
    problem(await send('POST', '/share-requests', tokenD, 'customerId=x', 'text/plain'), 415);
    problem(await call('GET', '/share-requests?status=maybe', management), 400, 'status');
    problem(await call('POST', '/share-requests/not-a-uuid/approve', management, {}), 400, 'id');
    problem(await call('POST', `/share-requests/${randomUUID()}/approve`, management, { scope: [[{ access: 'read' }]] }), 400, 'scope');
    problem(
      await call('POST', `/share-requests/${randomUUID()}/approve`, management, { scope: { expiresAt: '2000-01-01T00:00:00.000Z' } }),
      400,
      'scope.expiresAt',
    );
    problem(await call('POST', `/share-requests/${randomUUID()}/refuse`, management, {}), 400, 'reason');
  });

  it('documents the new routes with response schemas and error responses', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, Record<string, { responses: Record<string, Json> }>> };
    const responses = (p: string, m: string) => Object.keys(doc.paths[p]?.[m]?.responses ?? {});
    expect(responses('/partners/{id}/shares', 'post')).toEqual(expect.arrayContaining(['201', '400', '403', '404', '415', '422']));
    expect(responses('/partners/{id}', 'get')).toEqual(expect.arrayContaining(['200', '400', '404']));
    expect(responses('/share-requests', 'post')).toEqual(expect.arrayContaining(['202', '400', '415']));
    expect(responses('/share-requests', 'get')).toEqual(expect.arrayContaining(['200', '400', '403']));
    expect(responses('/share-requests/{id}/approve', 'post')).toEqual(expect.arrayContaining(['200', '400', '403', '404', '422']));
    expect(responses('/share-requests/{id}/refuse', 'post')).toEqual(expect.arrayContaining(['200', '400', '403', '404', '422']));
    for (const [p, m, code] of [
      ['/partners/{id}/shares', 'post', '201'],
      ['/partners/{id}', 'get', '200'],
      ['/share-requests', 'post', '202'],
      ['/share-requests', 'get', '200'],
    ] as const) {
      expect(JSON.stringify(doc.paths[p][m].responses[code])).toContain('$ref');
    }
  });
});
