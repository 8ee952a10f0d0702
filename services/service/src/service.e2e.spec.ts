import { randomUUID } from 'node:crypto';
import { crmRegistry } from '@crm/contracts';
import { waitFor } from '@crm/event-store/testing';
import type { Platform } from '@crm/platform';
import { createRelationshipCommands, type RelationshipCommands } from '@crm/relationship-api';
import { TokenMint, type Principal, type ServiceApp } from '@crm/service-kit';
import { httpCaller, startEmbeddedService } from '@crm/service-kit/testing';
import { createCustomerServiceApp, CustomerServiceConfig } from './service';

// The service (call centre) service over HTTP on the embedded platform (PGlite on disk).
describe('service service (embedded)', () => {
  let platform: Platform;
  let app: ServiceApp;
  let stop: () => Promise<void>;
  let base: string;
  let token: string;
  let commands: RelationshipCommands;
  const agent: Principal = { kind: 'staff', subject: 'dewi', department: 'service', roles: ['agent'] };

  beforeAll(async () => {
    ({ platform, app, base, stop } = await startEmbeddedService('service', CustomerServiceConfig, createCustomerServiceApp, crmRegistry()));
    token = await app.app.get(TokenMint).mint(agent);
    commands = createRelationshipCommands(platform.eventStore);
  });
  afterAll(async () => {
    await stop?.();
  });

  const call = httpCaller(
    () => base,
    () => token,
  );
  const fieldsOf = (body: Record<string, unknown>) => (body.errors as { field: string }[]).map((e) => e.field);
  // The service has no register endpoint: customers come from sales (or anywhere) through the store.
  const registerCustomer = async (name: string) => (await commands.customers.register(agent, { kind: 'person', name })).id;

  it('opens a case on a channel, records its interactions, resolves it, and shows it on the timeline', async () => {
    const customerId = await registerCustomer('Budi Santoso');

    const opened = await call('POST', '/cases', { customerId, name: 'Printer jams on every page', channel: 'phone' });
    expect(opened.status).toBe(201);
    const episodeId = String(opened.body.episodeId);
    expect(opened.location).toBe(`/cases/${episodeId}`);
    expect(opened.etag).toBe('"0"');

    const first = await call(
      'POST',
      `/cases/${episodeId}/interactions`,
      { channel: 'phone', direction: 'inbound', action: 'customer called about a fault', response: 'reset advised' },
      { 'if-match': String(opened.etag) },
    );
    expect(first.status).toBe(201);
    expect(first.etag).toBe('"1"');
    // A stale If-Match is refused with 412 and records nothing.
    const stale = await call(
      'POST',
      `/cases/${episodeId}/interactions`,
      { channel: 'email', direction: 'outbound', action: 'sent a manual' },
      { 'if-match': String(opened.etag) },
    );
    expect(stale.status).toBe(412);
    expect(stale.type).toContain('application/problem+json');
    const second = await call('POST', `/cases/${episodeId}/interactions`, { channel: 'email', direction: 'outbound', action: 'sent a manual' });
    expect(second.status).toBe(201);

    expect((await call('POST', `/cases/${episodeId}/resolve`, { outcome: 'resolved' }, { 'if-match': String(first.etag) })).status).toBe(412);
    const resolved = await call(
      'POST',
      `/cases/${episodeId}/resolve`,
      { outcome: 'resolved', reason: 'first-contact resolution' },
      { 'if-match': String(second.etag) },
    );
    expect(resolved.status).toBe(200);
    expect(resolved.body).toEqual({ episodeId, outcome: 'resolved' });
    expect(resolved.etag).toBe('"3"');
    // A resolved case takes no more work: a rule of the domain, not a conflict.
    const again = await call('POST', `/cases/${episodeId}/resolve`, { outcome: 'unresolved' });
    expect(again.status).toBe(422);
    expect(again.type).toContain('application/problem+json');
    expect((await call('POST', `/cases/${episodeId}/interactions`, { channel: 'phone', direction: 'outbound', action: 'follow-up' })).status).toBe(422);

    let timeline: Record<string, unknown> = {};
    await waitFor(
      async () => {
        const r = await call('GET', `/customers/${customerId}/timeline`);
        timeline = r.body;
        const eps = timeline.episodes as { closed?: unknown }[] | undefined;
        return r.status === 200 && !!eps?.[0]?.closed;
      },
      20000,
      'the timeline to show the resolved case',
    );
    const episodes = timeline.episodes as {
      episodeId: string;
      name: string;
      episodeType: string;
      owner: unknown;
      interactions: { action: string; direction: string }[];
      closed: { outcome: string };
    }[];
    expect(episodes).toHaveLength(1);
    const [episode] = episodes;
    expect(episode).toMatchObject({ episodeId, name: 'Printer jams on every page', episodeType: 'case', owner: { kind: 'department', department: 'service' } });
    expect(episode.interactions.map((i) => [i.direction, i.action])).toEqual([
      ['inbound', 'customer called about a fault'],
      ['outbound', 'sent a manual'],
    ]);
    expect(episode.closed.outcome).toBe('resolved');

    // The directory is its own projection: it need not have caught up with the timeline.
    let customer = await call('GET', `/customers/${customerId}`);
    await waitFor(async () => (customer = await call('GET', `/customers/${customerId}`)).status === 200, 20000, 'the customer directory');
    expect(customer.body).toMatchObject({ customerId, name: 'Budi Santoso' });
  });

  it('answers bad input with problem+json naming the field', async () => {
    const customerId = await registerCustomer('Rina');
    const noChannel = await call('POST', '/cases', { customerId, name: 'No channel' });
    expect(noChannel.status).toBe(400);
    expect(noChannel.type).toContain('application/problem+json');
    expect(fieldsOf(noChannel.body)).toEqual(['channel']);

    const bad = await call('POST', '/cases', { customerId: 'nope', name: '', channel: 'pigeon', stage: 'closing' });
    expect(bad.status).toBe(400);
    expect(fieldsOf(bad.body)).toEqual(expect.arrayContaining(['customerId', 'name', 'channel', 'stage']));

    const opened = await call('POST', '/cases', { customerId, name: 'Wrong outcome', channel: 'web' });
    expect(opened.status).toBe(201);
    const episodeId = String(opened.body.episodeId);
    // A case closes resolved or unresolved, never won.
    const won = await call('POST', `/cases/${episodeId}/resolve`, { outcome: 'won' });
    expect(won.status).toBe(400);
    expect(fieldsOf(won.body)).toEqual(['outcome']);
    const noAction = await call('POST', `/cases/${episodeId}/interactions`, { channel: 'web', direction: 'sideways' });
    expect(noAction.status).toBe(400);
    expect(fieldsOf(noAction.body)).toEqual(expect.arrayContaining(['direction', 'action']));
    expect((await call('POST', `/cases/${episodeId}/resolve`, { outcome: 'resolved' }, { 'if-match': 'yesterday' })).status).toBe(400);
    expect((await call('POST', '/cases/not-a-uuid/resolve', { outcome: 'resolved' })).status).toBe(400);
  });

  it('answers unknown customers with 422 and unknown or foreign episodes with 404', async () => {
    const unknownCustomer = await call('POST', '/cases', { customerId: randomUUID(), name: 'Ghost', channel: 'phone' });
    expect(unknownCustomer.status).toBe(422);
    expect((await call('GET', `/customers/${randomUUID()}`)).status).toBe(404);
    expect((await call('GET', `/customers/${randomUUID()}/timeline`)).status).toBe(404);
    expect((await call('POST', `/cases/${randomUUID()}/interactions`, { channel: 'phone', direction: 'inbound', action: 'call' })).status).toBe(404);
    expect((await call('POST', `/cases/${randomUUID()}/resolve`, { outcome: 'resolved' })).status).toBe(404);

    // An opportunity is not a case: the case endpoints do not reach it.
    const customerId = await registerCustomer('Andi');
    const seller: Principal = { kind: 'staff', subject: 'alice', department: 'sales', roles: [] };
    const opportunity = await commands.episodes.open(seller, 'opportunity', { customerId, name: 'Upgrade' });
    expect((await call('POST', `/cases/${opportunity.id}/resolve`, { outcome: 'resolved' })).status).toBe(404);

    // Opening a case under an id already taken breaks a rule of the domain.
    const episodeId = randomUUID();
    expect((await call('POST', '/cases', { episodeId, customerId, name: 'Once', channel: 'portal' })).status).toBe(201);
    expect((await call('POST', '/cases', { episodeId, customerId, name: 'Twice', channel: 'portal' })).status).toBe(422);
  });

  it('refuses callers without a valid token, and staff of other departments', async () => {
    expect((await fetch(`${base}/customers/${randomUUID()}`)).status).toBe(401);
    expect((await fetch(`${base}/cases`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(401);
    expect((await call('POST', '/cases', {}, {}, 'not-a-token')).status).toBe(401);

    const mint = app.app.get(TokenMint);
    const seller = await mint.mint({ kind: 'staff', subject: 'alice', department: 'sales', roles: [] });
    const denied = await call('POST', '/cases', {}, {}, seller);
    expect(denied.status).toBe(403);
    expect(denied.type).toContain('application/problem+json');
    expect((await call('POST', `/cases/${randomUUID()}/resolve`, { outcome: 'resolved' }, {}, seller)).status).toBe(403);
    const partner = await mint.mint({ kind: 'partner', subject: 'pat', partnerId: randomUUID(), roles: [] });
    expect((await call('POST', '/cases', {}, {}, partner)).status).toBe(403);

    // Management may work cases too; every department's staff may read the shared history.
    const manager = await mint.mint({ kind: 'staff', subject: 'maya', department: 'management', roles: [] });
    const customerId = await registerCustomer('Sinta');
    expect((await call('POST', '/cases', { customerId, name: 'Escalated complaint', channel: 'email' }, {}, manager)).status).toBe(201);
    expect((await call('GET', `/customers/${randomUUID()}/timeline`, undefined, {}, seller)).status).toBe(404);
  });

  it('serves its OpenAPI document and health', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/cases', '/cases/{id}/interactions', '/cases/{id}/resolve', '/customers/{id}', '/customers/{id}/timeline']),
    );
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);
  });
});
