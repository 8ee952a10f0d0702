import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '@crm/config';
import { crmRegistry } from '@crm/contracts';
import { CommandHandler, type EventStore } from '@crm/event-store';
import { waitFor } from '@crm/event-store/testing';
import { systemClock } from '@crm/kernel';
import { createPlatform, type Platform } from '@crm/platform';
import { episodeStream, returnRepairDecider, type ReturnRepairCommand } from '@crm/relationship';
import { createRelationshipCommands, metadataFor, READ_MODELS, WRITE_STORE, type ReadModelRunners, type RelationshipCommands } from '@crm/relationship-api';
import { TokenMint, type ServiceApp, type StaffPrincipal } from '@crm/service-kit';
import { createPartnerPortalApp, PartnerPortalConfig } from '../partner-portal';
import { listRepairJobs } from './repair-jobs.projection';

type Json = Record<string, unknown>;
interface Reply {
  status: number;
  type: string;
  headers: Headers;
  body: Json;
}

// The repair provider's part of a return and repair (issue 12 §5) over HTTP, embedded: the job it is
// given, its progress, interactions and shipments back to the customer — and every way of reaching a
// job (or the customer behind it) that is not, or no longer, the caller's.
describe('partner-portal: repair jobs (embedded)', () => {
  let dataDir: string;
  let platform: Platform;
  let app: ServiceApp;
  let base: string;
  let commands: RelationshipCommands;
  let returns: CommandHandler<Parameters<typeof returnRepairDecider.decide>[1], ReturnRepairCommand, ReturnType<typeof returnRepairDecider.decide>[number]>;
  let management: string;
  let serviceToken: string;
  const agent: StaffPrincipal = { kind: 'staff', subject: 'budi', department: 'service', roles: ['agent'] };

  const call = async (method: string, url: string, token: string | undefined, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> => {
    const h: Record<string, string> = { ...headers };
    if (token) h.authorization = `Bearer ${token}`;
    if (body !== undefined) h['content-type'] ??= 'application/json';
    const r = await fetch(`${base}${url}`, {
      method,
      headers: h,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, type: r.headers.get('content-type') ?? '', headers: r.headers, body: text ? (JSON.parse(text) as Json) : {} };
  };
  const problem = (r: Reply, status: number, field?: string) => {
    expect({ status: r.status, type: r.type }).toEqual({ status, type: expect.stringContaining('application/problem+json') });
    if (field) expect(((r.body.errors ?? []) as { field: string }[]).map((e) => e.field)).toContain(field);
  };
  const ids = (r: Reply) => (r.body.items as { episodeId: string }[]).map((i) => i.episodeId);

  const registerProvider = async (name: string): Promise<string> => {
    const r = await call('POST', '/partners', management, { name, partnerKind: 'service-provider' });
    expect(r.status).toBe(201);
    return String(r.body.partnerId);
  };
  const credential = async (partnerId: string) => {
    const r = await call('POST', `/partners/${partnerId}/credentials`, management);
    expect(r.status).toBe(201);
    const clientId = String(r.body.clientId);
    const t = await call('POST', '/auth/token', undefined, { clientId, clientSecret: String(r.body.clientSecret) });
    expect(t.status).toBe(200);
    return { clientId, token: String(t.body.access_token) };
  };

  const staffDoes = (episodeId: string, command: ReturnRepairCommand) =>
    returns.handle(episodeStream(episodeId), command, metadataFor(agent, systemClock, { departments: '*', partners: 'shared' }));
  const assign = (episodeId: string, partnerId: string) =>
    staffDoes(episodeId, {
      type: 'AssignRepair',
      data: { partnerId, assignedAt: new Date().toISOString(), assignedBy: 'budi' },
      partner: { partnerKind: 'service-provider' },
    });
  /** What the service department does (its commands are built beside this one): a return requested from the case, authorised, received at the company, given to `partnerId`. */
  async function returnAssignedTo(partnerId: string, serialNumber = 'SN-0042-1187'): Promise<string> {
    const episodeId = randomUUID();
    const now = () => new Date().toISOString();
    await staffDoes(episodeId, {
      type: 'RequestReturn',
      data: {
        episodeId,
        customerId,
        caseEpisodeId: caseId,
        name: 'Return of the X1',
        item: { productId: 'phone-x1', serialNumber },
        fault: 'does not charge',
        requestedAt: now(),
        requestedBy: 'budi',
      },
      fromCase: { customerId, isCase: true, caseClosed: false },
    });
    await staffDoes(episodeId, {
      type: 'AuthoriseReturn',
      data: { rmaNumber: 'RMA-2026-000123', authorisedAt: now(), authorisedBy: 'budi', outOfWarranty: 'goodwill' },
      warranty: { basis: 'out-of-warranty', reason: 'no order of the customer holds it' },
    });
    await staffDoes(episodeId, {
      type: 'UpdateShipment',
      data: { leg: 'to-company', state: 'delivered', updatedAt: now() },
      by: { kind: 'staff', id: 'budi' },
    });
    await assign(episodeId, partnerId);
    return episodeId;
  }

  let providerA: string;
  let providerB: string;
  let tokenA: string;
  let tokenB: string;
  let customerId: string;
  let caseId: string;
  let job: string;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-portal-repairs-'));
    const config = loadConfig(PartnerPortalConfig, { CRM_DATA_DIR: dataDir });
    platform = await createPlatform(config, { registry: crmRegistry(), clientId: 'test' });
    app = await createPartnerPortalApp(config, platform, { embedded: true });
    base = await app.listen(0);
    const mint = app.app.get(TokenMint);
    management = await mint.mint({ kind: 'staff', subject: 'maria', department: 'management', roles: ['admin'] });
    serviceToken = await mint.mint(agent);
    // The relationship API's write store: contract-checked, personal fields sealed.
    const store = app.app.get<symbol, EventStore>(WRITE_STORE);
    commands = createRelationshipCommands(store);
    returns = new CommandHandler(store, returnRepairDecider);

    providerA = await registerProvider('Servis Cepat');
    providerB = await registerProvider('Fix-it Jaya');
    tokenA = (await credential(providerA)).token;
    tokenB = (await credential(providerB)).token;
    customerId = (
      await commands.customers.register(agent, { kind: 'organisation', name: 'CV Dewi Lestari', contacts: [{ name: 'Dewi', email: 'dewi@example.com' }] })
    ).id;
    caseId = (await commands.episodes.open(agent, 'case', { customerId, name: 'Phone will not charge', channel: 'phone' })).id;
    job = await returnAssignedTo(providerA);
    await waitFor(async () => ids(await call('GET', '/repairs', tokenA)).includes(job), 20000, 'the job to reach the repair jobs read model');
  });

  afterAll(async () => {
    await app?.close();
    await platform?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('the provider lists and reads its job: RMA, item, fault, legs, the customer’s display name — nothing else of the customer', async () => {
    const list = await call('GET', '/repairs', tokenA);
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([
      expect.objectContaining({
        episodeId: job,
        customerId,
        customerName: 'CV Dewi Lestari',
        rmaNumber: 'RMA-2026-000123',
        productId: 'phone-x1',
        status: 'assigned',
        legs: { 'to-company': 'delivered' },
        closedAt: null,
      }),
    ]);
    const r = await call('GET', `/repairs/${job}`, tokenA);
    expect(r.status).toBe(200);
    expect(r.headers.get('etag')).toBe(`"${String(r.body.revision)}"`);
    expect(r.body).toMatchObject({
      episodeId: job,
      customerName: 'CV Dewi Lestari',
      rmaNumber: 'RMA-2026-000123',
      item: { productId: 'phone-x1', serialNumber: 'SN-0042-1187' },
      fault: 'does not charge',
      status: 'assigned',
      interactions: [],
      closed: null,
    });
    // No contacts, no case, no other episode of the customer.
    expect(JSON.stringify(r.body)).not.toMatch(/dewi@example\.com|Phone will not charge/);
    expect(JSON.stringify(r.body)).not.toContain(caseId);
    // Both reads showed the customer's name: both are in the access log with the job's customer.
    const logged = await call('GET', `/partners/${providerA}/access-log?customerId=${customerId}`, management);
    expect((logged.body.items as Json[]).slice(0, 2)).toEqual([
      expect.objectContaining({ route: 'GET /repairs/{id}', resourceId: job, customerId, status: 200 }),
      expect.objectContaining({ route: 'GET /repairs', resourceId: null, customerId, status: 200 }),
    ]);
  });

  it('the repair does not share the customer: GET /customers/{id}, its timeline and the customer list stay closed to the provider', async () => {
    problem(await call('GET', `/customers/${customerId}`, tokenA), 404);
    problem(await call('GET', `/customers/${customerId}/timeline`, tokenA), 404);
    const customers = await call('GET', '/customers', tokenA);
    expect(customers.status).toBe(200);
    expect(customers.body.items).toEqual([]);
    problem(await call('POST', `/episodes/${job}/interactions`, tokenA, { channel: 'phone', direction: 'outbound', action: 'x' }), 404);
  });

  it('the provider’s whole part: received, diagnosed, repaired, an interaction, shipped back — delivered closes the return', async () => {
    const id = await returnAssignedTo(providerA, 'SN-7');
    let etag = (await call('GET', `/repairs/${id}`, tokenA)).headers.get('etag')!;
    const step = async (url: string, body: Json, expected = 200) => {
      const r = await call('POST', `/repairs/${id}/${url}`, tokenA, body, { 'if-match': etag });
      expect({ url, status: r.status, body: r.body }).toEqual({ url, status: expected, body: expect.anything() });
      etag = r.headers.get('etag')!;
      return r;
    };
    const received = await step('shipments', { leg: 'to-provider', state: 'delivered', carrier: 'JNE', trackingNumber: 'JNE-0001' });
    expect(received.body.legs).toMatchObject({ 'to-provider': { state: 'delivered', carrier: 'JNE', trackingNumber: 'JNE-0001' } });
    expect((await step('status', { to: 'received' })).body.status).toBe('received');
    // A stale If-Match is 412, before any rule (this one would also break one: not repaired yet).
    const stale = await call('POST', `/repairs/${id}/shipments`, tokenA, { leg: 'from-provider', state: 'in-transit' }, { 'if-match': '"1"' });
    problem(stale, 412);
    await step('status', { to: 'diagnosing', note: 'battery swollen' });
    const talk = await step(
      'interactions',
      { channel: 'phone', direction: 'outbound', action: 'asked for the PIN', response: 'given', actorKind: 'partner-user' },
      201,
    );
    expect(talk.body.interactionId).toEqual(expect.any(String));
    await step(
      'interactions',
      { channel: 'email', direction: 'inbound', action: 'customer agreed to the cost', actorKind: 'customer', actorId: customerId },
      201,
    );
    await step('status', { to: 'repaired' });
    // Domain rules are 422 with their code.
    const notYours = await call('POST', `/repairs/${id}/shipments`, tokenA, { leg: 'to-company', state: 'in-transit' });
    problem(notYours, 422);
    expect(notYours.body.code).toBe('not-your-leg');
    const assignedAgain = await call('POST', `/repairs/${id}/status`, tokenA, { to: 'assigned' });
    problem(assignedAgain, 422);
    await step('shipments', { leg: 'to-customer', state: 'in-transit', carrier: 'JNE', trackingNumber: 'JNE-0002' });
    problem(await call('POST', `/repairs/${id}/status`, tokenA, { to: 'repairing' }), 422); // on its way back: the repair is done
    const done = await step('shipments', { leg: 'to-customer', state: 'delivered' });
    expect(done.body).toMatchObject({ status: 'repaired', closed: { outcome: 'resolved' } });
    expect((done.body.interactions as { action: string; actor: { kind: string } }[]).map((i) => [i.actor.kind, i.action])).toEqual([
      ['partner-user', 'asked for the PIN'],
      ['customer', 'customer agreed to the cost'],
    ]);
    const backwards = await call('POST', `/repairs/${id}/shipments`, tokenA, { leg: 'to-customer', state: 'in-transit' });
    problem(backwards, 422);
    // The list follows: closed now, with each leg's state.
    await waitFor(async () => ids(await call('GET', '/repairs?open=false', tokenA)).includes(id), 20000, 'the closing to reach the list');
    const closed = (await call('GET', '/repairs?open=false', tokenA)).body.items as Json[];
    expect(closed.find((i) => i.episodeId === id)).toMatchObject({
      status: 'repaired',
      outcome: 'resolved',
      legs: { 'to-company': 'delivered', 'to-provider': 'delivered', 'to-customer': 'delivered' },
    });
    expect(ids(await call('GET', '/repairs?open=true', tokenA))).not.toContain(id);
    expect(ids(await call('GET', '/repairs?status=repaired', tokenA))).toContain(id);
    expect(ids(await call('GET', '/repairs?status=received,diagnosing', tokenA))).not.toContain(id);
    // The provider's events are on the return's own stream, visible to the company and to this provider alone.
    const stream = await platform.eventStore.readStream(episodeStream(id));
    const byProvider = stream.filter((e) => ['RepairStatusChanged', 'InteractionRecorded'].includes(e.type));
    expect(byProvider.map((e) => (e.metadata as unknown as { visibility: unknown }).visibility)).toEqual(
      Array(byProvider.length).fill({ departments: '*', partners: [providerA] }),
    );
  });

  it('pages its list with a cursor; a garbage cursor is 400 naming it', async () => {
    const second = await returnAssignedTo(providerA, 'SN-P2');
    await waitFor(async () => ids(await call('GET', '/repairs?limit=100', tokenA)).includes(second), 20000, 'the second job');
    const all = ids(await call('GET', '/repairs?limit=100', tokenA));
    const first = await call('GET', '/repairs?limit=1', tokenA);
    expect(ids(first)).toEqual(all.slice(0, 1));
    const next = await call('GET', `/repairs?limit=1&cursor=${String(first.body.nextCursor)}`, tokenA);
    expect(ids(next)).toEqual(all.slice(1, 2));
    for (const cursor of ['garbage', Buffer.from('["repairs","x","y"]').toString('base64url'), '%00', 'a b']) {
      problem(await call('GET', `/repairs?cursor=${cursor}`, tokenA), 400, 'cursor');
    }
  });

  describe('who may not', () => {
    it('the other provider: 404 on its reads and writes, exactly as an unknown id; absent from its list', async () => {
      const unknown = await call('GET', `/repairs/${randomUUID()}`, tokenB);
      problem(unknown, 404);
      const other = await call('GET', `/repairs/${job}`, tokenB);
      problem(other, 404);
      expect(Object.keys(other.body).sort()).toEqual(Object.keys(unknown.body).sort());
      problem(await call('POST', `/repairs/${job}/status`, tokenB, { to: 'received' }), 404);
      problem(await call('POST', `/repairs/${job}/interactions`, tokenB, { channel: 'phone', direction: 'outbound', action: 'x' }), 404);
      problem(await call('POST', `/repairs/${job}/shipments`, tokenB, { leg: 'to-provider', state: 'delivered' }), 404);
      // With a (guessed) If-Match, still 404: access is judged before the precondition.
      problem(await call('POST', `/repairs/${job}/status`, tokenB, { to: 'received' }, { 'if-match': '"0"' }), 404);
      expect(ids(await call('GET', '/repairs', tokenB))).not.toContain(job);
    });

    it('the first provider after a reassignment: 404 at once on reads and writes, gone from its list (the frozen read model case is last)', async () => {
      const id = await returnAssignedTo(providerA, 'SN-R');
      await waitFor(async () => ids(await call('GET', '/repairs?limit=100', tokenA)).includes(id), 20000, 'the job');
      await assign(id, providerB);
      // Checked on the return itself: no waiting for the read model (a lagging one: see the last test).
      problem(await call('GET', `/repairs/${id}`, tokenA), 404);
      problem(await call('POST', `/repairs/${id}/status`, tokenA, { to: 'received' }), 404);
      problem(await call('POST', `/repairs/${id}/interactions`, tokenA, { channel: 'phone', direction: 'outbound', action: 'x' }), 404);
      problem(await call('POST', `/repairs/${id}/shipments`, tokenA, { leg: 'to-provider', state: 'delivered' }), 404);
      expect(ids(await call('GET', '/repairs?limit=100', tokenA))).not.toContain(id);
      expect((await call('GET', `/repairs/${id}`, tokenB)).status).toBe(200);
      await waitFor(async () => ids(await call('GET', '/repairs?limit=100', tokenB)).includes(id), 20000, 'the reassignment');
    });

    it('no token, a forged one and a revoked credential’s: 401; staff: 403', async () => {
      const routes: [string, string, unknown][] = [
        ['GET', '/repairs', undefined],
        ['GET', `/repairs/${job}`, undefined],
        ['POST', `/repairs/${job}/status`, { to: 'received' }],
        ['POST', `/repairs/${job}/interactions`, { channel: 'phone', direction: 'outbound', action: 'x' }],
        ['POST', `/repairs/${job}/shipments`, { leg: 'to-provider', state: 'delivered' }],
      ];
      const revoked = await credential(providerA);
      expect((await call('GET', `/repairs/${job}`, revoked.token)).status).toBe(200);
      expect((await call('DELETE', `/partners/${providerA}/credentials/${revoked.clientId}`, management)).status).toBe(204);
      const forged = `${tokenA.slice(0, -4)}${tokenA.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
      for (const [method, url, body] of routes) {
        problem(await call(method, url, undefined, body), 401);
        problem(await call(method, url, forged, body), 401);
        problem(await call(method, url, revoked.token, body), 401);
        problem(await call(method, url, serviceToken, body), 403);
        problem(await call(method, url, management, body), 403);
      }
      // Nothing of that was recorded.
      expect((await call('GET', `/repairs/${job}`, tokenA)).body).toMatchObject({
        status: 'assigned',
        interactions: [],
        legs: { 'to-company': expect.anything() },
      });
    });
  });

  describe('bad input: 4xx problem+json naming the field, never 5xx', () => {
    it('path ids, query values', async () => {
      for (const url of ['/repairs/not-a-uuid', '/repairs/%00']) problem(await call('GET', url, tokenA), 400, 'id');
      for (const [method, url] of [
        ['POST', '/repairs/not-a-uuid/status'],
        ['POST', '/repairs/not-a-uuid/interactions'],
        ['POST', '/repairs/not-a-uuid/shipments'],
      ])
        problem(
          await call(method, url, tokenA, { to: 'received', channel: 'phone', direction: 'outbound', action: 'x', leg: 'to-provider', state: 'delivered' }),
          400,
          'id',
        );
      problem(await call('GET', '/repairs?status=bogus', tokenA), 400, 'status');
      problem(await call('GET', '/repairs?status=received,', tokenA), 400, 'status');
      problem(await call('GET', '/repairs?open=maybe', tokenA), 400, 'open');
      problem(await call('GET', '/repairs?limit=abc', tokenA), 400, 'limit');
      problem(await call('GET', '/repairs?limit=1000', tokenA), 400, 'limit');
      problem(await call('GET', '/repairs?status=received&status=repaired', tokenA), 400, 'status');
    });

    it('bodies: unknown enum values, wrong types, NUL, lone surrogates, nested arrays, deep JSON, text/plain, a staff actor', async () => {
      const post = (route: string, body: unknown, headers: Record<string, string> = {}) => call('POST', `/repairs/${job}/${route}`, tokenA, body, headers);
      problem(await post('status', { to: 'fixed' }), 400, 'to');
      problem(await post('status', { to: 42 }), 400, 'to');
      problem(await post('status', { to: 'received', note: 'a\u0000b' }), 400, 'note');
      problem(await post('status', '{"to":"received","note":"\\ud800"}'), 400, 'note');
      problem(await post('status', { to: 'received', note: '' }), 400, 'note');
      problem(await post('shipments', { leg: 'to-moon', state: 'delivered' }), 400, 'leg');
      problem(await post('shipments', { leg: 'to-provider', state: 'teleported' }), 400, 'state');
      problem(await post('shipments', { leg: 'to-provider', state: 'delivered', carrier: 'J\u0000NE' }), 400, 'carrier');
      problem(await post('shipments', { leg: 'to-provider', state: 'delivered', trackingNumber: ['x'] }), 400, 'trackingNumber');
      problem(await post('shipments', { leg: 'to-provider', state: 'delivered', carrier: 'x'.repeat(101) }), 400, 'carrier');
      problem(await post('interactions', { channel: 'pigeon', direction: 'outbound', action: 'x' }), 400, 'channel');
      problem(await post('interactions', { channel: 'phone', direction: 'outbound', action: 'x\u0000' }), 400, 'action');
      problem(await post('interactions', '{"channel":"phone","direction":"outbound","action":"\\udc00"}'), 400, 'action');
      problem(await post('interactions', { channel: 'phone', direction: 'outbound', action: 'x', actorKind: 'staff', actorId: 'budi' }), 400, 'actorKind');
      problem(await post('interactions', { channel: 'phone', direction: 'outbound', action: 'x', occurredAt: '-2026-03-01' }), 400, 'occurredAt');
      for (const route of ['status', 'interactions', 'shipments']) {
        problem(await post(route, [[{ to: 'received' }]]), 400);
        problem(await post(route, { to: [['received']], leg: [['to-provider']], channel: [['phone']] }), 400);
        problem(await post(route, '{"x":'.repeat(2000) + '1' + '}'.repeat(2000)), 400);
        problem(await post(route, 'to=received', { 'content-type': 'text/plain' }), 415);
      }
      problem(await post('status', { to: 'received' }, { 'if-match': 'garbage' }), 400);
      // Nothing of that was recorded, and the service is well.
      expect((await call('GET', `/repairs/${job}`, tokenA)).body).toMatchObject({ status: 'assigned', interactions: [] });
      expect((await fetch(`${base}/health/ready`)).status).toBe(200);
    });
  });

  it('documents every repair route with its answer schema, errors and examples', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema?: unknown }> }>; requestBody?: unknown }>>;
    };
    const codes = (p: string, m: string) => Object.keys(doc.paths[p][m].responses).sort();
    expect(codes('/repairs', 'get')).toEqual(['200', '400', '401', '403']);
    expect(codes('/repairs/{id}', 'get')).toEqual(['200', '400', '401', '403', '404']);
    for (const route of ['status', 'shipments'])
      expect(codes(`/repairs/{id}/${route}`, 'post')).toEqual(['200', '400', '401', '403', '404', '409', '412', '415', '422']);
    expect(codes('/repairs/{id}/interactions', 'post')).toEqual(['201', '400', '401', '403', '404', '409', '412', '415', '422']);
    expect(doc.paths['/repairs/{id}'].get.responses['200'].content?.['application/json'].schema).toEqual({ $ref: '#/components/schemas/RepairJobDto' });
    expect(JSON.stringify(doc.paths['/repairs/{id}/shipments'].post.requestBody)).toContain('JNE-0001234567');
  });

  // Last: it stops the read models for good.
  describe('with the read models frozen (a lagging projection)', () => {
    it('a job reassigned away is neither listed to nor readable by its former provider, while the read model still says it is theirs', async () => {
      const id = await returnAssignedTo(providerA, 'SN-F');
      await waitFor(async () => ids(await call('GET', '/repairs?limit=100', tokenA)).includes(id), 20000, 'the job');
      const readModels = app.app.get<symbol, ReadModelRunners>(READ_MODELS);
      await readModels.stop();
      await assign(id, providerB);
      // The read model has not seen the reassignment, and never will now…
      const rows = await listRepairJobs(readModels.dataSource.manager, { partnerId: providerA, limit: 100 });
      expect(rows.items.map((i) => i.episodeId)).toContain(id);
      // …yet the former provider is refused at once: the list is re-checked against each return.
      expect(ids(await call('GET', '/repairs?limit=100', tokenA))).not.toContain(id);
      problem(await call('GET', `/repairs/${id}`, tokenA), 404);
      // Its other jobs stay listed.
      expect(ids(await call('GET', '/repairs?limit=100', tokenA))).toContain(job);
    });
  });
});
