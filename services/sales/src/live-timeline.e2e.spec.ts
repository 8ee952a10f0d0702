import { randomUUID } from 'node:crypto';
import { crmRegistry } from '@crm/contracts';
import { openEventStreams, TokenMint, type ServiceApp } from '@crm/service-kit';
import { httpCaller, openEventStreamForTest, startEmbeddedService, type EventStreamUnderTest } from '@crm/service-kit/testing';
import { createSalesApp, SalesConfig } from './sales';

// GET /customers/{id}/timeline/live (shared route of @crm/relationship-api, mounted by sales, service
// and marketing): staff are told, as server-sent events, when the customer's timeline changed — after
// the read model applied it, so the next GET of the timeline shows it.
describe('live timeline (staff, server-sent events)', () => {
  let app: ServiceApp;
  let stop: () => Promise<void>;
  let base: string;
  let token: string;
  let mint: TokenMint;
  const streams: EventStreamUnderTest[] = [];

  beforeAll(async () => {
    // A shutdown that waited for open streams would wait this long: the last test would time out.
    ({ app, base, stop } = await startEmbeddedService('sales-live', SalesConfig, createSalesApp, crmRegistry(), { CRM_SHUTDOWN_TIMEOUT_MS: '600000' }));
    mint = app.app.get(TokenMint);
    token = await mint.mint({ kind: 'staff', subject: 'alice', department: 'sales', roles: ['agent'] });
  });
  afterAll(async () => {
    for (const s of streams) s.close();
    await stop?.();
  });

  const call = httpCaller(
    () => base,
    () => token,
  );
  const open = async (customerId: string, bearer: string | null = token) => {
    const s = await openEventStreamForTest(`${base}/customers/${customerId}/timeline/live`, bearer ?? undefined);
    streams.push(s);
    return s;
  };
  // The read model follows the store asynchronously: the stream opens for customers it knows.
  const register = async (name: string) => {
    const id = String((await call('POST', '/customers', { kind: 'organisation', name })).body.customerId);
    for (let i = 0; i < 400 && (await call('GET', `/customers/${id}`)).status !== 200; i++) await new Promise((r) => setTimeout(r, 25));
    return id;
  };
  const data = (e: { data: string }) => JSON.parse(e.data) as Record<string, string>;

  it('sends an event once a new episode and a new interaction are in the read model; the next GET shows them', async () => {
    const customerId = await register('PT Langsung');
    const other = await register('PT Lain');
    const s = await open(customerId);
    const quiet = await open(other);
    expect(s.status).toBe(200);
    expect(s.type).toContain('text/event-stream');
    expect(data(await s.next((e) => e.event === 'ready', 'ready'))).toEqual({ customerId });

    const opened = await call('POST', '/opportunities', { customerId, name: 'Live renewal' });
    expect(opened.status).toBe(201);
    const episodeId = String(opened.body.episodeId);
    const openedEvent = await s.next((e) => e.event === 'timeline' && data(e).kind === 'EpisodeOpened', 'the opening');
    expect(data(openedEvent)).toMatchObject({ customerId, episodeId });

    expect((await call('POST', `/opportunities/${episodeId}/interactions`, { channel: 'phone', direction: 'outbound', action: 'live call' })).status).toBe(201);
    await s.next((e) => e.event === 'timeline' && data(e).kind === 'InteractionRecorded', 'the interaction');
    // Told after the commit: the page's refetch shows it without waiting.
    const timeline = await call('GET', `/customers/${customerId}/timeline?order=newest-first`);
    const episode = (timeline.body.episodes as { episodeId: string; interactions: { action: string }[] }[]).find((e) => e.episodeId === episodeId);
    expect(episode?.interactions.map((i) => i.action)).toEqual(['live call']);

    // The other customer's stream heard nothing of it.
    expect(quiet.events.map((e) => e.event)).toEqual(['ready']);
    s.close();
    quiet.close();
  });

  it('401 problem+json without a token or with a forged one; a partner is refused with 403', async () => {
    const customerId = await register('PT Tanpa Token');
    for (const bearer of [null, `${token.slice(0, -4)}${token.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`]) {
      const s = await open(customerId, bearer);
      expect(s.status).toBe(401);
      expect(s.type).toContain('application/problem+json');
    }
    const partner = await mint.mint({ kind: 'partner', subject: 'p', partnerId: randomUUID(), roles: [] });
    const s = await open(customerId, partner);
    expect(s.status).toBe(403);
    expect(s.type).toContain('application/problem+json');
  });

  it('a bad id is 400 problem+json naming it; an unknown customer 404', async () => {
    const bad = await open('not-a-uuid');
    expect(bad.status).toBe(400);
    expect(bad.type).toContain('application/problem+json');
    expect((JSON.parse(bad.text) as { errors: { field: string }[] }).errors.map((e) => e.field)).toContain('id');
    const unknown = await open(randomUUID());
    expect(unknown.status).toBe(404);
    expect(unknown.type).toContain('application/problem+json');
  });

  it('at most 6 open streams per caller: the 7th is 429 problem+json; closing one makes room', async () => {
    const customerId = await register('PT Banyak Tab');
    const bob = await mint.mint({ kind: 'staff', subject: 'bob', department: 'sales', roles: ['agent'] });
    const six = await Promise.all(Array.from({ length: 6 }, () => open(customerId, bob)));
    for (const s of six) await s.next((e) => e.event === 'ready', 'ready');
    const seventh = await open(customerId, bob);
    expect(seventh.status).toBe(429);
    expect(seventh.type).toContain('application/problem+json');
    // someone else is not affected
    expect((await open(customerId)).status).toBe(200);
    six[0].close();
    // the server notices the client went away
    for (let i = 0; openEventStreams('staff:bob') > 5 && i < 200; i++) await new Promise((r) => setTimeout(r, 25));
    expect((await open(customerId, bob)).status).toBe(200);
  });

  it('closing the service ends the open streams instead of waiting for them', async () => {
    const customerId = await register('PT Tutup');
    const s = await open(customerId);
    await s.next((e) => e.event === 'ready', 'ready');
    await stop();
    await s.ended;
    stop = async () => undefined;
  });
});
