import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '@crm/config';
import { crmRegistry } from '@crm/contracts';
import { waitFor } from '@crm/event-store/testing';
import { TestClock, type Clock } from '@crm/kernel';
import { createPlatform, type Platform } from '@crm/platform';
import { createRelationshipCommands, type RelationshipCommands } from '@crm/relationship-api';
import { TokenMint, type ServiceApp, type ServiceConfig, type StaffPrincipal } from '@crm/service-kit';
import { Webhook } from 'standardwebhooks';
import { createPartnerPortalClient, PartnerTokenError, type PartnerPortalClient, type PartnerSchema } from './index';

// The typed client against a running embedded portal: a partner's software as a partner's developer
// writes it (docs/partners.md, "Quick start with the TypeScript client"). Every answer is typed from
// the committed schema.d.ts, so a route whose answer changed without regenerating fails to compile here.

/** The portal is loaded by path, as the embedded host loads services: no lib imports a service. */
interface PortalModule {
  PartnerPortalConfig: new () => ServiceConfig;
  createPartnerPortalApp(config: ServiceConfig, platform: Platform, hosting: { embedded?: boolean; clock?: Clock }): Promise<ServiceApp>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const portal = require(path.resolve(__dirname, '../../../../services/partner-portal/src/partner-portal.ts')) as PortalModule;
/** The portal's webhook dispatcher, ticked by the test (its interval is 0 here). */
interface DispatcherModule {
  WebhookDispatcher: abstract new (...args: never[]) => { tick(): Promise<unknown> };
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dispatcherModule = require(path.resolve(__dirname, '../../../../services/partner-portal/src/webhooks/webhook-dispatcher.process.ts')) as DispatcherModule;

describe('the partner portal client (embedded portal)', () => {
  const clock = new TestClock('2026-06-01T09:00:00.000Z');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-partner-client-'));
  let platform: Platform;
  let app: ServiceApp;
  let base = '';
  let management = '';
  let commands: RelationshipCommands;
  let credentialA: { clientId: string; clientSecret: string };
  let client: PartnerPortalClient;
  let customerX = ''; // shared with A
  let customerZ = ''; // shared with nobody
  let customerR = ''; // shared with A, then revoked
  /** The partner's webhook endpoint: every request it received. */
  let receiver: http.Server | undefined;
  const received: { headers: Record<string, string>; body: string }[] = [];
  /** Every request the client sent (path only), in order. */
  const sent: string[] = [];

  const alice: StaffPrincipal = { kind: 'staff', subject: 'alice', department: 'sales', roles: ['agent'] };
  const staff = async (method: string, url: string, body?: unknown): Promise<Record<string, string>> => {
    const r = await fetch(`${base}${url}`, {
      method,
      headers: { authorization: `Bearer ${management}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect(r.status).toBeLessThan(300);
    const text = await r.text();
    return (text ? JSON.parse(text) : {}) as Record<string, string>;
  };
  const clientFor = (credential: { clientId: string; clientSecret: string }, now?: () => number) =>
    createPartnerPortalClient({
      baseUrl: base,
      ...credential,
      now,
      fetch: (request) => {
        sent.push(new URL(request.url).pathname);
        return fetch(request);
      },
    });

  beforeAll(async () => {
    const config = loadConfig(portal.PartnerPortalConfig, {
      CRM_DATA_DIR: dataDir,
      CRM_PARTNER_ACCESS_LOG_INTERVAL_MS: '0',
      CRM_DEAL_REGISTRATION_INTERVAL_MS: '0', // no tick: nothing here waits for one
      CRM_PARTNER_WEBHOOK_INTERVAL_MS: '0', // the webhook dispatcher sends when the test ticks it
      CRM_PARTNER_WEBHOOK_ALLOW_HTTP: 'true', // the test's receiver speaks http
    });
    platform = await createPlatform(config, { registry: crmRegistry(), clientId: 'test' });
    app = await portal.createPartnerPortalApp(config, platform, { embedded: true, clock });
    base = await app.listen(0);
    management = await app.app.get(TokenMint).mint({ kind: 'staff', subject: 'maria', department: 'management', roles: ['admin'] });
    commands = createRelationshipCommands(platform.eventStore);

    const partnerA = (await staff('POST', '/partners', { name: 'Distributor A', partnerKind: 'distributor' })).partnerId;
    credentialA = (await staff('POST', `/partners/${partnerA}/credentials`)) as { clientId: string; clientSecret: string };
    customerX = (await commands.customers.register(alice, { kind: 'organisation', name: 'PT Xenon' })).id;
    customerZ = (await commands.customers.register(alice, { kind: 'organisation', name: 'PT Zamrud' })).id;
    customerR = (await commands.customers.register(alice, { kind: 'organisation', name: 'PT Revoked' })).id;
    await staff('POST', `/partners/${partnerA}/shares`, { customerId: customerX });
    await staff('POST', `/partners/${partnerA}/shares`, { customerId: customerR });
    await staff('DELETE', `/partners/${partnerA}/shares/${customerR}`);
    client = clientFor(credentialA);
    await waitFor(
      async () => ((await client.GET('/customers', { params: { query: {} } })).data?.items ?? []).some((c) => c.customerId === customerX),
      20000,
      'the share to reach the read model',
    );
  });

  afterAll(async () => {
    await new Promise((resolve) => receiver?.close(resolve));
    await app?.close();
    await platform?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('gets a token by client credentials once and sends it as the bearer', async () => {
    const token = await client.accessToken();
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(await client.accessToken()).toBe(token);
    expect(sent.filter((p) => p === '/auth/token')).toHaveLength(1);
  });

  it('lists the customers shared with the partner, typed', async () => {
    const { data, error, response } = await client.GET('/customers', { params: { query: { limit: 50 } } });
    expect(error).toBeUndefined();
    expect(response.status).toBe(200);
    const items: PartnerSchema<'PartnerCustomerListItemDto'>[] = data?.items ?? [];
    expect(items.map((c) => c.customerId)).toEqual([customerX]);
    expect(items[0]).toMatchObject({ name: 'PT Xenon', kind: 'organisation' });
    // the company's own fields are not shown to partners
    expect(items[0]).not.toHaveProperty('owner');
  });

  it('opens a partner deal and reads it on the timeline', async () => {
    const opened = await client.POST('/episodes', { body: { customerId: customerX, name: 'Fleet service contract', episodeType: 'partner-deal' } });
    expect(opened.response.status).toBe(201);
    expect(opened.response.headers.get('location')).toBe(`/episodes/${opened.data?.episodeId}`);
    const episodeId = opened.data!.episodeId;
    await waitFor(
      async () =>
        ((await client.GET('/customers/{id}/timeline', { params: { path: { id: customerX }, query: {} } })).data?.episodes ?? []).some(
          (e) => e.episodeId === episodeId,
        ),
      20000,
      'the episode to reach the timeline',
    );
    const { data } = await client.GET('/customers/{id}/timeline', { params: { path: { id: customerX }, query: { order: 'newest-first', limit: 20 } } });
    const page: PartnerSchema<'PartnerTimelinePageDto'> = data!;
    expect(page.customerId).toBe(customerX);
    const mine = page.episodes.find((e) => e.episodeId === episodeId)!;
    expect(mine).toMatchObject({ episodeType: 'partner-deal', name: 'Fleet service contract', owner: { kind: 'partner' } });
  });

  it('registers a deal on a shared customer and reads it back with its ETag', async () => {
    const { data, response } = await client.POST('/deal-registrations', {
      body: { customerId: customerX, products: ['VAN-L2'], estimatedValue: 5_000_000, currency: 'EUR', expectedCloseDate: '2026-09-30' },
    });
    expect(response.status).toBe(201);
    expect(data).toEqual({ registrationId: expect.any(String), status: 'pending' });
    expect(response.headers.get('etag')).toBe('"0"');
    const read = await client.GET('/deal-registrations/{id}', { params: { path: { id: data!.registrationId } } });
    const registration: PartnerSchema<'PartnerDealRegistrationDto'> = read.data!;
    expect(registration).toMatchObject({ customerId: customerX, status: 'pending', estimatedValue: 5_000_000, currency: 'EUR' });
    expect(read.response.headers.get('etag')).toBe('"0"');
  });

  it('answers what is not shared — never shared, revoked, unknown — with the same typed 404 problem', async () => {
    for (const id of [customerZ, customerR, '0f8fad5b-d9cb-469f-a165-70867728950e']) {
      const { data, error, response } = await client.GET('/customers/{id}', { params: { path: { id } } });
      expect(data).toBeUndefined();
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(error).toMatchObject({ status: 404, type: 'urn:crm:problem:not-found' });
    }
    const deal = await client.POST('/deal-registrations', {
      body: { customerId: customerZ, products: ['VAN-L2'], estimatedValue: 1, currency: 'EUR', expectedCloseDate: '2026-09-30' },
    });
    expect(deal.response.status).toBe(404);
  });

  it('names the invalid field of a bad request in the typed problem', async () => {
    const { error, response } = await client.GET('/customers/{id}', { params: { path: { id: 'not-a-uuid' } } });
    expect(response.status).toBe(400);
    expect(error?.errors?.map((e) => e.field)).toContain('id');
  });

  it('refuses wrong credentials with a PartnerTokenError (invalid_client) and sends no request without a token', async () => {
    const wrong = clientFor({ clientId: credentialA.clientId, clientSecret: 'not-the-secret' });
    const before = sent.length;
    await expect(wrong.GET('/customers', { params: { query: {} } })).rejects.toMatchObject({
      name: 'PartnerTokenError',
      status: 401,
      problem: { error: 'invalid_client' },
    });
    expect(sent.slice(before)).toEqual(['/auth/token']);
    await expect(wrong.accessToken()).rejects.toBeInstanceOf(PartnerTokenError);
  });

  it('gets a new token shortly before the old one expires (on its own clock), and after a 401', async () => {
    let now = Date.parse('2026-06-01T09:00:00.000Z');
    const timed = clientFor(credentialA, () => now);
    const first = await timed.accessToken();
    const exchanges = () => sent.filter((p) => p === '/auth/token').length;
    const count = exchanges();
    now += 3_600_000 - 61_000; // 61 s before it expires: still kept
    expect((await timed.GET('/customers', { params: { query: {} } })).response.status).toBe(200);
    expect(exchanges()).toBe(count);
    now += 2_000; // within the 60 s margin: exchanged again
    expect((await timed.GET('/customers', { params: { query: {} } })).response.status).toBe(200);
    expect(exchanges()).toBe(count + 1);
    // A token the portal refuses (here: forged on the way) is forgotten; the next request exchanges again.
    let tokenRequests = 0;
    const forged = createPartnerPortalClient({
      baseUrl: base,
      ...credentialA,
      fetch: (request) => {
        if (request.url.endsWith('/auth/token')) tokenRequests += 1;
        else request.headers.set('authorization', `Bearer ${first.slice(0, -4)}AAAA`);
        return fetch(request);
      },
    });
    for (const expected of [1, 2]) {
      const refused = await forged.GET('/customers', { params: { query: {} } });
      expect(refused.response.status).toBe(401);
      expect(refused.error).toMatchObject({ status: 401 });
      expect(tokenRequests).toBe(expected);
    }
  });

  it('subscribes a webhook and receives a signed CloudEvent of its own partner deal, verified with the secret shown once', async () => {
    receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({
          headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
          body: Buffer.concat(chunks).toString('utf8'),
        });
        res.statusCode = 204;
        res.end();
      });
    });
    await new Promise<void>((resolve) => receiver!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/crm-events`;

    const subscribed = await client.POST('/webhooks', { body: { url, eventTypes: ['EpisodeOpened'] } });
    expect(subscribed.response.status).toBe(201);
    const { subscriptionId, secret } = subscribed.data!;
    const opened = await client.POST('/episodes', { body: { customerId: customerX, name: 'Spare parts framework', episodeType: 'partner-deal' } });
    const episodeId = opened.data!.episodeId;
    await waitFor(
      async () => ((await client.GET('/webhooks/{id}/deliveries', { params: { path: { id: subscriptionId }, query: {} } })).data?.items ?? []).length > 0,
      20000,
      'the episode to be queued for the webhook',
    );
    // The signature's timestamp comes from the portal's clock; the partner's library (standardwebhooks)
    // checks it against its own wall clock (±5 min), as a real endpoint would: send at the real time.
    clock.set(new Date().toISOString());
    await app.app.get(dispatcherModule.WebhookDispatcher).tick();
    expect(received).toHaveLength(1);
    // What a partner's endpoint does: verify the Standard Webhooks signature with the secret, then read the CloudEvent.
    const event = new Webhook(secret).verify(received[0].body, received[0].headers) as { type: string; subject: string; data: { episodeId: string } };
    expect(event).toMatchObject({ type: 'EpisodeOpened', subject: customerX, data: { episodeId } });
    const log = await client.GET('/webhooks/{id}/deliveries', { params: { path: { id: subscriptionId }, query: {} } });
    expect(log.data?.items.map((d) => d.state)).toEqual(['delivered']);
  });
});
