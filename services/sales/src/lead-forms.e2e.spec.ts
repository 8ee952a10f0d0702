import { createHash, randomUUID } from 'node:crypto';
import { crmRegistry } from '@crm/contracts';
import type { Platform } from '@crm/platform';
import { TestClock } from '@crm/kernel';
import { TokenMint, type ServiceApp } from '@crm/service-kit';
import { httpCaller, servedResponseProblems, startEmbeddedService } from '@crm/service-kit/testing';
import { createSalesApp, SalesConfig } from './sales';

// Web forms: staff create, rotate and revoke them; a web site posts leads with the form's API key,
// rate limited per form by the injected clock.
describe('lead forms and web-form capture', () => {
  let app: ServiceApp;
  let stop: () => Promise<void>;
  let base: string;
  let token: string;
  let mint: TokenMint;
  let platform: Platform;
  const clock = new TestClock('2026-03-01T09:00:00.000Z');
  const call = httpCaller(
    () => base,
    () => token,
  );
  /** A post from a web site: the form's key, no bearer token. */
  const post = (formId: string, body: unknown, apiKey?: string, contentType = 'application/json') =>
    fetch(`${base}/forms/${formId}/leads`, {
      method: 'POST',
      headers: { 'content-type': contentType, ...(apiKey !== undefined && { 'x-api-key': apiKey }) },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const fields = async (r: Response) => {
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    return (((await r.json()) as { errors?: { field: string }[] }).errors ?? []).map((e) => e.field);
  };
  const createForm = async (body: Record<string, unknown> = { name: 'Contact us' }) => {
    const r = await call('POST', '/lead-forms', body);
    expect(r.status).toBe(201);
    expect(await undocumented('post', '/lead-forms', r.status, r.body)).toEqual([]);
    return r.body as { formId: string; apiKey: string; postTo: string };
  };
  /** What of a successful answer the service's own OpenAPI document does not promise (`[]`: all of it). */
  const undocumented = (method: string, path: string, status: number, body: unknown) => servedResponseProblems(base, method, path, status, body);

  beforeAll(async () => {
    ({ app, base, stop, platform } = await startEmbeddedService(
      'sales-lead-forms',
      SalesConfig,
      (c, p, h) => createSalesApp(c, p, { ...h, clock }),
      crmRegistry(),
    ));
    mint = app.app.get(TokenMint);
    token = await mint.mint({ kind: 'staff', subject: 'maya', department: 'marketing', roles: [] });
  });
  afterAll(async () => {
    await stop?.();
  });

  it('creates a form whose key is shown once; the form captures leads with it (same submission, same lead); the key is never stored', async () => {
    const form = await createForm({ name: 'Contact us', rateLimit: { requests: 100, windowSeconds: 60 } });
    expect(form.apiKey).toMatch(/^lfk_[A-Za-z0-9_-]{43}$/);
    expect(form.postTo).toBe(`/forms/${form.formId}/leads`);
    const shown = await call('GET', `/lead-forms/${form.formId}`);
    expect(shown.body).toMatchObject({ formId: form.formId, name: 'Contact us', source: 'web-form', rateLimit: { requests: 100, windowSeconds: 60 } });
    expect(JSON.stringify(shown.body)).not.toContain(form.apiKey);
    expect(shown.body.keyHash).toBeUndefined();
    expect(await undocumented('get', '/lead-forms/{id}', shown.status, shown.body)).toEqual([]);

    const lead = {
      name: 'Rina Kartika',
      company: 'CV Sinar',
      email: `rina-${randomUUID()}@sinar.example`,
      need: 'ten vans',
      country: 'ID',
      submissionId: 's-1',
    };
    const first = await post(form.formId, lead, form.apiKey);
    expect(first.status).toBe(201);
    const firstBody = (await first.json()) as { leadId: string };
    expect(await undocumented('post', '/forms/{formId}/leads', 201, firstBody)).toEqual([]);
    const { leadId } = firstBody;
    expect(((await (await post(form.formId, lead, form.apiKey)).json()) as { leadId: string }).leadId).toBe(leadId);
    expect((await call('GET', `/leads/${leadId}`)).body).toMatchObject({
      source: 'web-form',
      name: 'Rina Kartika',
      qualification: { need: 'ten vans' },
      country: 'ID',
    });
    // what the store holds of the form: the key's SHA-256, never the key
    const stored = JSON.stringify((await platform.eventStore.readStream(`leadform-${form.formId}`)).map((e) => [e.data, e.metadata]));
    expect(stored).not.toContain(form.apiKey);
    expect(stored).toContain(createHash('sha256').update(form.apiKey).digest('hex'));
  });

  it('a wrong, missing, rotated-away or revoked key is 401; a revoked form gets no new key', async () => {
    const form = await createForm();
    const lead = { name: 'Budi', email: 'budi@x.example' };
    expect((await post(form.formId, lead)).status).toBe(401);
    expect((await post(form.formId, lead, 'lfk_wrong')).status).toBe(401);
    expect((await post(randomUUID(), lead, form.apiKey)).status).toBe(401); // another form's id
    const rotated = await call('POST', `/lead-forms/${form.formId}/key-rotation`);
    expect(rotated.status).toBe(200);
    expect(await undocumented('post', '/lead-forms/{id}/key-rotation', rotated.status, rotated.body)).toEqual([]);
    const newKey = String(rotated.body.apiKey);
    expect(newKey).not.toBe(form.apiKey);
    const old = await post(form.formId, lead, form.apiKey);
    expect(old.status).toBe(401);
    expect(old.headers.get('content-type')).toContain('application/problem+json');
    expect((await post(form.formId, lead, newKey)).status).toBe(201);
    expect((await call('DELETE', `/lead-forms/${form.formId}`)).status).toBe(204);
    expect((await call('DELETE', `/lead-forms/${form.formId}`)).status).toBe(204);
    expect((await post(form.formId, lead, newKey)).status).toBe(401);
    const refused = await call('POST', `/lead-forms/${form.formId}/key-rotation`);
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('lead-form-revoked');
    const revoked = await call('GET', `/lead-forms/${form.formId}`);
    expect(revoked.body).toMatchObject({ keyRotatedAt: '2026-03-01T09:00:00.000Z', revokedAt: '2026-03-01T09:00:00.000Z' });
    expect(await undocumented('get', '/lead-forms/{id}', revoked.status, revoked.body)).toEqual([]);
    expect((await call('GET', `/lead-forms/${randomUUID()}`)).status).toBe(404);
    expect((await call('POST', `/lead-forms/${randomUUID()}/key-rotation`)).status).toBe(404);
  });

  it('limits each form to its rate by the clock: 429 with Retry-After as problem+json, then again in the next window', async () => {
    clock.set('2026-03-01T10:00:10.000Z');
    const form = await createForm({ name: 'Fair', source: 'event', rateLimit: { requests: 2, windowSeconds: 60 } });
    const other = await createForm({ name: 'Other', rateLimit: { requests: 2, windowSeconds: 60 } });
    const lead = (n: number) => ({ name: `Visitor ${n}`, email: `v${n}-${randomUUID()}@x.example` });
    expect((await post(form.formId, lead(1), form.apiKey)).status).toBe(201);
    expect((await post(form.formId, lead(2), form.apiKey)).status).toBe(201);
    const limited = await post(form.formId, lead(3), form.apiKey);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('50');
    expect(limited.headers.get('content-type')).toContain('application/problem+json');
    expect(await limited.json()).toMatchObject({ status: 429, retryAfterSeconds: 50 });
    expect((await post(other.formId, lead(4), other.apiKey)).status).toBe(201); // each form its own limit
    clock.advance(49_000);
    expect((await post(form.formId, lead(5), form.apiKey)).headers.get('retry-after')).toBe('1');
    clock.advance(1_000);
    const next = await post(form.formId, lead(6), form.apiKey);
    expect(next.status).toBe(201);
    const { leadId } = (await next.json()) as { leadId: string };
    expect((await call('GET', `/leads/${leadId}`)).body).toMatchObject({ source: 'event' });
    // a wrong key is refused before it counts
    for (let i = 0; i < 5; i++) expect((await post(form.formId, lead(7), 'lfk_wrong')).status).toBe(401);
    expect((await post(form.formId, lead(8), form.apiKey)).status).toBe(201);
  });

  it('a filled honeypot is answered as usual and records nothing', async () => {
    const form = await createForm();
    const r = await post(form.formId, { name: 'Bot', email: 'bot@x.example', website: 'http://spam.example' }, form.apiKey);
    expect(r.status).toBe(201);
    const body = (await r.json()) as { leadId: string };
    expect(await undocumented('post', '/forms/{formId}/leads', 201, body)).toEqual([]); // the same shape as a real capture's
    expect((await call('GET', `/leads/${body.leadId}`)).status).toBe(404);
  });

  it('bad input is a 4xx problem naming the field; staff routes refuse partners, service staff and no token', async () => {
    const form = await createForm();
    for (const [body, field] of [
      [{ name: 'X', email: 'not-an-email' }, 'email'],
      [{ name: 'X', email: 'x@y.example', country: 'Indonesia' }, 'country'],
      [{ name: 'X\u0000', email: 'x@y.example' }, 'name'],
      [{ name: 'X', email: 'x@y.example', owner: 'me' }, 'owner'], // not a form's field
      [{ name: ['X'], email: 'x@y.example' }, 'name'],
      [{ name: 'X', email: 'x@y.example', qualification: [[]] }, 'qualification'],
    ] as const) {
      const r = await post(form.formId, body, form.apiKey);
      expect(r.status).toBe(400);
      expect(await fields(r)).toContain(field);
    }
    const surrogate = await post(form.formId, '{"name":"\\ud800","email":"x@y.example"}', form.apiKey);
    expect(surrogate.status).toBe(400);
    expect(await fields(surrogate)).toContain('name');
    expect((await post(form.formId, '{"a":'.repeat(2000) + '1' + '}'.repeat(2000), form.apiKey)).status).toBe(400);
    expect((await post(form.formId, 'name=X&email=x@y.example', form.apiKey, 'application/x-www-form-urlencoded')).status).toBe(415);
    const unreachable = await post(form.formId, { name: 'X' }, form.apiKey);
    expect(unreachable.status).toBe(422);
    expect(((await unreachable.json()) as { code: string }).code).toBe('lead-needs-contact');
    expect((await post('not-a-uuid', { name: 'X', email: 'x@y.example' }, form.apiKey)).status).toBe(401);
    // without a key, the fields are never judged: 401 whatever they hold (the hostile-input check of the raw body still comes first)
    expect((await post(form.formId, { name: ['X'], email: 'nope' })).status).toBe(401);
    expect((await post(form.formId, 'x', undefined, 'text/plain')).status).toBe(415); // the media type is judged first

    for (const [body, field] of [
      [{ name: '' }, 'name'],
      [{ name: 'X', rateLimit: [[]] }, 'rateLimit'],
      [{ name: 'X', rateLimit: { requests: 0, windowSeconds: 60 } }, 'rateLimit.requests'],
      [{ name: 'X', rateLimit: { requests: 5, windowSeconds: 1e9 } }, 'rateLimit.windowSeconds'],
      [{ name: 'X', source: 'telepathy' }, 'source'],
    ] as const) {
      const r = await call('POST', '/lead-forms', body);
      expect(r.status).toBe(400);
      expect(((r.body.errors as { field: string }[]) ?? []).map((e) => e.field)).toContain(field);
    }
    const partner = await mint.mint({ kind: 'partner', subject: 'p.x', partnerId: randomUUID(), roles: [] });
    const service = await mint.mint({ kind: 'staff', subject: 'budi', department: 'service', roles: [] });
    for (const bearer of [partner, service]) {
      expect((await call('POST', '/lead-forms', { name: 'X' }, {}, bearer)).status).toBe(403);
      expect((await call('GET', `/lead-forms/${form.formId}`, undefined, {}, bearer)).status).toBe(403);
      expect((await call('DELETE', `/lead-forms/${form.formId}`, undefined, {}, bearer)).status).toBe(403);
    }
    expect((await fetch(`${base}/lead-forms`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"X"}' })).status).toBe(401);
    // a staff token is no form key
    expect(
      (
        await fetch(`${base}/forms/${form.formId}/leads`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: '{"name":"X","email":"x@y.example"}',
        })
      ).status,
    ).toBe(401);
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown> }>>;
    };
    expect(doc.paths['/forms/{formId}/leads'].post.security).toEqual([]);
    expect(doc.paths['/forms/{formId}/leads'].post.responses['429']).toBeDefined();
    for (const path of ['/lead-forms', '/lead-forms/{id}', '/lead-forms/{id}/key-rotation']) expect(doc.paths[path]).toBeDefined();
  });
});
