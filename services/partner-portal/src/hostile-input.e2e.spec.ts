import { randomUUID } from 'node:crypto';
import { crmRegistry } from '@crm/contracts';
import { TokenMint, type ServiceApp } from '@crm/service-kit';
import { startEmbeddedService } from '@crm/service-kit/testing';
import { createPartnerPortalApp, PartnerPortalConfig } from './partner-portal';

// The partner-facing API faces other companies' software: the same hostile input classes as the
// department services, on the routes partners call (the token exchange, their customers, their
// episodes) — each a 4xx problem naming the field, never a 5xx.
describe('partner-portal: hostile input gets a 4xx naming the field', () => {
  let app: ServiceApp;
  let stop: () => Promise<void>;
  let base: string;
  let partnerToken: string;

  beforeAll(async () => {
    ({ app, base, stop } = await startEmbeddedService(
      'portal-hostile',
      PartnerPortalConfig,
      (c, p) => createPartnerPortalApp(c, p, { embedded: true }),
      crmRegistry(),
    ));
    partnerToken = await app.app.get(TokenMint).mint({ kind: 'partner', subject: 'p1', partnerId: randomUUID(), roles: [] });
  });
  afterAll(async () => {
    await stop?.();
  });

  const send = (method: string, url: string, body: string | undefined, contentType = 'application/json', token: string | undefined = partnerToken) =>
    fetch(`${base}${url}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': contentType } : {}) },
      body,
    });
  async function problem(r: Response, status: number, field?: string): Promise<void> {
    expect(r.status).toBe(status);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    const body = (await r.json()) as { errors?: { field: string }[] };
    if (field) expect((body.errors ?? []).map((e) => e.field)).toContain(field);
  }

  it('the token exchange: JSON or the OAuth form only (415 otherwise), NUL and lone surrogates named', async () => {
    await problem(await send('POST', '/auth/token', 'client_id=a&client_secret=b', 'text/plain', undefined), 415);
    await problem(await send('POST', '/auth/token', '{"clientId":"a\\u0000","clientSecret":"b"}', 'application/json', undefined), 400, 'clientId');
    await problem(await send('POST', '/auth/token', 'client_id=a%00&client_secret=b', 'application/x-www-form-urlencoded', undefined), 400, 'client_id');
    await problem(await send('POST', '/auth/token', '{"clientId":"\\ud800","clientSecret":"b"}', 'application/json', undefined), 400, 'clientId');
  });

  it("garbage cursors, instants and malformed ids on a partner's routes", async () => {
    for (const cursor of ['garbage', '-1/-1', '1/x']) {
      await problem(await send('GET', `/customers/${randomUUID()}/timeline?cursor=${encodeURIComponent(cursor)}`, undefined), 400, 'cursor');
    }
    for (const asOf of ['20260301', '-2026-03-01']) {
      await problem(await send('GET', `/customers/${randomUUID()}/timeline?asOf=${asOf}`, undefined), 400, 'asOf');
    }
    await problem(await send('GET', '/customers/not-a-uuid', undefined), 400, 'id');
    await problem(await send('POST', '/episodes/not-a-uuid/interactions', JSON.stringify({ channel: 'phone', direction: 'inbound', action: 'x' })), 400, 'id');
  });

  it("deep, nested-array and NUL bodies on a partner's writes", async () => {
    await problem(await send('POST', '/episodes', '{"x":'.repeat(2000) + '1' + '}'.repeat(2000)), 400);
    await problem(await send('POST', '/episodes', JSON.stringify({ customerId: randomUUID(), name: 'deal\u0000', episodeType: 'partner-deal' })), 400, 'name');
    await problem(
      await send('POST', '/episodes', JSON.stringify({ customerId: randomUUID(), name: 'deal', episodeType: 'partner-deal', openedAt: '-2026-03-01' })),
      400,
      'openedAt',
    );
    await problem(await send('POST', '/episodes', JSON.stringify([[{ customerId: randomUUID() }]])), 400);
    await problem(await send('POST', '/episodes', 'name=x', 'text/plain'), 415);
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);
  });

  // Sell-through (issue 14 §6); sell-through/sell-through.e2e.spec.ts tries more with real distributors and customers.
  it('the sell-through routes: deep, nested-array, NUL, lone-surrogate and garbage-id bodies, wrong types, hostile CSV — 4xx, never 5xx', async () => {
    const line = { customerId: randomUUID(), externalId: 'INV-1', orderDate: '2026-03-01', productId: 'P', quantity: 1, unitPrice: 100, currency: 'EUR' };
    await problem(await send('POST', '/sell-through', '{"x":'.repeat(2000) + '1' + '}'.repeat(2000)), 400);
    await problem(await send('POST', '/sell-through', JSON.stringify([[{ lines: [line] }]])), 400);
    await problem(await send('POST', '/sell-through', JSON.stringify({ lines: [[line]] })), 400, 'lines');
    await problem(await send('POST', '/sell-through', JSON.stringify({ lines: [{ ...line, productId: 'P\u0000' }] })), 400, 'lines.0.productId');
    await problem(await send('POST', '/sell-through', JSON.stringify({ lines: [{ ...line, externalId: '\ud800' }] })), 400, 'lines.0.externalId');
    await problem(await send('POST', '/sell-through', JSON.stringify({ lines: [{ ...line, customerId: '../../etc/passwd' }] })), 400, 'lines.0.customerId');
    await problem(await send('POST', '/sell-through', 'customerId\n', 'text/csv'), 415);
    await problem(await send('POST', '/sell-through.csv', JSON.stringify({ lines: [line] })), 415);
    await problem(await send('GET', '/sell-through?cursor=-1/-1', undefined), 400, 'cursor');
    // A token of a partner that does not exist: no sell-through, whatever it sends.
    await problem(await send('POST', '/sell-through', JSON.stringify({ lines: [line] })), 403);
    await problem(await send('POST', '/sell-through.csv', '\u0000,\ud800\n"unterminated', 'text/csv'), 403);
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);
  });

  // The repair provider's routes (issue 12 §5); repairs/repairs.e2e.spec.ts tries more on a real job.
  it("the repair jobs' routes: garbage queries and cursors, malformed ids, deep, nested-array, NUL and lone-surrogate bodies", async () => {
    for (const cursor of ['garbage', Buffer.from('["repairs","x","y"]').toString('base64url'), '-1/-1']) {
      await problem(await send('GET', `/repairs?cursor=${encodeURIComponent(cursor)}`, undefined), 400, 'cursor');
    }
    await problem(await send('GET', '/repairs?status=fixed', undefined), 400, 'status');
    await problem(await send('GET', '/repairs?open=1', undefined), 400, 'open');
    await problem(await send('GET', '/repairs?limit=-3', undefined), 400, 'limit');
    await problem(await send('GET', '/repairs/not-a-uuid', undefined), 400, 'id');
    const job = randomUUID();
    const bodies: [string, object][] = [
      ['status', { to: 'received' }],
      ['interactions', { channel: 'phone', direction: 'inbound', action: 'x' }],
      ['shipments', { leg: 'to-provider', state: 'delivered' }],
    ];
    for (const [route, valid] of bodies) {
      await problem(await send('POST', `/repairs/not-a-uuid/${route}`, JSON.stringify(valid)), 400, 'id');
      await problem(await send('POST', `/repairs/${job}/${route}`, '{"x":'.repeat(2000) + '1' + '}'.repeat(2000)), 400);
      await problem(await send('POST', `/repairs/${job}/${route}`, JSON.stringify([[valid]])), 400);
      await problem(await send('POST', `/repairs/${job}/${route}`, 'to=received', 'text/plain'), 415);
    }
    await problem(await send('POST', `/repairs/${job}/status`, JSON.stringify({ to: 'received', note: 'n\u0000' })), 400, 'note');
    await problem(await send('POST', `/repairs/${job}/status`, '{"to":"received","note":"\\ud800"}'), 400, 'note');
    await problem(
      await send('POST', `/repairs/${job}/shipments`, JSON.stringify({ leg: 'to-provider', state: 'delivered', carrier: [['JNE']] })),
      400,
      'carrier',
    );
    await problem(
      await send('POST', `/repairs/${job}/interactions`, JSON.stringify({ channel: 'phone', direction: 'inbound', action: 'x', actorKind: 'staff' })),
      400,
      'actorKind',
    );
    // Well formed from a partner the store does not know: an empty list, and 404 for a job.
    const list = await send('GET', '/repairs?status=received,repaired&open=true&limit=5', undefined);
    expect(list.status).toBe(200);
    expect(await list.json()).toEqual({ items: [] });
    await problem(await send('POST', `/repairs/${job}/status`, JSON.stringify({ to: 'received' })), 404);
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);
  });
  // Deal registration (issue 14 §3); deal-registration/deal-registrations.e2e.spec.ts tries more on real registrations.
  it("the deal registrations' routes: garbage queries and cursors, malformed ids, deep, nested-array, NUL and lone-surrogate bodies", async () => {
    const valid = { customerId: randomUUID(), products: ['VAN-L2'], estimatedValue: 100, currency: 'EUR', expectedCloseDate: '2099-01-01' };
    for (const cursor of ['garbage', Buffer.from('["dealregs","x","y"]').toString('base64url'), '-1/-1']) {
      await problem(await send('GET', `/deal-registrations?cursor=${encodeURIComponent(cursor)}`, undefined), 400, 'cursor');
    }
    await problem(await send('GET', '/deal-registrations?status=open', undefined), 400, 'status');
    await problem(await send('GET', '/deal-registrations?limit=-3', undefined), 400, 'limit');
    await problem(await send('GET', '/deal-registrations/not-a-uuid', undefined), 400, 'id');
    await problem(await send('POST', '/deal-registrations', '{"x":'.repeat(2000) + '1' + '}'.repeat(2000)), 400);
    await problem(await send('POST', '/deal-registrations', JSON.stringify([[valid]])), 400);
    await problem(await send('POST', '/deal-registrations', 'customerId=x', 'text/plain'), 415);
    await problem(await send('POST', '/deal-registrations', JSON.stringify({ ...valid, currency: 'EU\u0000' })), 400, 'currency');
    await problem(await send('POST', '/deal-registrations', JSON.stringify({ ...valid, estimatedValue: [[1]] })), 400, 'estimatedValue');
    await problem(
      await send('POST', '/deal-registrations', JSON.stringify({ ...valid, customerId: undefined, prospect: { company: 'PT\u0000', contactName: 'x' } })),
      400,
    );
    await problem(
      await send(
        'POST',
        '/deal-registrations',
        `{"prospect":{"company":"\\ud800","contactName":"x"},"products":["a"],"estimatedValue":1,"currency":"EUR","expectedCloseDate":"2099-01-01"}`,
      ),
      400,
    );
    // a partner unknown to the store: its registration on any customer is the 404 of an unknown customer
    await problem(await send('POST', '/deal-registrations', JSON.stringify(valid)), 404);
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);
  });

  it('the leads offered to a partner (issue 14 §4): garbage queries and cursors, malformed ids, deep, nested-array, NUL and lone-surrogate bodies', async () => {
    for (const cursor of [
      'garbage',
      Buffer.from('["leadoffers",1,"x","y"]').toString('base64url'),
      Buffer.from('["dealregs","x","y"]').toString('base64url'),
    ]) {
      await problem(await send('GET', `/leads?cursor=${encodeURIComponent(cursor)}`, undefined), 400, 'cursor');
    }
    await problem(await send('GET', '/leads?status=open', undefined), 400, 'status');
    await problem(await send('GET', '/leads?limit=-3', undefined), 400, 'limit');
    await problem(await send('GET', '/leads/not-a-uuid', undefined), 400, 'id');
    const lead = randomUUID();
    for (const [action, body] of [
      ['decline', { reason: 'x' }],
      ['outcome', { outcome: 'won' }],
    ] as const) {
      await problem(await send('POST', `/leads/${lead}/${action}`, '{"x":'.repeat(2000) + '1' + '}'.repeat(2000)), 400);
      await problem(await send('POST', `/leads/${lead}/${action}`, 'reason=x', 'text/plain'), 415);
      await problem(await send('POST', `/leads/not-a-uuid/${action}`, JSON.stringify(body)), 400, 'id');
    }
    await problem(await send('POST', `/leads/${lead}/decline`, JSON.stringify([[{ reason: 'x' }]])), 400);
    await problem(await send('POST', `/leads/${lead}/decline`, JSON.stringify({ reason: [['x']] })), 400, 'reason');
    await problem(await send('POST', `/leads/${lead}/decline`, JSON.stringify({ reason: 'x\u0000' })), 400, 'reason');
    await problem(await send('POST', `/leads/${lead}/decline`, '{"reason":"\\ud800"}'), 400, 'reason');
    await problem(await send('POST', `/leads/${lead}/outcome`, JSON.stringify({ outcome: 'maybe' })), 400, 'outcome');
    await problem(await send('POST', `/leads/${lead}/outcome`, JSON.stringify({ outcome: 'won', note: '\ud800' })), 400);
    // a lead never offered to this partner: the 404 of an unknown lead, whatever it asks
    await problem(await send('GET', `/leads/${lead}`, undefined), 404);
    await problem(await send('POST', `/leads/${lead}/accept`, undefined), 404);
    await problem(await send('POST', `/leads/${lead}/decline`, JSON.stringify({ reason: 'x' })), 404);
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);
  });

  // Partner users (issue 14 §1); users/partner-users.e2e.spec.ts tries more on real users.
  it("the users' routes: malformed ids, deep, nested-array, NUL, lone-surrogate and bad e-mail bodies, wrong types", async () => {
    const valid = { name: 'Sari', email: 'sari@d.example', role: 'sales' };
    await problem(await send('PATCH', '/users/not-a-uuid', JSON.stringify({ role: 'sales' })), 400, 'id');
    await problem(await send('DELETE', '/users/%E0%A4%A', undefined), 400);
    await problem(await send('POST', '/users/1%20OR%201=1/credentials', undefined), 400, 'id');
    await problem(await send('POST', '/users', '{"x":'.repeat(2000) + '1' + '}'.repeat(2000)), 400);
    await problem(await send('POST', '/users', JSON.stringify([[valid]])), 400);
    await problem(await send('POST', '/users', 'name=x', 'text/plain'), 415);
    await problem(await send('POST', '/users', JSON.stringify({ ...valid, name: 'S\u0000' })), 400, 'name');
    await problem(await send('POST', '/users', '{"name":"\\ud800","email":"a@b.example","role":"sales"}'), 400, 'name');
    await problem(await send('POST', '/users', JSON.stringify({ ...valid, email: [['a@b.example']] })), 400, 'email');
    await problem(await send('POST', '/users', JSON.stringify({ ...valid, role: { admin: true } })), 400, 'role');
    await problem(await send('PATCH', `/users/${randomUUID()}`, JSON.stringify({ role: 'x'.repeat(100000) })), 400, 'role');
    // a partner unknown to the store: its users are the 404 of an unknown partner
    await problem(await send('GET', '/users', undefined), 404);
    await problem(await send('POST', '/users', JSON.stringify(valid)), 404);
    await problem(await send('DELETE', `/users/${randomUUID()}`, undefined), 404);
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);
  });

  // Partner webhooks (issue 14 §5); webhooks/webhooks.e2e.spec.ts tries more on real subscriptions.
  it("the webhooks' routes: garbage queries, cursors and positions, malformed ids, deep, nested-array, NUL and lone-surrogate bodies", async () => {
    const valid = { url: 'https://hooks.example.com/crm', eventTypes: ['EpisodeOpened'] };
    const id = randomUUID();
    await problem(await send('GET', '/webhooks/not-a-uuid', undefined), 400, 'id');
    await problem(await send('GET', '/webhooks/not-a-uuid/deliveries', undefined), 400, 'id');
    await problem(await send('POST', `/webhooks/${id}/deliveries/not-a-uuid/retry`, undefined), 400, 'deliveryId');
    await problem(await send('GET', `/webhooks/${id}/deliveries?status=sent`, undefined), 400, 'status');
    await problem(await send('GET', `/webhooks/${id}/deliveries?limit=-3`, undefined), 400, 'limit');
    await problem(await send('GET', `/webhooks/${id}/deliveries?cursor=${encodeURIComponent('-1/-1')}`, undefined), 400, 'cursor');
    await problem(await send('POST', '/webhooks', '{"x":'.repeat(2000) + '1' + '}'.repeat(2000)), 400);
    await problem(await send('POST', '/webhooks', JSON.stringify([[valid]])), 400);
    await problem(await send('POST', '/webhooks', 'url=x', 'text/plain'), 415);
    await problem(await send('POST', '/webhooks', JSON.stringify({ ...valid, url: 'https://hooks.example.com/\u0000' })), 400, 'url');
    await problem(await send('POST', '/webhooks', '{"url":"https://hooks.example.com/\\ud800","eventTypes":["EpisodeOpened"]}'), 400, 'url');
    await problem(await send('POST', '/webhooks', JSON.stringify({ ...valid, eventTypes: [['EpisodeOpened']] })), 400, 'eventTypes');
    await problem(await send('POST', '/webhooks', JSON.stringify({ ...valid, eventTypes: 'EpisodeOpened' })), 400, 'eventTypes');
    await problem(await send('PATCH', `/webhooks/${id}`, JSON.stringify({ eventTypes: [{}] })), 400, 'eventTypes');
    await problem(await send('POST', `/webhooks/${id}/replay`, JSON.stringify({ fromPosition: '-1/-1' })), 400, 'fromPosition');
    await problem(await send('POST', `/webhooks/${id}/replay`, JSON.stringify({ fromPosition: '99999999999999999999/1' })), 400, 'fromPosition');
    // a partner unknown to the store subscribes nothing, and has no subscription to read
    await problem(await send('POST', '/webhooks', JSON.stringify(valid)), 403);
    await problem(await send('GET', `/webhooks/${id}`, undefined), 404);
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);
  });
});
