import { randomUUID } from 'node:crypto';
import { crmRegistry } from '@crm/contracts';
import { waitFor } from '@crm/event-store/testing';
import type { Platform } from '@crm/platform';
import { createRelationshipCommands, type RelationshipCommands } from '@crm/relationship-api';
import { TokenMint, type Principal, type ServiceApp } from '@crm/service-kit';
import { httpCaller, startEmbeddedService } from '@crm/service-kit/testing';
import { createMarketingApp, MarketingConfig } from './marketing';

// The marketing service over HTTP on the embedded platform (PGlite on disk).
describe('marketing service (embedded)', () => {
  let platform: Platform;
  let app: ServiceApp;
  let stop: () => Promise<void>;
  let base: string;
  let token: string;
  let commands: RelationshipCommands;
  const marketer: Principal = { kind: 'staff', subject: 'mira', department: 'marketing', roles: [] };

  beforeAll(async () => {
    ({ platform, app, base, stop } = await startEmbeddedService('marketing', MarketingConfig, createMarketingApp, crmRegistry()));
    token = await app.app.get(TokenMint).mint(marketer);
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
  // Marketing has no register endpoint: customers come from sales (or anywhere) through the store.
  const registerCustomer = async (name: string) => (await commands.customers.register(marketer, { kind: 'organisation', name })).id;
  const interactionsInStore = async (episodeId: string) =>
    (await platform.eventStore.readStream(`episode-${episodeId}`, { fromRevision: 0n, maxCount: 100 })).filter((e) => e.type === 'InteractionRecorded').length;

  type Timeline = {
    episodes: {
      episodeId: string;
      name: string;
      episodeType: string;
      owner: unknown;
      interactions: { channel: string; direction: string; action: string; response?: string }[];
    }[];
  };
  const timelineOf = async (customerId: string, until: (t: Timeline) => boolean, what: string): Promise<Timeline> => {
    let timeline: Timeline = { episodes: [] };
    await waitFor(
      async () => {
        const r = await call('GET', `/customers/${customerId}/timeline`);
        if (r.status !== 200) return false;
        timeline = r.body as unknown as Timeline;
        return until(timeline);
      },
      20000,
      what,
    );
    return timeline;
  };

  it('touches each targeted customer once, reports unknown ones, and a retry duplicates nothing', async () => {
    const sari = await registerCustomer('PT Maju Jaya');
    const budi = await registerCustomer('CV Sinar Abadi');
    const stranger = randomUUID();
    const campaignId = randomUUID();
    const body = { campaignId, name: 'Spring offer', channel: 'email', action: 'sent the spring offer e-mail', customerIds: [sari, stranger, budi] };

    const run = await call('POST', '/campaigns', body);
    expect(run.status).toBe(201);
    const touched = run.body.touched as { customerId: string; episodeId: string; interactionId: string }[];
    expect(run.body.campaignId).toBe(campaignId);
    expect(touched.map((t) => t.customerId)).toEqual([sari, budi]);
    expect(run.body.rejected).toEqual([{ customerId: stranger, reason: 'unknown-customer', detail: expect.any(String) }]);

    // The same request again (a client retrying after a timeout): same answer, nothing new in the store.
    const retry = await call('POST', '/campaigns', body);
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(run.body);
    for (const t of touched) expect(await interactionsInStore(t.episodeId)).toBe(1);

    // Sari answers by phone.
    const sariEpisode = touched[0].episodeId;
    const response = await call('POST', `/campaigns/${campaignId}/responses`, { customerId: sari, channel: 'phone', response: 'asked for a quote' });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({ episodeId: sariEpisode, interactionId: expect.any(String) });
    expect(response.etag).toBe('"2"');

    // The projection applies events in store order: once the response shows, so would any duplicate touch.
    const timeline = await timelineOf(sari, (t) => t.episodes[0]?.interactions.length === 2, 'the timeline to show the response');
    expect(timeline.episodes).toHaveLength(1);
    expect(timeline.episodes[0]).toMatchObject({
      episodeId: sariEpisode,
      name: 'Spring offer',
      episodeType: 'campaign',
      owner: { kind: 'department', department: 'marketing' },
    });
    expect(timeline.episodes[0].interactions.map((i) => [i.direction, i.channel, i.action, i.response])).toEqual([
      ['outbound', 'email', 'sent the spring offer e-mail', undefined],
      ['inbound', 'phone', 'responded to the campaign', 'asked for a quote'],
    ]);
    const budiTimeline = await timelineOf(budi, (t) => t.episodes[0]?.interactions.length === 1, 'the timeline to show the touch');
    expect(budiTimeline.episodes.map((e) => e.episodeType)).toEqual(['campaign']);
    expect((await call('GET', `/customers/${stranger}/timeline`)).status).toBe(404);

    // A second campaign is a second episode for the same customer.
    const second = await call('POST', '/campaigns', { name: 'Summer letter', channel: 'mail', action: 'posted the summer catalogue', customerIds: [budi] });
    expect(second.status).toBe(201);
    expect(second.body.campaignId).toEqual(expect.stringMatching(/^[0-9a-f-]{36}$/));
    expect((second.body.touched as { episodeId: string }[])[0].episodeId).not.toBe(touched[1].episodeId);
    await timelineOf(budi, (t) => t.episodes.length === 2, 'the second campaign on the timeline');
  });

  it('records responses only where the campaign touched the customer, and honours If-Match', async () => {
    const customerId = await registerCustomer('Toko Sejahtera');
    const campaignId = randomUUID();
    expect(
      (await call('POST', '/campaigns', { campaignId, name: 'SMS blast', channel: 'sms', action: 'sent a discount code', customerIds: [customerId] })).status,
    ).toBe(201);

    // After the touch the episode is at revision 1: "0" is stale.
    const stale = await call('POST', `/campaigns/${campaignId}/responses`, { customerId, channel: 'sms', response: 'STOP' }, { 'if-match': '"0"' });
    expect(stale.status).toBe(412);
    expect(stale.type).toContain('application/problem+json');
    const interactionId = randomUUID();
    const ok = await call(
      'POST',
      `/campaigns/${campaignId}/responses`,
      { customerId, channel: 'sms', response: 'STOP', action: 'replied', interactionId },
      { 'if-match': '"1"' },
    );
    expect(ok.status).toBe(201);
    expect(ok.etag).toBe('"2"');
    // A retried response with its own id is recorded once.
    const again = await call('POST', `/campaigns/${campaignId}/responses`, { customerId, channel: 'sms', response: 'STOP', action: 'replied', interactionId });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(ok.body);
    expect(await interactionsInStore(String(ok.body.episodeId))).toBe(2);

    const notTargeted = await call('POST', `/campaigns/${campaignId}/responses`, {
      customerId: await registerCustomer('Elsewhere'),
      channel: 'sms',
      response: 'hi',
    });
    expect(notTargeted.status).toBe(404);
    expect(notTargeted.type).toContain('application/problem+json');
    expect((await call('POST', `/campaigns/${randomUUID()}/responses`, { customerId, channel: 'sms', response: 'hi' })).status).toBe(404);
  });

  it('answers bad input with problem+json naming the field', async () => {
    const bad = await call('POST', '/campaigns', { campaignId: 'c-1', name: '', channel: 'pigeon', customerIds: [], extra: true });
    expect(bad.status).toBe(400);
    expect(bad.type).toContain('application/problem+json');
    expect(fieldsOf(bad.body)).toEqual(expect.arrayContaining(['campaignId', 'name', 'channel', 'action', 'customerIds', 'extra']));

    const valid = { name: 'x', channel: 'email', action: 'sent' };
    const tooMany = await call('POST', '/campaigns', { ...valid, customerIds: Array.from({ length: 501 }, () => randomUUID()) });
    expect(tooMany.status).toBe(400);
    expect(fieldsOf(tooMany.body)).toEqual(['customerIds']);
    const id = randomUUID();
    expect(fieldsOf((await call('POST', '/campaigns', { ...valid, customerIds: [id, id] })).body)).toEqual(['customerIds']);
    expect(fieldsOf((await call('POST', '/campaigns', { ...valid, customerIds: ['not-a-uuid'] })).body)).toEqual(['customerIds']);

    const noResponse = await call('POST', `/campaigns/${randomUUID()}/responses`, { customerId: 'who', channel: 'email' });
    expect(noResponse.status).toBe(400);
    expect(fieldsOf(noResponse.body)).toEqual(expect.arrayContaining(['customerId', 'response']));
    const badParam = await call('POST', '/campaigns/nope/responses', { customerId: randomUUID(), channel: 'email', response: 'yes' });
    expect(badParam.status).toBe(400);
    expect(fieldsOf(badParam.body)).toEqual(['campaignId']);
    expect(
      (await call('POST', `/campaigns/${randomUUID()}/responses`, { customerId: randomUUID(), channel: 'email', response: 'yes' }, { 'if-match': 'soon' }))
        .status,
    ).toBe(400);
  });

  it('refuses callers without a valid token, and staff of other departments', async () => {
    expect((await fetch(`${base}/customers/${randomUUID()}`)).status).toBe(401);
    expect((await fetch(`${base}/campaigns`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(401);
    expect((await call('POST', '/campaigns', {}, {}, 'not-a-token')).status).toBe(401);

    const mint = app.app.get(TokenMint);
    const agent = await mint.mint({ kind: 'staff', subject: 'dewi', department: 'service', roles: [] });
    const denied = await call('POST', '/campaigns', {}, {}, agent);
    expect(denied.status).toBe(403);
    expect(denied.type).toContain('application/problem+json');
    expect((await call('POST', `/campaigns/${randomUUID()}/responses`, {}, {}, agent)).status).toBe(403);
    const partner = await mint.mint({ kind: 'partner', subject: 'pat', partnerId: randomUUID(), roles: [] });
    expect((await call('POST', '/campaigns', {}, {}, partner)).status).toBe(403);

    const manager = await mint.mint({ kind: 'staff', subject: 'maya', department: 'management', roles: [] });
    const customerId = await registerCustomer('Managed');
    const run = await call('POST', '/campaigns', { name: 'Loyalty call', channel: 'phone', action: 'called to thank', customerIds: [customerId] }, {}, manager);
    expect(run.status).toBe(201);
    expect(run.body.rejected).toEqual([]);
  });

  it('serves its OpenAPI document and health', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/campaigns', '/campaigns/{campaignId}/responses', '/customers/{id}', '/customers/{id}/timeline']),
    );
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);
  });
});
