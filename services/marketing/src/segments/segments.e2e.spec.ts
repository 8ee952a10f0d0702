import { randomUUID } from 'node:crypto';
import { waitFor } from '@crm/event-store/testing';
import { TestClock } from '@crm/kernel';
import type { Platform } from '@crm/platform';
import { createRelationshipCommands, metadataFor, type RelationshipCommands } from '@crm/relationship-api';
import type { Principal, ServiceApp } from '@crm/service-kit';
import { httpCaller } from '@crm/service-kit/testing';
import { CALLERS, mintTokens, startMarketing } from '../testing/marketing-under-test';
import { SegmentMembershipService } from './segment-membership.processor';
import { SegmentAudience } from './segments';

const DAY = 86_400_000;

// Segments over HTTP (issue 13 §2), on the embedded platform and a test clock: define, preview,
// revise, archive, members now and as of an instant, and the processor's entered / left events.
describe('segment routes (embedded)', () => {
  const clock = new TestClock('2026-05-01T10:00:00.000Z');
  let platform: Platform;
  let app: ServiceApp;
  let base = '';
  let stop: (() => Promise<void>) | undefined;
  let commands: RelationshipCommands;
  const tokens: Record<string, string> = {};
  const marketer: Principal = { kind: 'staff', subject: 'mira', department: 'marketing', roles: [] };
  const seller = { kind: 'staff' as const, subject: 'sari', department: 'sales' as const, roles: [] };
  const customers: Record<string, string> = {};

  beforeAll(async () => {
    ({ platform, app, base, stop } = await startMarketing('segments', clock, {
      CRM_SEGMENT_PROCESSOR_INTERVAL_MS: '3600000',
      CRM_SEGMENT_REEVALUATE_MS: '1000',
    }));
    const boss: Principal = { kind: 'staff', subject: 'boss', department: 'management', roles: ['admin'] };
    Object.assign(tokens, await mintTokens(app, { marketing: marketer, management: boss, sales: seller, partner: CALLERS.partner }));
    commands = createRelationshipCommands(platform.eventStore, { clock });
    customers.ana = (await commands.customers.register(marketer, { kind: 'person', name: 'Ana Vip', tags: ['vip'] })).id;
    customers.budi = (await commands.customers.register(marketer, { kind: 'person', name: 'Budi Vip', tags: ['vip'] })).id;
    customers.citra = (await commands.customers.register(marketer, { kind: 'organisation', name: 'Citra Plain' })).id;
    await commands.orders.place(seller, { customerId: customers.ana, currency: 'EUR', lines: [{ productId: 'VAN-L2', quantity: 1, unitPrice: 2_500_000 }] });
    await commands.orders.place(seller, { customerId: customers.citra, currency: 'EUR', lines: [{ productId: 'VAN-L2', quantity: 1, unitPrice: 2_500_000 }] });
  });
  afterAll(async () => {
    await stop?.();
  });

  const call = httpCaller(
    () => base,
    () => tokens.marketing,
  );
  const fields = (body: Record<string, unknown>) => [...new Set(((body.errors ?? []) as { field: string }[]).map((e) => e.field))];
  const vipVanBuyers = { all: [{ tags: { contains: 'vip' } }, { purchased: { productId: 'VAN-L2', window: { lastDays: 30 } } }] };
  const tick = () => app.app.get(SegmentMembershipService).loop.tick();
  const preview = async (rule: unknown) =>
    (await call('POST', '/segments/preview', { rule })).body as { count: number; sample: { customerId: string; name: string }[] };
  const members = async (segmentId: string, query = '') =>
    ((await call('GET', `/segments/${segmentId}/members${query}`)).body.items as { customerId: string }[]).map((m) => m.customerId);
  const membership = (segmentId: string, customerId: string) => platform.eventStore.readStream(`segmentmembership-${segmentId}-${customerId}`);
  let segmentId: string;
  let enteredAt: string;

  it('previews the live count and a sample while editing', async () => {
    await waitFor(async () => (await preview(vipVanBuyers)).count === 1, 20000, 'the facts of the orders');
    expect(await preview(vipVanBuyers)).toEqual({ count: 1, sample: [{ customerId: customers.ana, name: 'Ana Vip' }], asOf: clock.now().toISOString() });
    expect((await preview({ purchased: { productId: 'VAN-L2' } })).count).toBe(2);
    expect((await preview({ not: { purchased: {} } })).sample).toEqual([{ customerId: customers.budi, name: 'Budi Vip' }]);
  });

  it('targets churn risk: the band analytics records (CustomerChurnRiskChanged) becomes a fact; a customer never assessed is in no band', async () => {
    const analyst: Principal = { kind: 'staff', subject: 'analytics-valuation', department: 'analytics', roles: [] };
    const assessed = (customerId: string, band: string, probability: number) => {
      const metadata = metadataFor(analyst, clock, { departments: '*', partners: [] });
      return {
        id: randomUUID(),
        type: 'CustomerChurnRiskChanged',
        data: { customerId, band, probability, modelVersion: 1, horizonDays: 90, assessedAt: clock.now().toISOString() },
        metadata: { ...metadata, causationId: metadata.correlationId },
      };
    };
    await platform.eventStore.appendToStream(`churnrisk-${customers.citra}`, [assessed(customers.citra, 'high', 0.71)]);
    await platform.eventStore.appendToStream(`churnrisk-${customers.ana}`, [assessed(customers.ana, 'low', 0.08)]);
    // Two appends, applied one after the other: wait for both bands before reading either.
    await waitFor(async () => (await preview({ churnRisk: { in: ['low', 'medium', 'high'] } })).count === 2, 20000, 'both churn-risk bands in the facts');
    expect((await preview({ churnRisk: { in: ['high'] } })).sample).toEqual([{ customerId: customers.citra, name: 'Citra Plain' }]);
    expect((await preview({ churnRisk: { in: ['low', 'medium', 'high'] } })).count).toBe(2);
    expect((await preview({ not: { churnRisk: { in: ['low'] } } })).sample.map((c) => c.customerId).sort()).toEqual([customers.budi, customers.citra].sort());
    const bad = await call('POST', '/segments/preview', { rule: { churnRisk: { in: ['severe'] } } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('rule.churnRisk.in[0]');
  });

  it('defines a segment (201, Location, ETag); its members enter as the processor evaluates it, with SegmentEntered', async () => {
    const defined = await call('POST', '/segments', { name: 'VIP van buyers', rule: vipVanBuyers });
    expect(defined.status).toBe(201);
    expect(defined.etag).toBe('"0"');
    segmentId = defined.body.segmentId as string;
    expect(defined.location).toBe(`/segments/${segmentId}`);
    expect(defined.body).toMatchObject({ name: 'VIP van buyers', rule: vipVanBuyers, segmentRevision: 1, status: 'active', definedBy: 'mira' });
    const got = await call('GET', `/segments/${segmentId}`);
    expect(got.status).toBe(200);
    expect(got.etag).toBe('"0"');

    await waitFor(async () => ((await call('GET', '/segments')).body.items as unknown[]).length === 1, 20000, 'the segment in the list');
    clock.advance(60_000);
    enteredAt = clock.now().toISOString();
    expect(await tick()).toMatchObject({ entered: 1, left: 0, segmentsEvaluated: 1 });
    expect(await membership(segmentId, customers.ana)).toEqual([
      expect.objectContaining({
        type: 'SegmentEntered',
        data: { segmentId, customerId: customers.ana, segmentRevision: 1, at: enteredAt, reason: 'rule-matches' },
      }),
    ]);
    await waitFor(async () => (await members(segmentId)).length === 1, 20000, 'the member in the read model');
    expect((await call('GET', `/segments/${segmentId}/members`)).body).toEqual({
      segmentId,
      items: [{ customerId: customers.ana, name: 'Ana Vip', since: enteredAt, segmentRevision: 1 }],
      nextCursor: null,
    });
    // Nothing changed: another tick records nothing (never two Entered in a row).
    expect(await tick()).toMatchObject({ entered: 0, left: 0 });
    expect(await membership(segmentId, customers.ana)).toHaveLength(1);
    expect(await app.app.get(SegmentAudience).membersOf(segmentId)).toEqual([customers.ana]);
  });

  it('a customer whose facts change is re-evaluated: a purchase makes Budi enter', async () => {
    clock.advance(DAY);
    await commands.orders.place(seller, { customerId: customers.budi, currency: 'EUR', lines: [{ productId: 'VAN-L2', quantity: 1, unitPrice: 100 }] });
    await waitFor(async () => (await preview(vipVanBuyers)).count === 2, 20000, 'the new order in the facts');
    const result = await tick();
    expect(result).toMatchObject({ entered: 1, left: 0 });
    expect(result.customersChecked).toBeGreaterThanOrEqual(1);
    expect((await membership(segmentId, customers.budi)).map((e) => e.type)).toEqual(['SegmentEntered']);
    await waitFor(async () => (await members(segmentId)).length === 2, 20000, 'Budi in the read model');
    const [first, second] = [customers.ana, customers.budi].sort();
    const page1 = await call('GET', `/segments/${segmentId}/members?limit=1`);
    expect((page1.body.items as { customerId: string }[]).map((m) => m.customerId)).toEqual([first]);
    const page2 = await call('GET', `/segments/${segmentId}/members?limit=1&cursor=${String(page1.body.nextCursor)}`);
    expect((page2.body.items as { customerId: string }[]).map((m) => m.customerId)).toEqual([second]);
    expect(page2.body.nextCursor).toBeNull();
    expect(await app.app.get(SegmentAudience).membersOf(segmentId)).toEqual([first, second]);
  });

  it('time alone moves a window rule: 30 days on, both leave (SegmentLeft); members as of an earlier instant still show them', async () => {
    const before = clock.now().toISOString();
    clock.advance(31 * DAY);
    expect(await tick()).toMatchObject({ entered: 0, left: 2 });
    expect((await membership(segmentId, customers.ana)).map((e) => [e.type, (e.data as { reason: string }).reason])).toEqual([
      ['SegmentEntered', 'rule-matches'],
      ['SegmentLeft', 'rule-no-longer-matches'],
    ]);
    await waitFor(async () => (await members(segmentId)).length === 0, 20000, 'the stays closed in the read model');
    expect((await members(segmentId, `?asOf=${encodeURIComponent(before)}`)).sort()).toEqual([customers.ana, customers.budi].sort());
    const asOf = await call('GET', `/segments/${segmentId}/members?asOf=${encodeURIComponent(before)}`);
    expect(asOf.body.asOf).toBe(before);
    // before anyone entered
    expect(await members(segmentId, `?asOf=${encodeURIComponent(new Date(Date.parse(enteredAt) - 1).toISOString())}`)).toEqual([]);
  });

  it('revises with If-Match (required: 428 without, 412 stale before any rule); the new rule re-evaluates everyone', async () => {
    const revision = { name: 'VIPs', rule: { tags: { contains: 'vip' } } };
    const missing = await call('PUT', `/segments/${segmentId}`, revision);
    expect(missing.status).toBe(428);
    expect(missing.type).toContain('application/problem+json');
    const stale = await call('PUT', `/segments/${segmentId}`, { name: 'x', rule: { colour: 'red' } }, { 'if-match': '"7"' });
    expect(stale.status).toBe(412);
    const bad = await call('PUT', `/segments/${segmentId}`, { name: 'x', rule: { all: [{ colour: 'red' }] } }, { 'if-match': '"0"' });
    expect(bad.status).toBe(400);
    expect(fields(bad.body)).toEqual(['rule.all[0].colour']);
    const revised = await call('PUT', `/segments/${segmentId}`, revision, { 'if-match': '"0"' });
    expect(revised.status).toBe(200);
    expect(revised.etag).toBe('"1"');
    expect(revised.body).toMatchObject({ segmentRevision: 2, name: 'VIPs', rule: revision.rule });
    await waitFor(
      async () => ((await call('GET', '/segments')).body.items as { segmentRevision: number }[])[0].segmentRevision === 2,
      20000,
      'the revision listed',
    );
    clock.advance(60_000);
    expect(await tick()).toMatchObject({ entered: 2, segmentsEvaluated: 1 });
    const [, , again] = await membership(segmentId, customers.ana);
    expect(again).toMatchObject({ type: 'SegmentEntered', data: { segmentRevision: 2 } });
  });

  it('archives: members leave (segment-archived); archiving again records nothing; an archived segment is not revised (422)', async () => {
    await waitFor(async () => (await members(segmentId)).length === 2, 20000, 'the members re-entered');
    const archived = await call('POST', `/segments/${segmentId}/archive`);
    expect(archived.status).toBe(200);
    expect(archived.body).toMatchObject({ status: 'archived', archivedAt: clock.now().toISOString() });
    expect((await call('POST', `/segments/${segmentId}/archive`)).etag).toBe('"2"');
    await waitFor(async () => ((await call('GET', '/segments?status=archived')).body.items as unknown[]).length === 1, 20000, 'archived in the list');
    expect(await tick()).toMatchObject({ left: 2 });
    const events = await membership(segmentId, customers.budi);
    expect(events[events.length - 1]).toMatchObject({ type: 'SegmentLeft', data: { reason: 'segment-archived' } });
    const revise = await call('PUT', `/segments/${segmentId}`, { name: 'again', rule: { kind: 'person' } }, { 'if-match': '"2"' });
    expect(revise.status).toBe(422);
    expect(revise.body.code).toBe('segment-archived');
  });

  it('answers bad input with 400 problem+json naming the field, never 5xx', async () => {
    const define = (body: unknown) => call('POST', '/segments', body);
    const rule = async (r: unknown) => {
      const reply = await define({ name: 'x', rule: r });
      expect(reply.status).toBe(400);
      expect(reply.type).toContain('application/problem+json');
      return fields(reply.body);
    };
    expect(await rule({ colour: 'red' })).toEqual(['rule.colour']);
    expect(await rule({ purchased: { productId: 'X', window: { lastDays: 'thirty' } } })).toEqual(['rule.purchased.window.lastDays']);
    expect(await rule({ rfm: { r: { atLeast: 4 } } })).toEqual(['rule.rfm.r.atLeast']);
    expect(await rule({ any: [[{ kind: 'person' }]] })).toEqual(['rule.any[0]']);
    expect(await rule({ tags: { contains: 'v\u0000' } })).toEqual(expect.arrayContaining([expect.stringMatching(/tags\.contains/)]));
    expect(await rule({ tags: { contains: 'v\ud800' } })).toEqual(expect.arrayContaining([expect.stringMatching(/tags\.contains/)]));
    let deep: unknown = { kind: 'person' };
    for (let i = 0; i < 11; i++) deep = { not: deep };
    expect(await rule(deep)).toEqual([`rule${'.not'.repeat(10)}`]);
    let abyss: unknown = { kind: 'person' };
    for (let i = 0; i < 2000; i++) abyss = { not: abyss };
    const hostile = await define({ name: 'x', rule: abyss });
    expect(hostile.status).toBe(400);
    expect(hostile.type).toContain('application/problem+json');
    expect(fields((await define({ name: 'x', rule: [] })).body)).toEqual(['rule']);
    expect(fields((await define({ name: '', rule: { kind: 'person' } })).body)).toEqual(['name']);
    expect(fields((await define({ name: 7, rule: { kind: 'person' } })).body)).toEqual(['name']);
    expect((await call('POST', '/segments/preview', { rule: { kind: 'robot' } })).status).toBe(400);
    expect(fields((await call('POST', '/segments/preview', { rule: { kind: 'robot' } })).body)).toEqual(['rule.kind']);
    const text = await fetch(`${base}/segments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.marketing}`, 'content-type': 'text/plain' },
      body: 'everyone',
    });
    expect(text.status).toBe(415);

    expect(fields((await call('GET', '/segments?cursor=garbage')).body)).toEqual(['cursor']);
    expect(fields((await call('GET', '/segments?limit=abc')).body)).toEqual(['limit']);
    expect(fields((await call('GET', '/segments?status=deleted')).body)).toEqual(['status']);
    expect(fields((await call('GET', `/segments/${segmentId}/members?asOf=yesterday`)).body)).toEqual(['asOf']);
    expect(fields((await call('GET', `/segments/${segmentId}/members?cursor=${Buffer.from('["segments","x"]').toString('base64url')}`)).body)).toEqual([
      'cursor',
    ]);
    expect(fields((await call('GET', `/segments/${segmentId}/members?limit=0`)).body)).toEqual(['limit']);
    expect((await call('GET', '/segments/not-a-uuid')).status).toBe(400);
    const unknown = '7e0b5d3c-1f2a-4b6c-8d9e-0a1b2c3d4e5f';
    for (const [method, url, body] of [
      ['GET', `/segments/${unknown}`, undefined],
      ['GET', `/segments/${unknown}/members`, undefined],
      ['POST', `/segments/${unknown}/archive`, undefined],
      ['PUT', `/segments/${unknown}`, { name: 'x', rule: { kind: 'person' } }],
    ] as const) {
      const reply = await call(method, url, body, { 'if-match': '"0"' });
      expect(reply.status).toBe(404);
      expect(reply.type).toContain('application/problem+json');
    }
  });

  it('marketing and management only: other departments and partners 403, no token 401', async () => {
    const as = (who: string) => (method: string, url: string, body?: unknown) => call(method, url, body, {}, tokens[who]);
    expect((await as('management')('GET', '/segments')).status).toBe(200);
    expect((await as('management')('POST', '/segments/preview', { rule: { kind: 'person' } })).status).toBe(200);
    for (const [method, url, body] of [
      ['GET', '/segments', undefined],
      ['POST', '/segments', { name: 'x', rule: { kind: 'person' } }],
      ['POST', '/segments/preview', { rule: { kind: 'person' } }],
      ['GET', `/segments/${segmentId}`, undefined],
      ['PUT', `/segments/${segmentId}`, { name: 'x', rule: { kind: 'person' } }],
      ['POST', `/segments/${segmentId}/archive`, undefined],
      ['GET', `/segments/${segmentId}/members`, undefined],
    ] as const) {
      for (const who of ['sales', 'partner']) {
        const reply = await as(who)(method, url, body);
        expect({ who, url, status: reply.status }).toEqual({ who, url, status: 403 });
      }
      expect((await call(method, url, body, {}, 'not-a-token')).status).toBe(401);
    }
  });

  it('documents every route in OpenAPI with its answers and errors', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    expect(Object.keys(doc.paths['/segments'])).toEqual(expect.arrayContaining(['get', 'post']));
    expect(doc.paths['/segments'].post.responses).toEqual(
      expect.objectContaining({ '201': expect.anything(), '400': expect.anything(), '403': expect.anything() }),
    );
    expect(doc.paths['/segments/preview'].post.responses['200']).toBeDefined();
    expect(Object.keys(doc.paths['/segments/{id}'])).toEqual(expect.arrayContaining(['get', 'put']));
    expect(doc.paths['/segments/{id}'].put.responses).toEqual(
      expect.objectContaining({ '412': expect.anything(), '428': expect.anything(), '404': expect.anything() }),
    );
    expect(doc.paths['/segments/{id}/archive'].post.responses['200']).toBeDefined();
    expect(doc.paths['/segments/{id}/members'].get.responses['400']).toBeDefined();
  });

  // Last: it adds customers the earlier samples would otherwise see.
  it("a merge counts the duplicate's purchases for the survivor; the unmerge gives them back (SegmentEntered, then SegmentLeft)", async () => {
    const dedi = (await commands.customers.register(seller, { kind: 'person', name: 'Dedi Fleet' })).id;
    const dediToo = (await commands.customers.register(seller, { kind: 'person', name: 'Dedi F.' })).id;
    for (const customerId of [dedi, dediToo])
      await commands.orders.place(seller, { customerId, currency: 'EUR', lines: [{ productId: 'TRUCK-X', quantity: 1, unitPrice: 9_000_000 }] });
    const twoTrucks = { purchased: { productId: 'TRUCK-X', minCount: 2 } };
    await waitFor(async () => (await preview({ purchased: { productId: 'TRUCK-X' } })).count === 2, 20000, 'both orders in the facts');
    expect((await preview(twoTrucks)).count).toBe(0);
    const defined = await call('POST', '/segments', { name: 'Two trucks', rule: twoTrucks });
    expect(defined.status).toBe(201);
    const twoTrucksId = defined.body.segmentId as string;
    await waitFor(
      async () => ((await call('GET', '/segments')).body.items as { segmentId: string }[]).some((s) => s.segmentId === twoTrucksId),
      20000,
      'the segment in the list',
    );

    const { id: mergeId } = await commands.customers.merge(seller, dedi, dediToo);
    await waitFor(async () => (await preview(twoTrucks)).count === 1, 20000, 'the merge in the facts');
    expect((await preview(twoTrucks)).sample).toEqual([{ customerId: dedi, name: 'Dedi Fleet' }]);
    // The duplicate matches nothing while merged: one customer with both purchases.
    expect((await preview({ purchased: { productId: 'TRUCK-X' } })).count).toBe(1);
    clock.advance(60_000);
    expect(await tick()).toMatchObject({ entered: 1, left: 0 });
    expect((await membership(twoTrucksId, dedi)).map((e) => e.type)).toEqual(['SegmentEntered']);

    await commands.customers.unmerge(seller, dediToo, mergeId);
    await waitFor(async () => (await preview(twoTrucks)).count === 0, 20000, 'the unmerge in the facts');
    expect((await preview({ purchased: { productId: 'TRUCK-X' } })).sample.map((c) => c.customerId).sort()).toEqual([dedi, dediToo].sort());
    clock.advance(60_000);
    // Both customers were marked changed: the survivor leaves, the duplicate (one purchase) does not enter.
    expect(await tick()).toMatchObject({ entered: 0, left: 1 });
    expect((await membership(twoTrucksId, dedi)).map((e) => e.type)).toEqual(['SegmentEntered', 'SegmentLeft']);
    expect(await membership(twoTrucksId, dediToo)).toEqual([]);
  });
});
