import { randomUUID } from 'node:crypto';
import { crmRegistry } from '@crm/contracts';
import { TokenMint, type ServiceApp } from '@crm/service-kit';
import { httpCaller, startEmbeddedService } from '@crm/service-kit/testing';
import { createSalesApp, SalesConfig } from './sales';

// The classes of input that once answered 500 or stored poison: each must be a 4xx
// application/problem+json naming the field, and nothing may be stored.
describe('sales: hostile input gets a 4xx naming the field, never a 5xx', () => {
  let app: ServiceApp;
  let stop: () => Promise<void>;
  let base: string;
  let token: string;
  let customerId: string;

  beforeAll(async () => {
    ({ app, base, stop } = await startEmbeddedService('sales-hostile', SalesConfig, createSalesApp, crmRegistry()));
    token = await app.app.get(TokenMint).mint({ kind: 'staff', subject: 'alice', department: 'sales', roles: ['agent'] });
    customerId = String((await call('POST', '/customers', { kind: 'organisation', name: 'PT Maju' })).body.customerId);
  });
  afterAll(async () => {
    await stop?.();
  });

  const call = httpCaller(
    () => base,
    () => token,
  );
  const raw = (method: string, url: string, body: string, contentType = 'application/json') =>
    fetch(`${base}${url}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': contentType }, body });
  const fields = (body: Record<string, unknown>) => ((body.errors as { field: string }[] | undefined) ?? []).map((e) => e.field);

  async function expectProblem(r: Response, status: number, field?: string): Promise<Record<string, unknown>> {
    expect(r.status).toBe(status);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(r.headers.get('etag')).toBeNull();
    const body = (await r.json()) as Record<string, unknown>;
    if (field) expect(fields(body)).toContain(field);
    return body;
  }

  it.each([
    ['contacts', { kind: 'organisation', name: 'X', contacts: [[]] }],
    ['contacts', { kind: 'organisation', name: 'X', contacts: ['Sari'] }],
    ['identities', { kind: 'person', name: 'X', identities: [[]] }],
    ['identities', { kind: 'person', name: 'X', identities: [{ kind: 'email', value: 'a@b.c' }, [[]]] }],
  ])('an array where an object belongs (%s) is a 400 naming the field, and nothing is stored', async (field, body) => {
    const customer = randomUUID();
    await expectProblem(await raw('POST', '/customers', JSON.stringify({ ...body, customerId: customer })), 400, field);
    expect((await call('GET', `/customers/${customer}`)).status).toBe(404);
  });

  it('a JSON body nested 2,000 levels is a 400 naming where it got too deep', async () => {
    const deep = '{"a":'.repeat(2000) + '1' + '}'.repeat(2000);
    const body = await expectProblem(await raw('POST', '/customers', deep), 400);
    expect(fields(body)[0]).toMatch(/^a(\.a)+$/);
    const deepArray = JSON.stringify({ kind: 'person', name: 'X', contacts: JSON.parse('['.repeat(2000) + ']'.repeat(2000)) });
    await expectProblem(await raw('POST', '/customers', deepArray), 400);
  });

  it('NUL characters and lone surrogates are a 400 naming the field, in the body and in the query', async () => {
    await expectProblem(await raw('POST', '/customers', '{"kind":"person","name":"Bu\\u0000di"}'), 400, 'name');
    await expectProblem(await raw('POST', '/customers', '{"kind":"person","name":"\\ud800"}'), 400, 'name');
    await expectProblem(await raw('POST', '/customers', '{"kind":"organisation","name":"X","contacts":[{"name":"a\\udfff"}]}'), 400, 'contacts.0.name');
    await expectProblem(await raw('POST', '/customers', '{"kind":"person","name":"X","\\u0000":1}'), 400, '\u0000');
    await expectProblem(await fetch(`${base}/customers/${customerId}/timeline?asOf=%00`, { headers: { authorization: `Bearer ${token}` } }), 400, 'asOf');
    // A valid surrogate pair (an emoji) is fine.
    expect((await raw('POST', '/customers', '{"kind":"person","name":"Budi \\ud83d\\ude00"}')).status).toBe(201);
  });

  it('a body that is not JSON is 415; malformed JSON is 400', async () => {
    const body = await expectProblem(await raw('POST', '/customers', 'kind=person&name=X', 'text/plain'), 415);
    expect(String(body.detail)).toContain('application/json');
    await expectProblem(await raw('POST', '/customers', '<customer/>', 'application/xml'), 415);
    await expectProblem(await raw('POST', '/customers', '{"kind":'), 400);
  });

  it.each(['garbage', '-1/-1', '1/2/3', '99999999999999999999/1', '1/', ' 1/2'])('cursor=%s is a 400 naming cursor', async (cursor) => {
    await expectProblem(
      await fetch(`${base}/customers/${customerId}/timeline?cursor=${encodeURIComponent(cursor)}`, { headers: { authorization: `Bearer ${token}` } }),
      400,
      'cursor',
    );
  });

  // isISO8601 passes these, but Date cannot read them (asOf answered 500) or misreads them
  // ("-2026-03-01" read as 2026), and PostgreSQL refuses them.
  it.each(['20260301', '2026-W09', '2026-03-01T09', '-2026-03-01'])('asOf=%s is a 400 naming asOf', async (asOf) => {
    await expectProblem(
      await fetch(`${base}/customers/${customerId}/timeline?asOf=${encodeURIComponent(asOf)}`, { headers: { authorization: `Bearer ${token}` } }),
      400,
      'asOf',
    );
  });

  it('a timestamp the read models could not store is a 400 naming the field, and nothing is stored', async () => {
    // Once answered 201, and every projection parked the event (and every later one of the customer).
    const episodeId = randomUUID();
    await expectProblem(
      await raw('POST', '/opportunities', JSON.stringify({ episodeId, customerId, name: 'Fleet', openedAt: '-2026-01-01' })),
      400,
      'openedAt',
    );
    await expectProblem(
      await raw('POST', '/opportunities', JSON.stringify({ episodeId, customerId, name: 'Fleet', openedAt: '2026-01-01T00:00:00+23:00' })),
      400,
      'openedAt',
    );
    const interaction = { channel: 'phone', direction: 'inbound', action: 'x' };
    expect((await call('POST', `/opportunities/${episodeId}/interactions`, interaction)).status).toBe(404);
    const opened = await call('POST', '/opportunities', { episodeId, customerId, name: 'Fleet', openedAt: '2026-01-01T09:00:00+07:00' });
    expect(opened.status).toBe(201);
    await expectProblem(
      await raw('POST', `/opportunities/${episodeId}/interactions`, JSON.stringify({ ...interaction, occurredAt: '20260301' })),
      400,
      'occurredAt',
    );
    await expectProblem(await raw('POST', `/opportunities/${episodeId}/close`, JSON.stringify({ outcome: 'lost', closedAt: '2026-W09' })), 400, 'closedAt');
  });

  it('a malformed path id is a 400 naming the parameter', async () => {
    for (const url of ['/opportunities/not-a-uuid/stage', '/opportunities/not-a-uuid/close', '/opportunities/1/interactions']) {
      const body = url.endsWith('stage')
        ? { stage: 'closing' }
        : url.endsWith('close')
          ? { outcome: 'won' }
          : { channel: 'phone', direction: 'inbound', action: 'x' };
      await expectProblem(await raw('POST', url, JSON.stringify(body)), 400, 'id');
    }
    await expectProblem(await fetch(`${base}/customers/nope/timeline`, { headers: { authorization: `Bearer ${token}` } }), 400, 'id');
  });

  it('a stale If-Match is 412 before any rule of the domain; only successful changes carry an ETag', async () => {
    const opp = await call('POST', '/opportunities', { customerId, name: 'Fleet' });
    expect(opp.etag).toBe('"0"');
    const episodeId = String(opp.body.episodeId);
    const closed = await call('POST', `/opportunities/${episodeId}/close`, { outcome: 'lost', reason: 'price' }, { 'if-match': '"0"' });
    expect(closed.status).toBe(200);
    expect(closed.etag).toBe('"1"');
    // Closing again with the stale ETag: the precondition fails first (412), not the rule (422).
    const stale = await raw('POST', `/opportunities/${episodeId}/close`, JSON.stringify({ outcome: 'won', reason: 'signed after all' }));
    expect(stale.status).toBe(422); // no If-Match: the rule speaks
    const withStale = await fetch(`${base}/opportunities/${episodeId}/close`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'if-match': '"0"' },
      body: JSON.stringify({ outcome: 'won', reason: 'signed after all' }),
    });
    await expectProblem(withStale, 412);
  });

  it('the service is still healthy after all of it', async () => {
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);
  });
});
