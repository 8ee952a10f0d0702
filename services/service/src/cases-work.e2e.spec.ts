import { randomUUID } from 'node:crypto';
import { crmRegistry } from '@crm/contracts';
import type { Platform } from '@crm/platform';
import { createRelationshipCommands } from '@crm/relationship-api';
import { TokenMint, type ServiceApp } from '@crm/service-kit';
import { httpCaller, servedResponseProblems, startEmbeddedService } from '@crm/service-kit/testing';
import { createCustomerServiceApp, CustomerServiceConfig } from './service';

// Working a case over HTTP (issue 12 §1): details, status, assignment, reopening, one case read
// from its history with its ETag; who may do what; bad input as problem+json naming the field.
describe('service: working cases (embedded)', () => {
  let platform: Platform;
  let app: ServiceApp;
  let stop: () => Promise<void>;
  let base: string;
  let token: string;
  let seller: string;
  let marketer: string;
  let manager: string;
  let partner: string;
  let customerId: string;

  beforeAll(async () => {
    ({ platform, app, base, stop } = await startEmbeddedService('service-cases-work', CustomerServiceConfig, createCustomerServiceApp, crmRegistry()));
    const mint = app.app.get(TokenMint);
    token = await mint.mint({ kind: 'staff', subject: 'budi', department: 'service', roles: ['agent'] });
    seller = await mint.mint({ kind: 'staff', subject: 'sari', department: 'sales', roles: ['agent'] });
    marketer = await mint.mint({ kind: 'staff', subject: 'mira', department: 'marketing', roles: [] });
    manager = await mint.mint({ kind: 'staff', subject: 'maya', department: 'management', roles: [] });
    partner = await mint.mint({ kind: 'partner', subject: 'pat', partnerId: randomUUID(), roles: [] });
    // The contact centre registers the caller itself (the same route as sales').
    const registered = await call('POST', '/customers', { kind: 'person', name: 'Dewi Lestari', identities: [{ kind: 'phone', value: '+62 812 555 0101' }] });
    expect(registered.status).toBe(201);
    expect(registered.location).toBe(`/customers/${String(registered.body.customerId)}`);
    customerId = String(registered.body.customerId);
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
  /** What is wrong with an answer against the service's OpenAPI document ([]: as documented). */
  const documented = (method: string, path: string, status: number, body: unknown) => servedResponseProblems(base, method, path, status, body);
  const fields = (body: Record<string, unknown>) => ((body.errors as { field: string }[] | undefined) ?? []).map((e) => e.field);
  const openCase = async (extra: Record<string, unknown> = {}) => {
    const r = await call('POST', '/cases', { customerId, name: 'Phone will not charge', channel: 'phone', ...extra });
    expect(r.status).toBe(201);
    expect(await documented('post', '/cases', 201, r.body)).toEqual([]);
    return { id: String(r.body.episodeId), etag: String(r.etag) };
  };

  it('opens a case with its details and reads it back with its ETag', async () => {
    const { id, etag } = await openCase({ priority: 'high', severity: 'major', category: 'charging', productId: 'phone-x1', team: 'phones' });
    expect(etag).toBe('"1"'); // EpisodeOpened and CaseDetailsChanged, one append
    const r = await call('GET', `/cases/${id}`);
    expect(r.status).toBe(200);
    expect(r.etag).toBe('"1"');
    expect(r.body).toMatchObject({
      caseId: id,
      customerId,
      name: 'Phone will not charge',
      channel: 'phone',
      status: 'new',
      priority: 'high',
      severity: 'major',
      category: 'charging',
      productId: 'phone-x1',
      team: 'phones',
      assigneeId: null,
      resolution: null,
      reopenCount: 0,
      revision: '1',
    });
    // Without details a case opens new, normal, minor.
    const plain = await openCase();
    expect(plain.etag).toBe('"0"');
    expect((await call('GET', `/cases/${plain.id}`)).body).toMatchObject({ priority: 'normal', severity: 'minor', category: null, team: null });
  });

  it('changes details (only what differs), moves the status, assigns; each answers the case now with its ETag', async () => {
    const { id, etag } = await openCase();
    const changed = await call('PATCH', `/cases/${id}`, { priority: 'urgent', team: 'phones', category: 'charging' }, { 'if-match': etag });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ priority: 'urgent', team: 'phones', category: 'charging' });
    expect(changed.etag).toBe('"1"');
    // the same again records nothing: the ETag stays
    expect((await call('PATCH', `/cases/${id}`, { priority: 'urgent' })).etag).toBe('"1"');
    const cleared = await call('PATCH', `/cases/${id}`, { category: null }, { 'if-match': '"1"' });
    expect(cleared.body).toMatchObject({ category: null, team: 'phones' });

    const assigned = await call('POST', `/cases/${id}/assignment`, { agentId: 'budi', reason: 'knows the X1' }, { 'if-match': String(cleared.etag) });
    expect(assigned.status).toBe(200);
    expect(assigned.body).toMatchObject({ status: 'assigned', assigneeId: 'budi' });
    expect(assigned.body.assignments).toEqual([expect.objectContaining({ agentId: 'budi', reason: 'knows the X1', assignedBy: 'budi' })]);
    const again = await call('POST', `/cases/${id}/assignment`, { agentId: 'budi', reason: 'again' });
    expect(again.etag).toBe(assigned.etag);

    const working = await call('POST', `/cases/${id}/status`, { status: 'in-progress' }, { 'if-match': String(assigned.etag) });
    expect(working.body).toMatchObject({ status: 'in-progress' });
    const waiting = await call('POST', `/cases/${id}/status`, { status: 'waiting-on-customer', reason: 'the serial number' });
    expect(waiting.status).toBe(200);
    expect((waiting.body.statusHistory as { status: string; reason?: string }[]).map((v) => [v.status, v.reason])).toEqual([
      ['new', undefined],
      ['assigned', undefined],
      ['in-progress', undefined],
      ['waiting-on-customer', 'the serial number'],
    ]);
  });

  it('a stale If-Match is 412 (before any rule), a broken rule is 422 with its code', async () => {
    const { id } = await openCase();
    await call('POST', `/cases/${id}/status`, { status: 'in-progress' });
    const stale = await call('POST', `/cases/${id}/status`, { status: 'resolved' }, { 'if-match': '"0"' });
    expect(stale.status).toBe(412);
    expect(stale.type).toContain('application/problem+json');
    for (const [status, code] of [
      ['resolved', 'resolve-by-closing'],
      ['assigned', 'assign-to-assign'],
      ['reopened', 'reopen-to-reopen'],
      ['closed', 'close-only-resolved'],
      ['waiting-on-partner', 'status-needs-reason'],
    ]) {
      const r = await call('POST', `/cases/${id}/status`, { status });
      expect([r.status, r.body.code]).toEqual([422, code]);
      expect(r.type).toContain('application/problem+json');
    }
    expect((await call('PATCH', `/cases/${id}`, { priority: 'low' }, { 'if-match': '"0"' })).status).toBe(412);
    expect((await call('POST', `/cases/${id}/assignment`, { agentId: 'a', reason: 'r' }, { 'if-match': '"0"' })).status).toBe(412);
    expect((await call('POST', `/cases/${id}/reopen`, { reason: 'r' }, { 'if-match': '"0"' })).status).toBe(412);
    const notResolved = await call('POST', `/cases/${id}/reopen`, { reason: 'r' });
    expect([notResolved.status, notResolved.body.code]).toEqual([422, 'case-not-resolved']);
  });

  it('the reopen cycle: resolve, reopen, interact, resolve again, close; then nothing more', async () => {
    const { id } = await openCase();
    await call('POST', `/cases/${id}/assignment`, { agentId: 'budi', reason: 'took the call' });
    const resolved = await call('POST', `/cases/${id}/resolve`, { outcome: 'resolved', reason: 'replaced the cable' });
    expect(resolved.status).toBe(200);
    expect(await documented('post', '/cases/{id}/resolve', 200, resolved.body)).toEqual([]);
    expect((await call('GET', `/cases/${id}`)).body).toMatchObject({ status: 'resolved', resolution: { outcome: 'resolved', reason: 'replaced the cable' } });
    expect((await call('POST', `/cases/${id}/interactions`, { channel: 'phone', direction: 'inbound', action: 'called' })).status).toBe(422);

    const reopened = await call('POST', `/cases/${id}/reopen`, { reason: 'still does not charge' }, { 'if-match': String(resolved.etag) });
    expect(reopened.status).toBe(200);
    expect(reopened.body).toMatchObject({ status: 'reopened', reopenCount: 1, resolution: null, assigneeId: 'budi' });
    const interaction = await call('POST', `/cases/${id}/interactions`, { channel: 'phone', direction: 'inbound', action: 'customer called back' });
    expect(interaction.status).toBe(201);
    expect(await documented('post', '/cases/{id}/interactions', 201, interaction.body)).toEqual([]);
    expect((await call('POST', `/cases/${id}/resolve`, { outcome: 'unresolved', reason: 'no part in stock' })).status).toBe(200);
    const closed = await call('POST', `/cases/${id}/status`, { status: 'closed' });
    expect(closed.body).toMatchObject({ status: 'closed', reopenCount: 1, resolution: { outcome: 'unresolved' } });
    expect((closed.body.statusHistory as { status: string }[]).map((v) => v.status)).toEqual(['new', 'assigned', 'resolved', 'reopened', 'resolved', 'closed']);
    expect(closed.body.interactions).toEqual([expect.objectContaining({ action: 'customer called back' })]);
    const final = await call('POST', `/cases/${id}/reopen`, { reason: 'again' });
    expect([final.status, final.body.code]).toEqual([422, 'case-closed']);
    expect((await call('PATCH', `/cases/${id}`, { priority: 'high' })).status).toBe(422);
  });

  it('who may: service and management work cases; sales and marketing read them; partners and strangers do not', async () => {
    const { id } = await openCase();
    for (const bearer of [seller, marketer]) {
      expect((await call('GET', `/cases/${id}`, undefined, {}, bearer)).status).toBe(200);
      expect((await call('GET', '/cases', undefined, {}, bearer)).status).toBe(200);
      const denied = await call('PATCH', `/cases/${id}`, { priority: 'high' }, {}, bearer);
      expect(denied.status).toBe(403);
      expect(denied.type).toContain('application/problem+json');
      expect((await call('POST', `/cases/${id}/status`, { status: 'in-progress' }, {}, bearer)).status).toBe(403);
      expect((await call('POST', `/cases/${id}/assignment`, { agentId: 'a', reason: 'r' }, {}, bearer)).status).toBe(403);
      expect((await call('POST', `/cases/${id}/reopen`, { reason: 'r' }, {}, bearer)).status).toBe(403);
    }
    expect((await call('POST', `/cases/${id}/assignment`, { agentId: 'budi', reason: 'escalated' }, {}, manager)).status).toBe(200);
    for (const [method, url, body] of [
      ['GET', `/cases/${id}`, undefined],
      ['GET', '/cases', undefined],
      ['PATCH', `/cases/${id}`, { priority: 'high' }],
      ['POST', `/cases/${id}/status`, { status: 'in-progress' }],
      ['POST', `/cases/${id}/assignment`, { agentId: 'a', reason: 'r' }],
      ['POST', `/cases/${id}/reopen`, { reason: 'r' }],
      ['POST', '/customers', { kind: 'person', name: 'X' }],
    ] as const) {
      expect((await call(method, url, body, {}, partner)).status).toBe(403);
      expect((await call(method, url, body, {}, 'not-a-token')).status).toBe(401);
    }
  });

  it('unknown cases, and episodes that are no case, are 404', async () => {
    const commands = createRelationshipCommands(platform.eventStore);
    const opportunity = (
      await commands.episodes.open({ kind: 'staff', subject: 'sari', department: 'sales', roles: [] }, 'opportunity', { customerId, name: 'Upgrade' })
    ).id;
    for (const id of [randomUUID(), opportunity]) {
      expect((await call('GET', `/cases/${id}`)).status).toBe(404);
      expect((await call('PATCH', `/cases/${id}`, { priority: 'high' })).status).toBe(404);
      expect((await call('POST', `/cases/${id}/status`, { status: 'in-progress' })).status).toBe(404);
      expect((await call('POST', `/cases/${id}/assignment`, { agentId: 'a', reason: 'r' })).status).toBe(404);
      expect((await call('POST', `/cases/${id}/reopen`, { reason: 'r' })).status).toBe(404);
    }
  });

  it('bad input is a 400 problem+json naming the field, never a 5xx', async () => {
    const { id } = await openCase();
    const cases: [string, string, unknown, string][] = [
      ['PATCH', `/cases/${id}`, { priority: 'asap' }, 'priority'],
      ['PATCH', `/cases/${id}`, { severity: 3 }, 'severity'],
      ['PATCH', `/cases/${id}`, { category: 'Not A Slug' }, 'category'],
      ['PATCH', `/cases/${id}`, { team: ['phones'] }, 'team'],
      ['PATCH', `/cases/${id}`, { productId: { id: 'x' } }, 'productId'],
      ['PATCH', `/cases/${id}`, { priority: null }, 'priority'],
      ['POST', `/cases/${id}/status`, { status: 'done' }, 'status'],
      ['POST', `/cases/${id}/status`, { status: 'waiting-on-customer', reason: '' }, 'reason'],
      ['POST', `/cases/${id}/status`, [[]], 'status'],
      ['POST', `/cases/${id}/assignment`, { reason: 'r' }, 'agentId'],
      ['POST', `/cases/${id}/assignment`, { agentId: 'a' }, 'reason'],
      ['POST', `/cases/${id}/assignment`, { agentId: 'a', reason: 'r', team: 'Bad Team' }, 'team'],
      ['POST', `/cases/${id}/reopen`, {}, 'reason'],
      ['POST', `/cases/${id}/reopen`, { reason: 'x'.repeat(501) }, 'reason'],
      ['POST', '/cases', { customerId, name: 'X', channel: 'phone', priority: 'asap' }, 'priority'],
      ['POST', '/cases', { customerId, name: 'X', channel: 'phone', category: [[]] }, 'category'],
    ];
    for (const [method, url, body, field] of cases) {
      const r = await call(method, url, body);
      expect([method, url, r.status]).toEqual([method, url, 400]);
      expect(r.type).toContain('application/problem+json');
      expect(fields(r.body)).toContain(field);
    }
    // NUL, lone surrogates, a body that is not JSON, ids that are not UUIDs, an If-Match that is no ETag
    expect(fields((await (await raw('POST', `/cases/${id}/reopen`, '{"reason":"a\\u0000b"}')).json()) as Record<string, unknown>)).toContain('reason');
    expect(fields((await (await raw('POST', `/cases/${id}/assignment`, '{"agentId":"\\ud800","reason":"r"}')).json()) as Record<string, unknown>)).toContain(
      'agentId',
    );
    expect((await raw('POST', `/cases/${id}/status`, 'status=closed', 'text/plain')).status).toBe(415);
    expect((await raw('PATCH', `/cases/${id}`, '{"priority":')).status).toBe(400);
    const badId = await call('GET', '/cases/not-a-uuid');
    expect(badId.status).toBe(400);
    expect(fields(badId.body)).toContain('id');
    expect((await call('POST', `/cases/${id}/status`, { status: 'in-progress' }, { 'if-match': 'yesterday' })).status).toBe(400);
    // nothing of it was stored
    expect((await call('GET', `/cases/${id}`)).body).toMatchObject({ status: 'new', priority: 'normal', revision: '0' });
  });

  it('documents every case route in OpenAPI with its answers', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema?: unknown }> }> }>>;
    };
    for (const [path, method, codes] of [
      ['/cases', 'get', ['200', '400']],
      ['/cases/{id}', 'get', ['200', '404']],
      ['/cases/{id}', 'patch', ['200', '400', '403', '404', '409', '412', '415', '422']],
      ['/cases/{id}/status', 'post', ['200', '400', '404', '412', '422']],
      ['/cases/{id}/assignment', 'post', ['200', '400', '404', '412', '422']],
      ['/cases/{id}/reopen', 'post', ['200', '400', '404', '412', '422']],
      ['/customers', 'post', ['201']],
    ] as const) {
      const operation = doc.paths[path]?.[method];
      expect([path, method, operation !== undefined]).toEqual([path, method, true]);
      for (const code of codes) expect([path, method, code, code in operation!.responses]).toEqual([path, method, code, true]);
    }
    expect(doc.paths['/cases/{id}/reopen'].post.responses['422'].content?.['application/problem+json']).toBeDefined();
  });
});
