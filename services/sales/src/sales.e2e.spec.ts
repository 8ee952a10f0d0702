import { randomUUID } from 'node:crypto';
import { crmRegistry } from '@crm/contracts';
import { waitFor } from '@crm/event-store/testing';
import { READ_MODELS, type ReadModelRunners } from '@crm/relationship-api';
import { TokenMint, type ServiceApp } from '@crm/service-kit';
import { httpCaller, servedResponseProblems, startEmbeddedService } from '@crm/service-kit/testing';
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
  /** What is wrong with a body against the schema the service's OpenAPI document promises for it. */
  const undocumented = (method: string, path: string, status: number, body: unknown) => servedResponseProblems(base, method, path, status, body);

  it('registers a customer, runs an opportunity through the sales process, and shows it on the timeline', async () => {
    const reg = await call('POST', '/customers', {
      kind: 'organisation',
      name: 'PT Maju Jaya',
      contacts: [{ name: 'Sari', role: 'buyer', email: 'sari@maju.co.id' }],
      identities: [{ kind: 'email', value: 'info@maju.co.id' }],
    });
    expect(reg.status).toBe(201);
    expect(await undocumented('post', '/customers', 201, reg.body)).toEqual([]);
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
    // The whole page (an opportunity with a stage move, an interaction and its closing) is what the document says.
    expect(timeline.episodes).toEqual([
      expect.objectContaining({
        owner: { kind: 'department', department: 'sales' },
        stageHistory: [expect.objectContaining({ to: 'proposal-creation' })],
        interactions: [expect.objectContaining({ actor: { kind: 'staff', id: 'alice' }, recordedBy: { type: 'staff', id: 'alice', department: 'sales' } })],
      }),
    ]);
    expect(await undocumented('get', '/customers/{id}/timeline', 200, timeline)).toEqual([]);
  });

  it('a timeline with events about the customer parked says so (`stale`), as the document says', async () => {
    const customerId = String((await call('POST', '/customers', { kind: 'person', name: 'Parked Person' })).body.customerId);
    await waitFor(async () => (await call('GET', `/customers/${customerId}/timeline`)).status === 200, 20000, 'the customer in the directory');
    // An event of the customer the timeline could not apply (parked on purpose here).
    const readModels = app.app.get<ReadModelRunners>(READ_MODELS);
    const eventId = randomUUID();
    await readModels.dataSource.query(
      `INSERT INTO platform.parked_events (consumer, event_id, subject, event_type, reason, event) VALUES ('sales.timeline', $1, $2, 'InteractionRecorded', 'parked by the test', '{}')`,
      [eventId, customerId],
    );
    try {
      const page = await call('GET', `/customers/${customerId}/timeline`);
      expect(page.body).toMatchObject({ episodes: [], stale: { stale: true, parkedEvents: 1, consumers: ['sales.timeline'] } });
      expect(await undocumented('get', '/customers/{id}/timeline', 200, page.body)).toEqual([]);
      // The record says so too.
      const record = await call('GET', `/customers/${customerId}`);
      expect(record.body.stale).toEqual(page.body.stale);
      // The record as the document lists it: no search or sort keys of the directory.
      expect(await undocumented('get', '/customers/{id}', 200, record.body)).toEqual([]);
      expect(Object.keys(record.body)).not.toEqual(expect.arrayContaining(['searchText']));
    } finally {
      await readModels.dataSource.query(`UPDATE platform.parked_events SET resolved_at = now(), resolution = 'discarded' WHERE event_id = $1`, [eventId]);
    }
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
