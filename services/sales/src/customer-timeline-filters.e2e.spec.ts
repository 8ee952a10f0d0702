import { randomUUID } from 'node:crypto';
import { crmRegistry } from '@crm/contracts';
import { waitFor } from '@crm/event-store/testing';
import { TokenMint, type ServiceApp } from '@crm/service-kit';
import { httpCaller, servedResponseProblems, startEmbeddedService } from '@crm/service-kit/testing';
import { createSalesApp, SalesConfig } from './sales';

type Timeline = { episodes: { name: string; episodeType: string; interactions: { channel: string; action: string }[] }[]; nextCursor?: string };

// The console's timeline filters (department, partner, type, channel) and the list of a customer's
// merges (what the console's unmerge undoes): narrower views of the one history, validated.
describe('a customer timeline filtered, and the merges in force into a customer', () => {
  let app: ServiceApp;
  let stop: () => Promise<void>;
  let base: string;
  let token: string;
  let mint: TokenMint;
  let customerId: string;

  const call = httpCaller(
    () => base,
    () => token,
  );
  const timeline = async (query: string) => {
    const r = await call('GET', `/customers/${customerId}/timeline?limit=200&order=newest-first${query}`);
    expect(r.status).toBe(200);
    return r.body as unknown as Timeline;
  };
  const fields = (body: Record<string, unknown>) => ((body.errors as { field: string }[] | undefined) ?? []).map((e) => e.field);

  beforeAll(async () => {
    ({ app, base, stop } = await startEmbeddedService('sales-timeline-filters', SalesConfig, createSalesApp, crmRegistry()));
    mint = app.app.get(TokenMint);
    token = await mint.mint({ kind: 'staff', subject: 'alice', department: 'sales', roles: ['agent'] });
    customerId = String((await call('POST', '/customers', { kind: 'organisation', name: 'PT Filter Jaya' })).body.customerId);
    const episodeId = String((await call('POST', '/opportunities', { customerId, name: 'Fleet vans' })).body.episodeId);
    for (const [channel, action] of [
      ['phone', 'called the buyer'],
      ['email', 'sent the brochure'],
      ['phone', 'called again'],
    ] as const)
      expect((await call('POST', `/opportunities/${episodeId}/interactions`, { channel, direction: 'outbound', action })).status).toBe(201);
    await waitFor(async () => (await timeline('')).episodes[0]?.interactions.length === 3, 20000, 'the timeline');
  });
  afterAll(async () => {
    await stop?.();
  });

  it('channel keeps only the interactions on it (with their episode), newest first', async () => {
    const phone = await timeline('&channel=phone');
    expect(phone.episodes.map((e) => e.name)).toEqual(['Fleet vans']);
    expect(phone.episodes[0]!.interactions.map((i) => i.action)).toEqual(['called again', 'called the buyer']);
    expect((await timeline('&channel=sms')).episodes).toEqual([]);
  });

  it('department, type and partner keep only the episodes they own or are; filters combine', async () => {
    expect((await timeline('&department=sales')).episodes.map((e) => e.name)).toEqual(['Fleet vans']);
    expect((await timeline('&department=service')).episodes).toEqual([]);
    expect((await timeline('&episodeType=opportunity')).episodes.map((e) => e.episodeType)).toEqual(['opportunity']);
    expect((await timeline('&episodeType=case')).episodes).toEqual([]);
    expect((await timeline(`&partnerId=${randomUUID()}`)).episodes).toEqual([]);
    const both = await timeline('&department=sales&channel=email');
    expect(both.episodes[0]!.interactions.map((i) => i.action)).toEqual(['sent the brochure']);
    // a filtered page pages like any other
    const first = await call('GET', `/customers/${customerId}/timeline?limit=1&channel=phone`);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    // filtered pages, with a cursor and as of an instant, are what the document says
    expect(await servedResponseProblems(base, 'get', '/customers/{id}/timeline', 200, first.body)).toEqual([]);
    const asOf = await call(
      'GET',
      `/customers/${customerId}/timeline?asOf=${encodeURIComponent(new Date().toISOString())}&department=sales&order=newest-first`,
    );
    expect(asOf.body).toMatchObject({ asOf: expect.any(String), order: 'newest-first' });
    expect(await servedResponseProblems(base, 'get', '/customers/{id}/timeline', 200, asOf.body)).toEqual([]);
  });

  it.each([
    ['department', 'department=finance'],
    ['partnerId', 'partnerId=not-a-uuid'],
    ['episodeType', 'episodeType=%00'],
    ['channel', 'channel=pigeon'],
  ])('a bad %s is a 400 problem naming it', async (field, query) => {
    const r = await call('GET', `/customers/${customerId}/timeline?${query}`);
    expect(r.status).toBe(400);
    expect(r.type).toContain('application/problem+json');
    expect(fields(r.body)).toContain(field);
  });

  it('lists the merges in force into a customer, newest first; an undone merge leaves the list', async () => {
    const survivor = String((await call('POST', '/customers', { kind: 'organisation', name: 'PT Survivor' })).body.customerId);
    const duplicate = String((await call('POST', '/customers', { kind: 'organisation', name: 'PT Survivor (dup)' })).body.customerId);
    // the directory follows the store: the survivor is readable within moments
    await waitFor(async () => (await call('GET', `/customers/${survivor}/merges`)).status === 200, 20000, 'the survivor in the directory');
    expect((await call('GET', `/customers/${survivor}/merges`)).body).toEqual({ items: [] });
    const merged = await call('POST', `/customers/${survivor}/merges`, { duplicateId: duplicate });
    expect(merged.status).toBe(201);
    const mergeId = String(merged.body.mergeId);
    await waitFor(async () => ((await call('GET', `/customers/${survivor}/merges`)).body.items as unknown[]).length === 1, 20000, 'the merge listed');
    expect((await call('GET', `/customers/${survivor}/merges`)).body).toEqual({
      items: [{ mergeId, duplicateId: duplicate, duplicateName: 'PT Survivor (dup)', mergedAt: expect.any(String) }],
    });
    expect((await call('DELETE', `/customers/${survivor}/merges/${mergeId}`)).status).toBe(204);
    await waitFor(async () => ((await call('GET', `/customers/${survivor}/merges`)).body.items as unknown[]).length === 0, 20000, 'the merge undone');
  });

  it('merges: a bad id is a 400 naming it, an unknown customer a 404, a partner or no token may not read', async () => {
    const bad = await call('GET', '/customers/nope/merges');
    expect(bad.status).toBe(400);
    expect(fields(bad.body)).toContain('id');
    expect((await call('GET', `/customers/${randomUUID()}/merges`)).status).toBe(404);
    const partner = await mint.mint({ kind: 'partner', subject: 'p.x', partnerId: randomUUID(), roles: [] });
    expect((await call('GET', `/customers/${customerId}/merges`, undefined, {}, partner)).status).toBe(403);
    expect((await call('GET', `/customers/${customerId}/timeline?channel=phone`, undefined, {}, partner)).status).toBe(403);
    expect((await fetch(`${base}/customers/${customerId}/merges`)).status).toBe(401);
  });
});
