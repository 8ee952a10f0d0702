import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '@crm/config';
import { crmRegistry } from '@crm/contracts';
import { waitFor } from '@crm/event-store/testing';
import { TestClock } from '@crm/kernel';
import { createPlatform, type Platform } from '@crm/platform';
import { createRelationshipCommands, READ_MODELS, type ReadModelRunners, type RelationshipCommands } from '@crm/relationship-api';
import { customerExists, partnerMayRead } from '@crm/relationship-read-models';
import { TokenMint, type ServiceApp, type StaffPrincipal } from '@crm/service-kit';
import { createPartnerPortalApp, PartnerPortalConfig } from '../partner-portal';
import { PartnerAccessLog } from './partner-access-log.service';

type Json = Record<string, unknown>;
interface Reply {
  status: number;
  type: string;
  body: Json;
}
interface Entry {
  at: string;
  partnerId: string;
  principal: string;
  partnerUser: string | null;
  customerId: string | null;
  resourceId: string | null;
  route: string;
  status: number;
  correlationId: string;
}

// The partner access log (issue 14 §1) on the embedded portal, on a test clock: which partner read
// which customer, when; refused reads too; who may ask; filters, paging and bad input; retention.
describe('partner access log (embedded)', () => {
  const clock = new TestClock('2026-06-01T09:00:00.000Z');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-partner-access-log-'));
  let platform: Platform;
  let app: ServiceApp;
  let base = '';
  let mint: TokenMint;
  let commands: RelationshipCommands;
  let management = '';
  let log: PartnerAccessLog;

  const alice: StaffPrincipal = { kind: 'staff', subject: 'alice', department: 'sales', roles: ['agent'] };

  const call = async (method: string, url: string, token: string | undefined, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> => {
    const r = await fetch(`${base}${url}`, {
      method,
      headers: { ...headers, ...(token && { authorization: `Bearer ${token}` }), ...(body !== undefined && { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, type: r.headers.get('content-type') ?? '', body: (text ? JSON.parse(text) : {}) as Json };
  };
  const entries = (r: Reply) => (r.body.items ?? []) as Entry[];
  const fields = (r: Reply) => ((r.body.errors ?? []) as { field: string }[]).map((e) => e.field);
  const exchange = async (credential: { clientId: string; clientSecret: string }) => {
    const r = await call('POST', '/auth/token', undefined, credential);
    expect(r.status).toBe(200);
    return String(r.body.access_token);
  };
  /** The clock moves on a second before each read, so each read has its own time. */
  const read = async (url: string, token: string, headers: Record<string, string> = {}) => {
    clock.advance(1000);
    return call('GET', url, token, undefined, headers);
  };

  // Partners A and B; customer X shared with A, Y with both, Z with nobody.
  let partnerA = '';
  let partnerB = '';
  let credentialA = { clientId: '', clientSecret: '' };
  let credentialB = { clientId: '', clientSecret: '' };
  let tokenA = '';
  let tokenB = '';
  let customerX = '';
  let customerY = '';
  let customerZ = '';

  beforeAll(async () => {
    // The log's tick runs only when a test calls it: nothing is timed by the wall clock.
    const config = loadConfig(PartnerPortalConfig, { CRM_DATA_DIR: dataDir, CRM_PARTNER_ACCESS_LOG_INTERVAL_MS: '0' });
    platform = await createPlatform(config, { registry: crmRegistry(), clientId: 'test' });
    app = await createPartnerPortalApp(config, platform, { embedded: true, clock });
    base = await app.listen(0);
    mint = app.app.get(TokenMint);
    log = app.app.get(PartnerAccessLog);
    commands = createRelationshipCommands(platform.eventStore);
    management = await mint.mint({ kind: 'staff', subject: 'maria', department: 'management', roles: ['admin'] });

    const registerPartner = async (name: string, partnerKind: string) =>
      String((await call('POST', '/partners', management, { name, partnerKind })).body.partnerId);
    const issue = async (partnerId: string) => {
      const r = await call('POST', `/partners/${partnerId}/credentials`, management);
      return { clientId: String(r.body.clientId), clientSecret: String(r.body.clientSecret) };
    };
    partnerA = await registerPartner('Distributor A', 'distributor');
    partnerB = await registerPartner('Reseller B', 'reseller');
    credentialA = await issue(partnerA);
    credentialB = await issue(partnerB);
    tokenA = await exchange(credentialA);
    tokenB = await exchange(credentialB);
    customerX = (await commands.customers.register(alice, { kind: 'organisation', name: 'PT Xenon' })).id;
    customerY = (await commands.customers.register(alice, { kind: 'organisation', name: 'PT Yudha' })).id;
    customerZ = (await commands.customers.register(alice, { kind: 'organisation', name: 'PT Zamrud' })).id;
    for (const [partner, customer] of [
      [partnerA, customerX],
      [partnerA, customerY],
      [partnerB, customerY],
    ]) {
      expect((await call('POST', `/partners/${partner}/shares`, management, { customerId: customer })).status).toBe(201);
    }
    // Waiting reads the read model, not the portal's routes: the log stays empty until the tests read.
    const manager = app.app.get<ReadModelRunners>(READ_MODELS).dataSource.manager;
    await waitFor(
      async () =>
        (await partnerMayRead(manager, partnerA, customerX)) &&
        (await partnerMayRead(manager, partnerA, customerY)) &&
        (await partnerMayRead(manager, partnerB, customerY)) &&
        (await customerExists(manager, customerX)) &&
        (await customerExists(manager, customerY)),
      20000,
      'the shares to reach the read models',
    );
  });

  afterAll(async () => {
    await app?.close();
    await platform?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("records partner A's read (200) and probe (404), its list and timeline reads, and keeps B's reads out of A's log", async () => {
    expect((await read(`/customers/${customerX}`, tokenA, { 'x-correlation-id': 'corr-read-x' })).status).toBe(200);
    expect((await read(`/customers/${customerZ}`, tokenA, { 'x-correlation-id': 'corr-probe-z' })).status).toBe(404);
    expect((await read(`/customers/${customerX}/timeline`, tokenA)).status).toBe(200);
    const list = await read('/customers', tokenA);
    expect(list.status).toBe(200);
    expect(((list.body.items ?? []) as { customerId: string }[]).map((i) => i.customerId).sort()).toEqual([customerX, customerY].sort());
    expect((await read(`/customers/${customerY}`, tokenB)).status).toBe(200);
    expect((await read(`/customers/${customerX}`, tokenB)).status).toBe(404);

    const r = await call('GET', `/partners/${partnerA}/access-log`, management);
    expect(r.status).toBe(200);
    const items = entries(r);
    // Newest first: the list (one entry per customer it showed), the timeline, the probe, the read.
    expect(items.map((e) => [e.route, e.customerId, e.status])).toEqual([
      // the list showed X then Y (by name): written in that order, so Y is the newer entry
      ['GET /customers', customerY, 200],
      ['GET /customers', customerX, 200],
      ['GET /customers/{id}/timeline', customerX, 200],
      ['GET /customers/{id}', customerZ, 404],
      ['GET /customers/{id}', customerX, 200],
    ]);
    const [probe, first] = items.slice(-2);
    expect(first).toEqual({
      at: '2026-06-01T09:00:01.000Z',
      partnerId: partnerA,
      principal: credentialA.clientId,
      partnerUser: null,
      customerId: customerX,
      resourceId: customerX,
      route: 'GET /customers/{id}',
      status: 200,
      correlationId: 'corr-read-x',
    });
    expect(probe).toMatchObject({ customerId: customerZ, status: 404, correlationId: 'corr-probe-z', at: '2026-06-01T09:00:02.000Z' });
    // A read without a correlation id gets one; a list names no single resource.
    expect(items[0].correlationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(items[0].resourceId).toBeNull();
    expect(items.every((e) => e.partnerId === partnerA && e.principal === credentialA.clientId)).toBe(true);

    const ofB = entries(await call('GET', `/partners/${partnerB}/access-log`, management));
    expect(ofB.map((e) => [e.customerId, e.status])).toEqual([
      [customerX, 404],
      [customerY, 200],
    ]);
  });

  it('answers by customer across partners, by time, and page by page with a cursor', async () => {
    const ofY = entries(await call('GET', `/partner-access-log?customerId=${customerY}`, management));
    expect(ofY.map((e) => [e.partnerId, e.route])).toEqual([
      [partnerB, 'GET /customers/{id}'],
      [partnerA, 'GET /customers'],
    ]);
    const ofXByA = entries(await call('GET', `/partners/${partnerA}/access-log?customerId=${customerX}`, management));
    expect(ofXByA.map((e) => e.route)).toEqual(['GET /customers', 'GET /customers/{id}/timeline', 'GET /customers/{id}']);
    // from inclusive, to exclusive: the probe (09:00:02) and the timeline (09:00:03).
    const window = entries(await call('GET', `/partners/${partnerA}/access-log?from=2026-06-01T09:00:02Z&to=2026-06-01T09:00:04Z`, management));
    expect(window.map((e) => e.route)).toEqual(['GET /customers/{id}/timeline', 'GET /customers/{id}']);
    expect(entries(await call('GET', `/partner-access-log?from=2026-06-02T00:00:00Z`, management))).toEqual([]);

    const all = entries(await call('GET', '/partner-access-log', management));
    expect(all).toHaveLength(7);
    const paged: Entry[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const r = await call('GET', `/partner-access-log?limit=2${cursor ? `&cursor=${cursor}` : ''}`, management);
      expect(r.status).toBe(200);
      paged.push(...entries(r));
      cursor = r.body.nextCursor as string | undefined;
      pages++;
    } while (cursor);
    expect(pages).toBe(4);
    expect(paged).toEqual(all);
  });

  it('the repair routes are recorded too: a probe of a job not assigned to the caller is a 404 naming no customer', async () => {
    const job = randomUUID();
    expect((await read(`/repairs/${job}`, tokenB)).status).toBe(404);
    expect((await read('/repairs', tokenB)).status).toBe(200); // nothing assigned: no customer shown, nothing recorded
    const [latest] = entries(await call('GET', `/partners/${partnerB}/access-log`, management));
    expect(latest).toMatchObject({ route: 'GET /repairs/{id}', status: 404, customerId: null, resourceId: job });
  });

  it('bad filters and cursors are 400 problems naming the field; an unknown partner is 404', async () => {
    const bad: [string, string][] = [
      ['/partner-access-log?cursor=bm90LWEtY3Vyc29y', 'cursor'],
      [`/partner-access-log?cursor=${Buffer.from(JSON.stringify(['repairs', '2026-06-01T09:00:00.000Z', 'x'])).toString('base64url')}`, 'cursor'],
      ['/partner-access-log?cursor=%00', 'cursor'],
      ['/partner-access-log?from=yesterday', 'from'],
      ['/partner-access-log?to=2026-13-01T00:00:00Z', 'to'],
      ['/partner-access-log?from=2026-06-02T00:00:00Z&to=2026-06-01T00:00:00Z', 'to'],
      ['/partner-access-log?customerId=not-a-uuid', 'customerId'],
      ['/partner-access-log?customerId=%00', 'customerId'],
      ['/partner-access-log?customerId=%ED%A0%80', 'customerId'],
      [`/partner-access-log?customerId[]=${customerX}&customerId[]=${customerY}`, 'customerId'],
      [`/partner-access-log?customerId[a]=${customerX}`, 'customerId'],
      ['/partner-access-log?limit=0', 'limit'],
      ['/partner-access-log?limit=201', 'limit'],
      ['/partner-access-log?limit=ten', 'limit'],
      [`/partners/not-an-id/access-log`, 'id'],
    ];
    for (const [url, field] of bad) {
      const r = await call('GET', url, management);
      expect([url, r.status, r.type.split(';')[0]]).toEqual([url, 400, 'application/problem+json']);
      // (a repeated or nested parameter is named as sent: `customerId[]`)
      expect(fields(r).some((f) => f === field || f.startsWith(`${field}[`))).toBe(true);
    }
    const unknown = await call('GET', `/partners/${randomUUID()}/access-log`, management);
    expect([unknown.status, unknown.type.split(';')[0]]).toEqual([404, 'application/problem+json']);
  });

  it('is for channel managers and administrators of management or sales: 401 without a token, 403 for partners and other staff', async () => {
    const routes = [`/partners/${partnerA}/access-log`, `/partner-access-log?customerId=${customerX}`];
    const channelManager = await mint.mint({ kind: 'staff', subject: 'rudi', department: 'sales', roles: ['channel-manager'] });
    const salesAgent = await mint.mint(alice);
    const serviceAdmin = await mint.mint({ kind: 'staff', subject: 'sari', department: 'service', roles: ['admin'] });
    const marketingManager = await mint.mint({ kind: 'staff', subject: 'tono', department: 'marketing', roles: ['channel-manager'] });
    for (const url of routes) {
      expect((await call('GET', url, undefined)).status).toBe(401);
      expect((await call('GET', url, tokenA)).status).toBe(403);
      expect((await call('GET', url, salesAgent)).status).toBe(403);
      expect((await call('GET', url, serviceAdmin)).status).toBe(403);
      expect((await call('GET', url, marketingManager)).status).toBe(403);
      expect((await call('GET', url, channelManager)).status).toBe(200);
    }
  });

  it('a log write that fails never fails the read: it is logged, counted and the entries dropped', async () => {
    const insert = jest.spyOn(log as unknown as { insert: () => Promise<void> }, 'insert').mockRejectedValueOnce(new Error('disk full'));
    try {
      expect((await read(`/customers/${customerY}`, tokenB)).status).toBe(200);
      expect(await log.tick()).toMatchObject({ written: 0 });
    } finally {
      insert.mockRestore();
    }
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/crm_partner_access_log_write_failures_total\{[^}]*\} 1\b/);
    // The next read is recorded again.
    expect((await read(`/customers/${customerY}`, tokenB)).status).toBe(200);
    expect((await log.tick()).written).toBe(1);
  });

  it('documents both routes with their page schema, errors and examples', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as {
      paths: Record<
        string,
        { get?: { responses: Record<string, { content?: Record<string, { schema?: Json; example?: unknown }> }>; parameters?: { name: string }[] } }
      >;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    };
    for (const route of ['/partners/{id}/access-log', '/partner-access-log']) {
      const get = doc.paths[route]?.get;
      expect(get).toBeDefined();
      const ok = get!.responses['200'].content?.['application/json'];
      expect(ok?.schema).toEqual({ $ref: '#/components/schemas/AccessLogPageDto' });
      expect(ok?.example).toBeDefined();
      for (const status of ['400', '401', '403']) expect(get!.responses[status].content?.['application/problem+json']?.example).toBeDefined();
      expect(get!.parameters?.map((p) => p.name)).toEqual(expect.arrayContaining(['customerId', 'from', 'to', 'limit', 'cursor']));
    }
    expect(doc.paths['/partners/{id}/access-log'].get!.responses['404']).toBeDefined();
    expect(Object.keys(doc.components.schemas.AccessLogEntryDto.properties ?? {})).toEqual(
      expect.arrayContaining(['at', 'partnerId', 'principal', 'partnerUser', 'customerId', 'resourceId', 'route', 'status', 'correlationId']),
    );
  });

  // Last: it moves the clock on by more than a year.
  it('keeps entries CRM_PARTNER_ACCESS_LOG_RETENTION_DAYS (400) days on the injected clock, pruned by the tick', async () => {
    const before = entries(await call('GET', '/partner-access-log?limit=200', management)).length;
    expect(before).toBeGreaterThan(0);
    clock.advance(399 * 86_400_000);
    // Tokens are an hour long: new ones on the new day.
    management = await mint.mint({ kind: 'staff', subject: 'maria', department: 'management', roles: ['admin'] });
    tokenA = await exchange(credentialA);
    expect((await read(`/customers/${customerX}`, tokenA)).status).toBe(200);
    const readAt = clock.now().toISOString();
    expect(await log.tick()).toEqual({ written: 1, pruned: 0 });
    clock.advance(2 * 86_400_000);
    management = await mint.mint({ kind: 'staff', subject: 'maria', department: 'management', roles: ['admin'] });
    expect(await log.tick()).toEqual({ written: 0, pruned: before });
    const left = entries(await call('GET', '/partner-access-log?limit=200', management));
    expect(left.map((e) => [e.partnerId, e.customerId, e.at])).toEqual([[partnerA, customerX, readAt]]);
    // Within the hour it does not prune again.
    expect((await log.tick()).pruned).toBe(0);
  });
});
