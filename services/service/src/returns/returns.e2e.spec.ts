import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '@crm/config';
import { crmRegistry } from '@crm/contracts';
import { CommandHandler, type EventStore } from '@crm/event-store';
import { waitFor } from '@crm/event-store/testing';
import { TestClock } from '@crm/kernel';
import { createPlatform, type Platform } from '@crm/platform';
import { episodeStream, returnRepairDecider } from '@crm/relationship';
import { createRelationshipCommands, READ_MODELS, WRITE_STORE, type ReadModelRunners, type RelationshipCommands } from '@crm/relationship-api';
import { OrderListEntry } from '@crm/relationship-read-models';
import { TokenMint, type Principal, type ServiceApp } from '@crm/service-kit';
import { httpCaller } from '@crm/service-kit/testing';
import { createCustomerServiceApp, CustomerServiceConfig } from '../service';
import { CaseFollowsReturnService } from './case-follows-return.service';
import type { CaseFollowsReturn } from './case-follows-return.process';
import { ReturnCaseFollowUp, ReturnListEntry } from './return-list.entities';

type Body = Record<string, unknown>;

// Returns and repairs (issue 12 §5), the service department's side, over HTTP on the embedded
// platform, on a test clock: the case-follows-return process ticks only when the test says so.
describe('returns and repairs (service, embedded)', () => {
  const clock = new TestClock('2026-03-02T09:00:00.000Z');
  let dataDir: string;
  let platform: Platform;
  let app: ServiceApp;
  let base: string;
  let follower: CaseFollowsReturn;
  let commands: RelationshipCommands;
  let readModels: ReadModelRunners;
  let writeStore: EventStore;
  const tokens: Record<string, string> = {};
  const manager: Principal = { kind: 'staff', subject: 'maya', department: 'management', roles: [] };
  const seller: Principal = { kind: 'staff', subject: 'sari', department: 'sales', roles: [] };
  let customerId: string;
  let providerId: string;
  let resellerId: string;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-service-returns-'));
    const config = loadConfig(CustomerServiceConfig, {
      CRM_DATA_DIR: dataDir,
      CRM_SLA_TIMER_INTERVAL_MS: '3600000',
      CRM_RETURN_FOLLOW_INTERVAL_MS: '0',
      CRM_WARRANTY_MONTHS: '24',
    });
    platform = await createPlatform(config, { registry: crmRegistry(), clientId: 'test' });
    app = await createCustomerServiceApp(config, platform, { embedded: true, clock });
    base = await app.listen(0);
    follower = app.app.get(CaseFollowsReturnService).process;
    readModels = app.app.get(READ_MODELS);
    writeStore = app.app.get(WRITE_STORE);
    commands = createRelationshipCommands(writeStore, { clock });
    const mint = app.app.get(TokenMint);
    tokens.agent = await mint.mint({ kind: 'staff', subject: 'budi', department: 'service', roles: ['agent'] });
    tokens.seller = await mint.mint(seller);
    tokens.manager = await mint.mint(manager);
    providerId = (await commands.partners.register(manager as never, { name: 'Fix It', partnerKind: 'service-provider' })).id;
    resellerId = (await commands.partners.register(manager as never, { name: 'Shop', partnerKind: 'reseller' })).id;
    tokens.partner = await mint.mint({ kind: 'partner', subject: `${providerId}.bob`, partnerId: providerId, roles: [] });
    const registered = await call('POST', '/customers', { kind: 'person', name: 'Dewi Lestari', identities: [{ kind: 'phone', value: '+62 812 555 0199' }] });
    expect(registered.status).toBe(201);
    customerId = String(registered.body.customerId);
    // The phone bought a year ago (in warranty); sales' order, through the order commands.
    const order = await commands.orders.place(seller as never, {
      customerId,
      currency: 'EUR',
      orderDate: '2025-03-01',
      lines: [{ productId: 'phone-x1', quantity: 1, unitPrice: 49_900 }],
    });
    await waitFor(async () => (await readModels.dataSource.manager.getRepository(OrderListEntry).countBy({ orderId: order.id })) === 1, 20000);
  });
  afterAll(async () => {
    await app?.close();
    await platform?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const call = httpCaller(
    () => base,
    () => tokens.agent,
  );
  const as =
    (who: string) =>
    (method: string, url: string, body?: unknown, headers: Record<string, string> = {}) =>
      call(method, url, body, headers, tokens[who]);
  const raw = (method: string, url: string, body: string, contentType = 'application/json') =>
    fetch(`${base}${url}`, { method, headers: { authorization: `Bearer ${tokens.agent}`, 'content-type': contentType }, body });
  const fields = (body: Body) => ((body.errors as { field: string }[] | undefined) ?? []).map((e) => e.field);
  const openCase = async () => {
    const r = await call('POST', '/cases', { customerId, name: 'Phone will not charge', channel: 'phone' });
    expect(r.status).toBe(201);
    return String(r.body.episodeId);
  };
  const request = async (caseId: string, extra: Body = {}) => {
    const r = await call('POST', `/cases/${caseId}/returns`, { item: { productId: 'phone-x1', serialNumber: 'X1-00042' }, fault: 'does not charge', ...extra });
    expect(r.status).toBe(201);
    return { id: String(r.body.returnId), etag: String(r.etag), body: r.body, location: r.location };
  };
  /** A change with the ETag of the return as last read; answers the new ETag. */
  const change = async (id: string, etag: string, route: string, body: Body, who = 'agent') => {
    const r = await as(who)('POST', `/returns/${id}/${route}`, body, { 'if-match': etag });
    expect([route, r.status, r.body.code]).toEqual([route, 200, undefined]);
    return String(r.etag);
  };
  const listed = (query: string, ok: (items: Body[]) => boolean) =>
    waitFor(async () => ok((await call('GET', `/returns?${query}`)).body.items as Body[]), 20000);

  it('the whole cycle: requested from a case, authorised in warranty, shipped, repaired by the provider, delivered back — the return and the case resolved', async () => {
    const caseId = await openCase();
    const requested = await request(caseId, { channel: 'phone' });
    expect(requested.location).toBe(`/returns/${requested.id}`);
    expect(requested.etag).toBe('"1"');
    expect(requested.body).toMatchObject({
      status: 'requested',
      caseId,
      customerId,
      item: { productId: 'phone-x1', serialNumber: 'X1-00042' },
      fault: 'does not charge',
    });

    clock.set('2026-03-02T10:00:00.000Z');
    let etag = await change(requested.id, requested.etag, 'authorise', {});
    const authorised = (await call('GET', `/returns/${requested.id}`)).body;
    expect(authorised).toMatchObject({
      status: 'authorised',
      rmaNumber: `RMA-2026-${requested.id.slice(0, 8).toUpperCase()}`,
      warranty: { basis: 'in-warranty', warrantyEndsAt: '2027-03-01T00:00:00.000Z' },
    });
    etag = await change(requested.id, etag, 'shipments', { leg: 'to-company', state: 'in-transit', carrier: 'DHL', trackingNumber: 'JD1' });
    etag = await change(requested.id, etag, 'shipments', { leg: 'to-company', state: 'delivered' });
    etag = await change(requested.id, etag, 'repair', { partnerId: providerId });
    // The case follows: it waits on the provider (the reason names the RMA and the provider).
    await waitFor(async () => (await readModels.dataSource.manager.getRepository(ReturnCaseFollowUp).countBy({ returnId: requested.id })) === 1, 20000);
    expect(await follower.tick()).toMatchObject({ waiting: 1 });
    const waiting = (await call('GET', `/cases/${caseId}`)).body;
    expect(waiting.status).toBe('waiting-on-partner');
    expect((waiting.statusHistory as Body[]).at(-1)?.reason).toBe(`repair of ${String(authorised.rmaNumber)} with service provider ${providerId}`);
    // again: nothing more
    expect(await follower.tick()).toMatchObject({ looked: 0 });
    etag = await change(requested.id, etag, 'shipments', { leg: 'to-provider', state: 'delivered' });
    expect((await call('GET', `/returns/${requested.id}`)).body.status).toBe('at-provider');
    // The provider's report (its portal's routes are another part: here the decider through the write store, as the partner).
    await new CommandHandler(writeStore, returnRepairDecider).handle(
      episodeStream(requested.id),
      {
        type: 'ChangeRepairStatus',
        data: { to: 'repaired', note: 'new charging port', changedAt: clock.now().toISOString() },
        by: { kind: 'partner', partnerId: providerId, id: 'bob' },
      },
      { correlationId: randomUUID(), actor: { type: 'partner-user', id: 'bob' }, occurredAt: clock.now().toISOString() },
    );
    etag = String((await call('GET', `/returns/${requested.id}`)).etag);
    etag = await change(requested.id, etag, 'shipments', { leg: 'from-provider', state: 'delivered' });
    etag = await change(requested.id, etag, 'shipments', { leg: 'to-customer', state: 'in-transit' });
    await listed(`caseId=${caseId}`, (items) => items.length === 1 && items[0].status === 'returning');
    clock.set('2026-03-09T10:00:00.000Z');
    await change(requested.id, etag, 'shipments', { leg: 'to-customer', state: 'delivered' });
    const done = (await call('GET', `/returns/${requested.id}`)).body;
    expect(done).toMatchObject({ status: 'delivered', closed: { outcome: 'resolved' }, repair: { partnerId: providerId, status: 'repaired' } });
    // The case is resolved by the process, as `returns`, with the RMA in the reason.
    await waitFor(async () => (await readModels.dataSource.manager.getRepository(ReturnCaseFollowUp).countBy({ returnId: requested.id })) === 1, 20000);
    expect(await follower.tick()).toMatchObject({ resolved: 1 });
    const resolved = (await call('GET', `/cases/${caseId}`)).body;
    expect(resolved).toMatchObject({ status: 'resolved', resolution: { outcome: 'resolved', reason: expect.stringContaining(String(authorised.rmaNumber)) } });
    expect(resolved.returns).toEqual([{ returnId: requested.id, rmaNumber: authorised.rmaNumber, status: 'delivered' }]);
    const events = await platform.eventStore.readStream(episodeStream(caseId));
    expect(events.at(-1)).toMatchObject({ type: 'EpisodeClosed', metadata: { actor: { type: 'system', id: 'returns' } } });
    // The customer's timeline: the case and the return, linked, the return with its steps.
    await waitFor(async () => {
      const page = (await call('GET', `/customers/${customerId}/timeline?limit=200`)).body;
      const episodes = (page.episodes ?? []) as Body[];
      const ret = episodes.find((e) => e.episodeId === requested.id);
      return !!ret && ret.caseEpisodeId === caseId && !!episodes.find((e) => e.episodeId === caseId) && (ret.returnSteps as Body[]).length >= 9;
    }, 20000);
    // The list finds it by RMA, by provider, by status, closed.
    await listed(`rmaNumber=${String(authorised.rmaNumber)}&open=false&partnerId=${providerId}&status=delivered`, (items) => items.length === 1);
  });

  it('a case with two returns is resolved only when the last one is back', async () => {
    const caseId = await openCase();
    const a = await request(caseId);
    const b = await request(caseId);
    const finish = async (id: string, etag: string) => {
      let e = await change(id, etag, 'authorise', {});
      e = await change(id, e, 'shipments', { leg: 'to-company', state: 'delivered' });
      await change(id, e, 'shipments', { leg: 'to-customer', state: 'delivered' });
    };
    await finish(a.id, a.etag);
    await listed(`caseId=${caseId}&open=false`, (items) => items.length === 1);
    await follower.tick();
    expect((await call('GET', `/cases/${caseId}`)).body.status).toBe('new');
    await finish(b.id, b.etag);
    await listed(`caseId=${caseId}&open=false`, (items) => items.length === 2);
    expect(await follower.tick()).toMatchObject({ resolved: 1 });
    expect((await call('GET', `/cases/${caseId}`)).body.status).toBe('resolved');
  });

  it('deny, close, out of warranty, a reseller as provider, a stale If-Match: answered as problems', async () => {
    const caseId = await openCase();
    const denied = await request(caseId);
    await change(denied.id, denied.etag, 'deny', { reason: 'water damage' });
    expect((await call('GET', `/returns/${denied.id}`)).body).toMatchObject({ status: 'denied', closed: { outcome: 'unresolved' } });
    const other = await request(caseId, { item: { productId: 'tablet-never-bought', serialNumber: 'T-1' } });
    const outOf = await call('POST', `/returns/${other.id}/authorise`, {}, { 'if-match': other.etag });
    expect([outOf.status, outOf.body.code]).toEqual([422, 'out-of-warranty']);
    expect(outOf.type).toContain('application/problem+json');
    const stale = await call('POST', `/returns/${other.id}/authorise`, {}, { 'if-match': '"0"' });
    expect(stale.status).toBe(412);
    const etag = await change(other.id, other.etag, 'authorise', { outOfWarranty: 'paid' });
    const reseller = await call('POST', `/returns/${other.id}/repair`, { partnerId: resellerId }, { 'if-match': etag });
    expect([reseller.status, reseller.body.code]).toEqual([422, 'not-a-service-provider']);
    await change(other.id, etag, 'close', { outcome: 'unresolved', reason: 'the customer kept it' });
    expect((await call('GET', `/returns/${other.id}`)).body).toMatchObject({ status: 'closed', warranty: { basis: 'out-of-warranty' } });
    // unknown returns, and a case's id used as a return's (even with an If-Match), are missing
    expect((await call('GET', `/returns/${randomUUID()}`)).status).toBe(404);
    expect((await call('GET', `/returns/${caseId}`)).status).toBe(404);
    expect((await call('POST', `/returns/${randomUUID()}/deny`, { reason: 'x' })).status).toBe(404);
    expect((await call('POST', `/returns/${caseId}/close`, { outcome: 'cancelled', reason: 'x' }, { 'if-match': '"0"' })).status).toBe(404);
    expect((await call('POST', `/cases/${randomUUID()}/returns`, { item: { productId: 'p', serialNumber: 's' }, fault: 'f' })).status).toBe(404);
  });

  it('who may: unauthenticated 401; a partner 403; sales staff read but may not change (403)', async () => {
    const caseId = await openCase();
    const r = await request(caseId);
    expect((await call('GET', '/returns', undefined, {}, 'not-a-token')).status).toBe(401);
    expect((await fetch(`${base}/returns/${r.id}`)).status).toBe(401);
    for (const [method, url, body] of [
      ['GET', '/returns', undefined],
      ['GET', `/returns/${r.id}`, undefined],
      ['POST', `/cases/${caseId}/returns`, { item: { productId: 'p', serialNumber: 's' }, fault: 'f' }],
      ['POST', `/returns/${r.id}/authorise`, {}],
    ] as const) {
      const answer = await as('partner')(method, url, body);
      expect([method, url, answer.status]).toEqual([method, url, 403]);
    }
    expect((await as('seller')('GET', `/returns/${r.id}`)).status).toBe(200);
    expect((await as('seller')('GET', `/returns?caseId=${caseId}`)).status).toBe(200);
    for (const [url, body] of [
      [`/cases/${caseId}/returns`, { item: { productId: 'p', serialNumber: 's' }, fault: 'f' }],
      [`/returns/${r.id}/authorise`, {}],
      [`/returns/${r.id}/deny`, { reason: 'x' }],
      [`/returns/${r.id}/repair`, { partnerId: providerId }],
      [`/returns/${r.id}/shipments`, { leg: 'to-company', state: 'in-transit' }],
      [`/returns/${r.id}/close`, { outcome: 'cancelled', reason: 'x' }],
    ] as const) {
      const answer = await as('seller')('POST', url, body);
      expect([url, answer.status]).toEqual([url, 403]);
    }
    expect((await as('manager')('POST', `/returns/${r.id}/close`, { outcome: 'cancelled', reason: 'withdrawn' })).status).toBe(200);
  });

  it('bad input on every route: 400 problem+json naming the field, never 5xx; nothing stored', async () => {
    const caseId = await openCase();
    const r = await request(caseId);
    const item = { productId: 'p', serialNumber: 's' };
    const cases: [string, string, unknown, string][] = [
      ['POST', `/cases/${caseId}/returns`, { fault: 'f' }, 'item'],
      ['POST', `/cases/${caseId}/returns`, { item: [[]], fault: 'f' }, 'item'],
      ['POST', `/cases/${caseId}/returns`, { item: { productId: 'p' }, fault: 'f' }, 'item.serialNumber'],
      ['POST', `/cases/${caseId}/returns`, { item: { productId: ['p'], serialNumber: 's' }, fault: 'f' }, 'item.productId'],
      ['POST', `/cases/${caseId}/returns`, { item, fault: '' }, 'fault'],
      ['POST', `/cases/${caseId}/returns`, { item, fault: 'x'.repeat(2001) }, 'fault'],
      ['POST', `/cases/${caseId}/returns`, { item, fault: 'f', lineId: 'x'.repeat(21) }, 'lineId'],
      ['POST', `/cases/${caseId}/returns`, { item, fault: 'f', channel: 'pigeon' }, 'channel'],
      ['POST', `/cases/${caseId}/returns`, [[]], 'item'],
      ['POST', `/returns/${r.id}/authorise`, { outOfWarranty: 'free' }, 'outOfWarranty'],
      ['POST', `/returns/${r.id}/authorise`, { note: { text: 'x' } }, 'note'],
      ['POST', `/returns/${r.id}/deny`, {}, 'reason'],
      ['POST', `/returns/${r.id}/deny`, { reason: 'x'.repeat(501) }, 'reason'],
      ['POST', `/returns/${r.id}/repair`, { partnerId: 7 }, 'partnerId'],
      ['POST', `/returns/${r.id}/shipments`, { leg: 'to-moon', state: 'in-transit' }, 'leg'],
      ['POST', `/returns/${r.id}/shipments`, { leg: 'to-company', state: 'teleported' }, 'state'],
      ['POST', `/returns/${r.id}/shipments`, { leg: 'to-company', state: 'in-transit', carrier: [[]] }, 'carrier'],
      ['POST', `/returns/${r.id}/close`, { outcome: 'resolved', reason: 'x' }, 'outcome'],
      ['POST', `/returns/${r.id}/close`, { outcome: 'cancelled' }, 'reason'],
      ['GET', '/returns?status=lost-in-space', undefined, 'status'],
      ['GET', '/returns?open=maybe', undefined, 'open'],
      ['GET', '/returns?customerId=nope', undefined, 'customerId'],
      ['GET', '/returns?caseId=nope', undefined, 'caseId'],
      ['GET', '/returns?rmaNumber=123', undefined, 'rmaNumber'],
      ['GET', '/returns?sort=size', undefined, 'sort'],
      ['GET', '/returns?limit=0', undefined, 'limit'],
      ['GET', '/returns?limit=abc', undefined, 'limit'],
      ['GET', '/returns?cursor=!!!', undefined, 'cursor'],
      ['GET', '/returns?cursor=bm90LWEtY3Vyc29y', undefined, 'cursor'],
      ['GET', '/returns/not-a-uuid', undefined, 'id'],
      ['POST', '/cases/not-a-uuid/returns', { item, fault: 'f' }, 'id'],
      ['POST', '/returns/not-a-uuid/deny', { reason: 'x' }, 'id'],
    ];
    for (const [method, url, body, field] of cases) {
      const answer = await call(method, url, body);
      expect([method, url, answer.status]).toEqual([method, url, 400]);
      expect(answer.type).toContain('application/problem+json');
      expect([url, fields(answer.body)]).toEqual([url, expect.arrayContaining([field])]);
    }
    // NUL, lone surrogates, 2,000-deep JSON, a body that is not JSON, an If-Match that is no ETag
    const nul = await raw('POST', `/returns/${r.id}/deny`, '{"reason":"a\\u0000b"}');
    expect(nul.status).toBe(400);
    expect(fields((await nul.json()) as Body)).toContain('reason');
    const surrogate = await raw('POST', `/cases/${caseId}/returns`, '{"item":{"productId":"p","serialNumber":"\\ud800"},"fault":"f"}');
    expect(surrogate.status).toBe(400);
    expect(fields((await surrogate.json()) as Body)).toContain('item.serialNumber');
    const deep = await raw('POST', `/cases/${caseId}/returns`, '{"item":' + '['.repeat(2000) + ']'.repeat(2000) + ',"fault":"f"}');
    expect(deep.status).toBe(400);
    expect(deep.headers.get('content-type')).toContain('application/problem+json');
    const deepObject = await raw('POST', `/returns/${r.id}/authorise`, '{"note":' + '{"a":'.repeat(2000) + '1' + '}'.repeat(2000) + '}');
    expect(deepObject.status).toBe(400);
    expect((await raw('POST', `/returns/${r.id}/deny`, 'reason=x', 'text/plain')).status).toBe(415);
    expect((await raw('POST', `/returns/${r.id}/deny`, '{"reason":')).status).toBe(400);
    expect((await call('POST', `/returns/${r.id}/deny`, { reason: 'x' }, { 'if-match': 'yesterday' })).status).toBe(400);
    // nothing of it was stored
    expect((await call('GET', `/returns/${r.id}`)).body).toMatchObject({ status: 'requested', revision: '1' });
  });

  it('pages the list with a cursor in a stable order', async () => {
    const caseId = await openCase();
    for (let i = 0; i < 3; i++) await request(caseId);
    await listed(`caseId=${caseId}`, (items) => items.length === 3);
    const first = await call('GET', `/returns?caseId=${caseId}&limit=2&sort=requestedAt`);
    expect((first.body.items as Body[]).length).toBe(2);
    const second = await call('GET', `/returns?caseId=${caseId}&limit=2&sort=requestedAt&cursor=${String(first.body.nextCursor)}`);
    expect((second.body.items as Body[]).length).toBe(1);
    expect(second.body.nextCursor).toBeUndefined();
    const ids = [...(first.body.items as Body[]), ...(second.body.items as Body[])].map((i) => i.returnId);
    expect(new Set(ids).size).toBe(3);
    // a cursor of another sort is refused
    expect((await call('GET', `/returns?caseId=${caseId}&limit=2&sort=-requestedAt&cursor=${String(first.body.nextCursor)}`)).status).toBe(400);
    expect(await readModels.dataSource.manager.getRepository(ReturnListEntry).countBy({ caseId })).toBe(3);
  });

  it('documents every return route in OpenAPI with its answers', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema?: unknown }> }> }>>;
    };
    for (const [p, method, codes] of [
      ['/returns', 'get', ['200', '400', '403']],
      ['/returns/{id}', 'get', ['200', '400', '404']],
      ['/cases/{id}/returns', 'post', ['201', '400', '403', '404', '415', '422']],
      ['/returns/{id}/authorise', 'post', ['200', '400', '403', '404', '409', '412', '415', '422']],
      ['/returns/{id}/deny', 'post', ['200', '400', '404', '412', '422']],
      ['/returns/{id}/repair', 'post', ['200', '400', '404', '412', '422']],
      ['/returns/{id}/shipments', 'post', ['200', '400', '404', '412', '422']],
      ['/returns/{id}/close', 'post', ['200', '400', '404', '412', '422']],
    ] as const) {
      const op = doc.paths[p]?.[method];
      expect([p, method, Object.keys(op?.responses ?? {})]).toEqual([p, method, expect.arrayContaining([...codes])]);
      const ok = op!.responses[codes[0]].content?.['application/json']?.schema;
      expect([p, ok]).toEqual([p, expect.anything()]);
    }
  });
});
