import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '@crm/config';
import { crmRegistry } from '@crm/contracts';
import { waitFor } from '@crm/event-store/testing';
import { TestClock } from '@crm/kernel';
import { createPlatform, type Platform } from '@crm/platform';
import { createRelationshipCommands, LeadCommands } from '@crm/relationship-api';
import { mintToken, TokenMint, type ServiceApp, type StaffPrincipal } from '@crm/service-kit';
import { createPartnerPortalApp, PartnerPortalConfig } from './partner-portal';

// The partner attack suite across EVERY partner route (issue 14 "Done when"): the routes are read
// from the portal's own OpenAPI document, so a route added later is attacked without anyone
// remembering to add it here. Partner A is given nothing of partner B's; B has a customer, an
// episode, a deal registration, a lead offered to it, a webhook, a user and a share request. A calls
// every partner operation with B's ids — and every operation with no token, a forged one, an expired
// one, a removed user's and an ended partnership's — and nothing of B's may come back: no 2xx on
// B's resources, no B id or name in any answer that the request did not itself carry, and no 5xx.
type Json = Record<string, unknown>;
type Reply = { status: number; type: string; text: string };

describe('partner isolation across every partner route (embedded)', () => {
  const clock = new TestClock('2026-06-01T09:00:00.000Z');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-partner-isolation-'));
  const alice: StaffPrincipal = { kind: 'staff', subject: 'alice', department: 'sales', roles: ['agent'] };
  let platform: Platform;
  let app: ServiceApp;
  let base = '';
  let management = '';

  const call = async (method: string, url: string, token: string | undefined, body?: unknown): Promise<Reply> => {
    const csv = typeof body === 'string';
    const r = await fetch(`${base}${url}`, {
      method,
      headers: { ...(token && { authorization: `Bearer ${token}` }), ...(body !== undefined && { 'content-type': csv ? 'text/csv' : 'application/json' }) },
      body: body === undefined ? undefined : csv ? body : JSON.stringify(body),
    });
    return { status: r.status, type: r.headers.get('content-type') ?? '', text: await r.text() };
  };
  const json = async (method: string, url: string, token: string | undefined, body?: unknown): Promise<Json> => {
    const r = await call(method, url, token, body);
    if (r.status >= 300) throw new Error(`${method} ${url}: ${r.status} ${r.text}`);
    return (r.text ? JSON.parse(r.text) : {}) as Json;
  };
  const exchange = async ({ clientId, clientSecret }: Json) => String((await json('POST', '/auth/token', undefined, { clientId, clientSecret })).access_token);
  const partner = async (name: string) => {
    const partnerId = String((await json('POST', '/partners', management, { name, partnerKind: 'distributor' })).partnerId);
    const credential = await json('POST', `/partners/${partnerId}/credentials`, management);
    return { partnerId, token: await exchange(credential) };
  };

  /** Everything of B's that A must never be shown. */
  const b: Record<string, string> = {};
  let tokenA = '';
  let expired = '';
  let removedUser = '';
  let endedPartner = '';
  /** The partner operations of the portal's OpenAPI document: [METHOD, path template]. */
  let operations: [string, string][] = [];

  beforeAll(async () => {
    const config = loadConfig(PartnerPortalConfig, {
      CRM_DATA_DIR: dataDir,
      CRM_PARTNER_ACCESS_LOG_INTERVAL_MS: '0',
      CRM_DEAL_REGISTRATION_INTERVAL_MS: '0',
      CRM_LEAD_DISTRIBUTION_INTERVAL_MS: '0',
      CRM_PARTNER_WEBHOOK_INTERVAL_MS: '0',
      CRM_PARTNER_WEBHOOK_ALLOW_HTTP: 'true',
    });
    platform = await createPlatform(config, { registry: crmRegistry(), clientId: 'test' });
    app = await createPartnerPortalApp(config, platform, { embedded: true, clock });
    base = await app.listen(0);
    management = await app.app.get(TokenMint).mint({ kind: 'staff', subject: 'maria', department: 'management', roles: ['admin'] });
    const commands = createRelationshipCommands(platform.eventStore);

    const a = await partner('Distributor A');
    const pb = await partner('Distributor B');
    tokenA = a.token;
    b.partnerId = pb.partnerId;
    const x = (await commands.customers.register(alice, { kind: 'organisation', name: 'PT Milik A' })).id;
    b.customerId = (await commands.customers.register(alice, { kind: 'organisation', name: 'PT Rahasia Bersama' })).id;
    b.customerName = 'PT Rahasia Bersama';
    await json('POST', `/partners/${a.partnerId}/shares`, management, { customerId: x });
    await json('POST', `/partners/${b.partnerId}/shares`, management, { customerId: b.customerId });
    await waitFor(async () => (await call('GET', `/customers/${b.customerId}`, pb.token)).status === 200, 20000, "B's share in the read model");

    // B's own things
    b.episodeId = String(
      (await json('POST', '/episodes', pb.token, { customerId: b.customerId, name: 'Rahasia deal', episodeType: 'partner-deal' })).episodeId,
    );
    b.episodeName = 'Rahasia deal';
    b.registrationId = String(
      (
        await json('POST', '/deal-registrations', pb.token, {
          customerId: b.customerId,
          products: ['SECRET-VAN'],
          estimatedValue: 123_456_789,
          currency: 'EUR',
          expectedCloseDate: '2026-09-30',
        })
      ).registrationId,
    );
    b.product = 'SECRET-VAN';
    b.webhookUrl = 'http://127.0.0.1:9/rahasia-hook';
    b.subscriptionId = String((await json('POST', '/webhooks', pb.token, { url: b.webhookUrl, eventTypes: ['EpisodeOpened'] })).subscriptionId);
    b.userEmail = 'rahasia.admin@b.example';
    b.userId = String((await json('POST', `/partners/${b.partnerId}/users`, management, { name: 'Rahasia Admin', email: b.userEmail })).userId);
    b.requestId = String((await json('POST', '/share-requests', pb.token, { customerId: x, reason: 'rahasia reason' })).requestId);
    // a lead offered to B (the only partner with a routing profile)
    await json('PUT', `/partners/${b.partnerId}/routing-profile`, management, {
      territories: [{ country: 'ID' }],
      products: [],
      tier: 'gold',
      capacity: 5,
      active: true,
    });
    b.leadName = 'Rahasia Lead';
    b.leadId = (
      await app.app
        .get(LeadCommands)
        .capture(alice, { source: 'web-form', name: b.leadName, company: 'Rahasia Corp', email: 'lead@rahasia.example', country: 'ID' })
    ).id;
    // Until B's routing profile is in the read model no partner is eligible (the distribution is
    // exhausted, and may be started again): start it until the offer is in B's inbox. A start is
    // keyed by its instant (a repeat at the same instant is the same start), so the clock moves on.
    await waitFor(
      async () => {
        clock.set(new Date(clock.now().getTime() + 1000).toISOString());
        await call('POST', `/leads/${b.leadId}/distribution`, management, { products: [] });
        return (await call('GET', `/leads/${b.leadId}`, pb.token)).status === 200;
      },
      20000,
      'the offer in B’s inbox',
    );

    // tokens that must open nothing: expired, a removed user's, an ended partnership's
    expired = await mintToken(
      { kind: 'partner', subject: 'any', partnerId: a.partnerId, roles: [] },
      { signingKey: path.join(dataDir, 'keys', 'signing-key.json'), issuer: 'crm-embedded', audience: 'crm', now: new Date(Date.now() - 3 * 3600_000) },
    );
    const c = await partner('Distributor C');
    const adminC = String((await json('POST', `/partners/${c.partnerId}/users`, management, { name: 'Admin C', email: 'admin@c.example' })).userId);
    const salesC = String((await json('POST', '/users', c.token, { name: 'Sales C', email: 'sales@c.example', role: 'sales' })).userId);
    removedUser = await exchange(await json('POST', `/users/${salesC}/credentials`, c.token));
    expect((await call('GET', '/customers', removedUser)).status).toBe(200);
    await json('DELETE', `/users/${salesC}`, c.token);
    expect(adminC).toBeTruthy();
    const d = await partner('Distributor D');
    endedPartner = d.token;
    await json('DELETE', `/partners/${d.partnerId}`, management);

    const doc = JSON.parse((await call('GET', '/openapi.json', undefined)).text) as { paths: Record<string, Record<string, { security?: Json[] }>> };
    operations = Object.entries(doc.paths).flatMap(([p, item]) =>
      Object.entries(item)
        .filter(([m, op]) => ['get', 'post', 'put', 'patch', 'delete'].includes(m) && (op.security ?? []).some((s) => 'partner' in s))
        .map(([m]): [string, string] => [m.toUpperCase(), p]),
    );
  }, 120000);

  afterAll(async () => {
    await app?.close();
    await platform?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** B's id for a path parameter, by what the path is about. */
  const idFor = (p: string, param: string): string => {
    if (param !== 'id') return randomUUID(); // {deliveryId}: none of A's
    const about: [RegExp, string][] = [
      [/^\/customers\//, b.customerId],
      [/^\/episodes\//, b.episodeId],
      [/^\/deal-registrations\//, b.registrationId],
      [/^\/leads\//, b.leadId],
      [/^\/webhooks\//, b.subscriptionId],
      [/^\/users\//, b.userId],
      [/^\/share-requests\//, b.requestId],
      [/^\/repairs\//, randomUUID()], // B is no service provider: an id A does not have
    ];
    const found = about.find(([re]) => re.test(p));
    if (!found) throw new Error(`no id of B's for ${p}: add one to this suite`);
    return found[1];
  };
  const urlOf = (template: string) => template.replace(/\{(\w+)\}/g, (_m, param: string) => idFor(template, param));
  /** A body that names B's things wherever a body names anything. */
  const bodyFor = (method: string, p: string): unknown => {
    if (method === 'GET' || method === 'DELETE') return undefined;
    const line = { customerId: b.customerId, externalId: 'INV-A-1', orderDate: '2026-05-30', productId: 'P', quantity: 1, unitPrice: 100, currency: 'EUR' };
    const bodies: Record<string, unknown> = {
      'POST /episodes': { customerId: b.customerId, name: 'x', episodeType: 'partner-deal' },
      'POST /episodes/{id}/interactions': { channel: 'phone', direction: 'outbound', action: 'called', occurredAt: '2026-05-31T09:00:00.000Z' },
      'POST /episodes/{id}/close': { outcome: 'won' },
      'POST /deal-registrations': { customerId: b.customerId, products: ['X'], estimatedValue: 1, currency: 'EUR', expectedCloseDate: '2026-09-30' },
      'POST /sell-through': { lines: [line] },
      'POST /sell-through.csv': `customerId,externalId,orderDate,productId,quantity,unitPrice,currency\n${b.customerId},INV-A-2,2026-05-30,P,1,1.00,EUR\n`,
      'POST /share-requests': { customerId: b.customerId, reason: 'please' },
      'POST /leads/{id}/decline': { reason: 'no' },
      'POST /leads/{id}/outcome': { outcome: 'won' },
      'PATCH /users/{id}': { role: 'sales' },
      'POST /users': { name: 'A user', email: 'a-user@a.example', role: 'sales' },
      'POST /webhooks': { url: 'http://127.0.0.1:9/a-hook', eventTypes: ['EpisodeOpened'] },
      'PATCH /webhooks/{id}': { eventTypes: ['EpisodeClosed'] },
      'POST /webhooks/{id}/replay': { fromPosition: '0/0' },
      'POST /repairs/{id}/status': { to: 'received' },
      'POST /repairs/{id}/shipments': { leg: 'to-provider', state: 'delivered' },
    };
    return bodies[`${method} ${p}`] ?? {};
  };
  /** B's things in an answer that the request did not itself carry (echoing what the caller sent is no leak). */
  const leaked = (answer: string, request: string) => Object.values(b).filter((needle) => answer.includes(needle) && !request.includes(needle));

  it('reads every partner operation from the OpenAPI document (new routes join this suite by themselves)', () => {
    expect(operations.length).toBeGreaterThanOrEqual(35);
    for (const prefix of ['/customers', '/episodes', '/deal-registrations', '/leads', '/webhooks', '/users', '/sell-through', '/share-requests', '/repairs'])
      expect(operations.some(([, p]) => p.startsWith(prefix))).toBe(true);
    // the live stream too (a 2xx here would be a stream of B's customer, and fail below)
    expect(operations).toContainEqual(['GET', '/customers/{id}/timeline/live']);
  });

  it("partner A calling every partner operation with B's ids gets nothing of B's: no 2xx on B's resources, no B data in any answer, no 5xx", async () => {
    const outcomes: string[] = [];
    // What A itself has sent so far: an answer echoing it (A's own share request naming B's customer) is no leak.
    let sent = '';
    for (const [method, template] of operations) {
      const url = urlOf(template);
      const body = bodyFor(method, template);
      sent += ` ${url} ${JSON.stringify(body ?? '')}`;
      const r = await call(method, url, tokenA, body);
      const request = sent;
      const onB = template.includes('{id}');
      outcomes.push(`${method} ${template} ${r.status}`);
      expect({ op: `${method} ${template}`, serverError: r.status >= 500 }).toEqual({ op: `${method} ${template}`, serverError: false });
      if (onB)
        expect({ op: `${method} ${template}`, status: r.status < 300 ? 'success on B’s resource' : 'refused' }).toEqual({
          op: `${method} ${template}`,
          status: 'refused',
        });
      expect({ op: `${method} ${template}`, leaked: leaked(r.text, request) }).toEqual({ op: `${method} ${template}`, leaked: [] });
    }
    expect(outcomes).toHaveLength(operations.length);
    // What A's writes naming B's customer left: nothing on B's customer.
    const history = await platform.eventStore.readStream(`episode-${b.episodeId}`);
    expect(history.map((e) => e.type)).toEqual(['EpisodeOpened']);
  });

  it.each([
    ['no token', () => undefined],
    ['a forged token', () => `${tokenA.slice(0, -4)}${tokenA.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`],
    ['an expired token', () => expired],
    ["a removed user's token", () => removedUser],
    ['a token of an ended partnership (DELETE /partners/{id})', () => endedPartner],
  ])('every partner operation answers 401 problem+json to %s, and says nothing of B', async (_what, token) => {
    for (const [method, template] of operations) {
      const url = urlOf(template);
      const body = bodyFor(method, template);
      const r = await call(method, url, token(), body);
      expect({ op: `${method} ${template}`, status: r.status, problem: r.type.startsWith('application/problem+json') }).toEqual({
        op: `${method} ${template}`,
        status: 401,
        problem: true,
      });
      expect(leaked(r.text, `${url} ${JSON.stringify(body ?? '')}`)).toEqual([]);
    }
  });
});
