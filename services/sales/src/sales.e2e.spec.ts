import { randomUUID } from 'node:crypto';
import { crmRegistry } from '@crm/contracts';
import { waitFor } from '@crm/event-store/testing';
import { TokenMint, type ServiceApp } from '@crm/service-kit';
import { httpCaller, startEmbeddedService } from '@crm/service-kit/testing';
import { createSalesApp, SalesConfig } from './sales';

// The sales service over HTTP on the embedded platform (PGlite on disk).
describe('sales service (embedded)', () => {
  let app: ServiceApp;
  let stop: () => Promise<void>;
  let base: string;
  let token: string;

  beforeAll(async () => {
    ({ app, base, stop } = await startEmbeddedService('sales', SalesConfig, createSalesApp, crmRegistry()));
    token = await app.app.get(TokenMint).mint({ kind: 'staff', subject: 'alice', department: 'sales', roles: ['agent'] });
  });
  afterAll(async () => {
    await stop?.();
  });

  const call = httpCaller(
    () => base,
    () => token,
  );

  it('registers a customer, runs an opportunity through the sales process, and shows it on the timeline', async () => {
    const reg = await call('POST', '/customers', {
      kind: 'organisation',
      name: 'PT Maju Jaya',
      contacts: [{ name: 'Sari', role: 'buyer', email: 'sari@maju.co.id' }],
      identities: [{ kind: 'email', value: 'info@maju.co.id' }],
    });
    expect(reg.status).toBe(201);
    const customerId = String(reg.body.customerId);

    const opp = await call('POST', '/opportunities', { customerId, name: 'Fleet renewal', expectedValue: 50000, currency: 'EUR' });
    expect(opp.status).toBe(201);
    const episodeId = String(opp.body.episodeId);
    expect(
      (
        await call('POST', `/opportunities/${episodeId}/interactions`, {
          channel: 'phone',
          direction: 'outbound',
          action: 'qualification call',
          response: 'budget confirmed',
        })
      ).status,
    ).toBe(201);
    const stage = await call('POST', `/opportunities/${episodeId}/stage`, { stage: 'proposal-creation' });
    expect(stage.status).toBe(200);

    // A stale If-Match is refused with 412; the current one is accepted.
    expect(
      (await call('POST', `/opportunities/${episodeId}/close`, { outcome: 'won', value: 48000, reason: 'best offer' }, { 'if-match': '"0"' })).status,
    ).toBe(412);
    const closed = await call(
      'POST',
      `/opportunities/${episodeId}/close`,
      { outcome: 'won', value: 48000, currency: 'EUR', reason: 'best offer' },
      { 'if-match': String(stage.etag) },
    );
    expect(closed.status).toBe(200);
    // Closing twice breaks a rule of the domain.
    const again = await call('POST', `/opportunities/${episodeId}/close`, { outcome: 'lost', reason: 'changed our mind' });
    expect(again.status).toBe(422);
    expect(again.type).toContain('application/problem+json');

    let timeline: Record<string, unknown> = {};
    await waitFor(
      async () => {
        timeline = (await call('GET', `/customers/${customerId}/timeline`)).body;
        const eps = timeline.episodes as { closed?: unknown }[] | undefined;
        return !!eps?.[0]?.closed;
      },
      20000,
      'the timeline to show the closed opportunity',
    );
    const [episode] = timeline.episodes as { name: string; stage: string; interactions: { action: string }[]; closed: { outcome: string } }[];
    expect(episode.name).toBe('Fleet renewal');
    expect(episode.stage).toBe('proposal-creation');
    expect(episode.interactions.map((i) => i.action)).toEqual(['qualification call']);
    expect(episode.closed.outcome).toBe('won');
  });

  it('answers bad input with problem+json naming the field, and unknown ids with 404', async () => {
    const bad = await call('POST', '/customers', { kind: 'robot', name: '', extra: 1 });
    expect(bad.status).toBe(400);
    expect(bad.type).toContain('application/problem+json');
    const fields = (bad.body.errors as { field: string }[]).map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['kind', 'name', 'extra']));
    expect((await call('POST', '/opportunities', { customerId: randomUUID(), name: 'x' })).status).toBe(422);
    expect((await call('GET', `/customers/${randomUUID()}/timeline`)).status).toBe(404);
    expect((await call('POST', `/opportunities/${randomUUID()}/stage`, { stage: 'closing' })).status).toBe(404);
  });

  it('refuses callers without a valid token or from another department', async () => {
    expect((await fetch(`${base}/customers/${randomUUID()}`)).status).toBe(401);
    const service = await app.app.get(TokenMint).mint({ kind: 'staff', subject: 'bob', department: 'service', roles: [] });
    const r = await fetch(`${base}/opportunities`, {
      method: 'POST',
      headers: { authorization: `Bearer ${service}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(r.status).toBe(403);
  });

  it('serves its OpenAPI document and health', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/customers', '/opportunities', '/customers/{id}/timeline']));
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);
  });
});
