import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '@crm/config';
import { crmRegistry } from '@crm/contracts';
import { valueTierStream } from '@crm/customer-value';
import { waitFor } from '@crm/event-store/testing';
import { TestClock } from '@crm/kernel';
import { createPlatform, type Platform } from '@crm/platform';
import { createRelationshipCommands, type RelationshipCommands } from '@crm/relationship-api';
import { TokenMint, type PartnerPrincipal, type ServiceApp, type StaffPrincipal } from '@crm/service-kit';
import { AnalyticsConfig, createAnalyticsApp } from './analytics';
import type { ClvModelView } from './value/get-clv-model/get-clv-model.controller';
import type { CustomerValueView } from './value/get-customer-value/get-customer-value.controller';
import type { RankingPage } from './value/rank-customers/rank-customers.controller';

// Lifetime value over HTTP on the embedded platform: orders placed in sales become purchase
// occasions, the models are fitted on them, and customers are valued, ranked and tiered. The
// numbers of the models themselves are tested in libs/domain/customer-value (and on CDNOW in
// value/cdnow-clv.int.spec.ts); here: the routes, their inputs, caching, tiers and their events.
describe('analytics: lifetime value and value tiers (embedded)', () => {
  let dataDir: string;
  let platform: Platform;
  let app: ServiceApp;
  let base: string;
  let token: string;
  let mint: TokenMint;
  let commands: RelationshipCommands;
  const clock = new TestClock('2026-11-01T12:00:00.000Z');
  const alice: StaffPrincipal = { kind: 'staff', subject: 'alice', department: 'sales', roles: [] };
  const pat: PartnerPrincipal = { kind: 'partner', subject: 'pat', partnerId: randomUUID(), roles: ['partner'] };
  const customers: string[] = [];
  let withoutPurchases: string;
  const CUSTOMERS = 30;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-analytics-value-'));
    const config = loadConfig(AnalyticsConfig, { CRM_DATA_DIR: dataDir, CRM_VALUE_TIERS: 'platinum:10,gold:20,silver:50' });
    platform = await createPlatform(config, { registry: crmRegistry(), clientId: 'test' });
    app = await createAnalyticsApp(config, platform, { embedded: true, clock });
    base = await app.listen(0);
    mint = app.app.get(TokenMint);
    token = await mint.mint({ kind: 'staff', subject: 'ana', department: 'analytics', roles: [] });
    commands = createRelationshipCommands(platform.eventStore);
    // 30 customers who first bought in January–April 2026; customer i buys again every 7 + i days
    // (even i) or 3 + i days (odd i), then stops after i % 6 repeat purchases: some still buying by
    // the autumn, some quiet since the spring.
    let orders = 0;
    for (let i = 0; i < CUSTOMERS; i++) {
      const id = (await commands.customers.register(alice, { kind: 'organisation', name: `Pembeli ${i}` })).id;
      customers.push(id);
      const first = Date.UTC(2026, 0, 1 + i * 3);
      const repeats = i % 6;
      for (let k = 0; k <= repeats; k++) {
        const day = new Date(first + k * (i % 2 === 0 ? 7 + i : 3 + i) * 86_400_000);
        await commands.orders.place(alice, {
          customerId: id,
          orderDate: day.toISOString(),
          currency: 'EUR',
          lines: [{ productId: 'beans', quantity: 1 + (i % 3), unitPrice: 1_000 + 250 * (i % 7) + 100 * k }],
        });
        orders++;
      }
    }
    withoutPurchases = (await commands.customers.register(alice, { kind: 'person', name: 'Belum Beli' })).id;
    await waitFor(
      async () => ((await call(`/customers/${withoutPurchases}/purchases`)).status === 200 ? true : false),
      20000,
      'the customers to reach analytics',
    );
    // Every order in analytics' read model before the models are fitted on it.
    await waitFor(
      async () => {
        let seen = 0;
        for (const id of customers) seen += ((await call(`/customers/${id}/purchases`)).body.orders as unknown[] | undefined)?.length ?? 0;
        return seen === orders;
      },
      30000,
      'the orders to reach analytics',
    );
  });
  afterAll(async () => {
    await app?.close();
    await platform?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const call = async (url: string, bearer: string | null = token) => {
    const r = await fetch(`${base}${url}`, { headers: bearer ? { authorization: `Bearer ${bearer}` } : {} });
    const text = await r.text();
    return { status: r.status, type: r.headers.get('content-type') ?? '', body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  };
  const expectProblem = async (url: string, status: number, field?: string) => {
    const r = await call(url);
    expect({ url, status: r.status }).toEqual({ url, status });
    expect(r.type).toContain('application/problem+json');
    if (field) expect((r.body.errors as { field: string }[]).map((e) => e.field)).toContain(field);
    return r;
  };

  it('GET /models/clv fits BG/NBD and Gamma-Gamma on the purchase occasions, and answers the cached fit for the same inputs', async () => {
    const r = await call('/models/clv?calibrationEnd=2026-10-31&unit=week');
    expect(r.status).toBe(200);
    const model = r.body as unknown as ClvModelView;
    expect(model).toMatchObject({
      customers: CUSTOMERS,
      repeaters: 25,
      unit: 'week',
      calibrationEnd: '2026-10-31',
      reportingCurrency: 'EUR',
      fittedAt: clock.now().toISOString(),
    });
    for (const v of [...Object.values(model.bgnbd), ...Object.values(model.gammaGamma)]) expect(v).toBeGreaterThan(0);
    expect(model.logLikelihood.bgnbd).toBeLessThan(0);

    clock.advance(60_000);
    const again = (await call('/models/clv?calibrationEnd=2026-10-31&unit=week')).body as unknown as ClvModelView;
    expect(again).toEqual(model); // same history, same inputs: the cached fit (fittedAt unchanged)
    const days = (await call('/models/clv?calibrationEnd=2026-10-31&unit=day')).body as unknown as ClvModelView;
    expect(days.fittedAt).not.toBe(model.fittedAt);
    // The same data in days: r unchanged, α scaled by 7.
    expect(days.bgnbd.r / model.bgnbd.r).toBeCloseTo(1, 3);
    expect(days.bgnbd.alpha / model.bgnbd.alpha / 7).toBeCloseTo(1, 3);
    // Before the first purchase there is nothing to fit: 422 naming the rule.
    const empty = await expectProblem('/models/clv?calibrationEnd=2025-06-30&unit=week', 422);
    expect(empty.body.code).toBe('clv-needs-purchase-history');
  });

  it('GET /customers/{id}/value answers expected purchases, P(alive), expected spend, CLV in minor units and the tier', async () => {
    const r = await call(`/customers/${customers[28]}/value`);
    expect(r.status).toBe(200);
    const v = r.body as unknown as CustomerValueView;
    expect(v).toMatchObject({
      customerId: customers[28],
      reportingCurrency: 'EUR',
      horizonMonths: 12,
      discountRate: 0.01,
      margin: 1,
      purchaseOccasions: 5,
      rankedCustomers: CUSTOMERS,
    });
    expect(v.model).toMatchObject({ calibrationEnd: '2026-11-01', unit: 'week' });
    expect(v.pAlive).toBeGreaterThan(0);
    expect(v.pAlive).toBeLessThanOrEqual(1);
    expect(v.expectedPurchases).toBeGreaterThan(0);
    expect(Number.isInteger(v.expectedSpend)).toBe(true);
    expect(Number.isInteger(v.clv)).toBe(true);
    expect(['platinum', 'gold', 'silver', 'bronze']).toContain(v.tier);

    const longer = (await call(`/customers/${customers[28]}/value?horizon=24`)).body as unknown as CustomerValueView;
    expect(longer.expectedPurchases!).toBeGreaterThan(v.expectedPurchases!);
    expect(longer.clv!).toBeGreaterThan(v.clv!);
    expect(longer.tier).toBe(v.tier); // the tier is by the default horizon whatever the query asks
    const half = (await call(`/customers/${customers[28]}/value?margin=0.5&discountRate=0`)).body as unknown as CustomerValueView;
    const undiscounted = (await call(`/customers/${customers[28]}/value?discountRate=0`)).body as unknown as CustomerValueView;
    expect(Math.abs(half.clv! - undiscounted.clv! / 2)).toBeLessThanOrEqual(1);
    expect(undiscounted.clv!).toBeGreaterThan(v.clv!);

    // A customer without purchases is known but has no prediction; a merged-away id would answer as its survivor.
    const none = (await call(`/customers/${withoutPurchases}/value`)).body as unknown as CustomerValueView;
    expect(none).toMatchObject({ purchaseOccasions: 0, expectedPurchases: null, pAlive: null, clv: null, tier: null, rank: null });
  });

  it('ranks the most valuable customers in pages, with tiers by the configured shares, and lists the valuable ones at risk', async () => {
    const first = (await call('/customers/ranking?limit=12')).body as unknown as RankingPage;
    expect(first.by).toBe('clv');
    expect(first.items).toHaveLength(12);
    const second = (await call(`/customers/ranking?limit=12&cursor=${first.nextCursor}`)).body as unknown as RankingPage;
    const third = (await call(`/customers/ranking?limit=12&cursor=${second.nextCursor}`)).body as unknown as RankingPage;
    expect(third.nextCursor).toBeNull();
    const all = [...first.items, ...second.items, ...third.items];
    expect(new Set(all.map((c) => c.customerId)).size).toBe(CUSTOMERS);
    expect(all.map((c) => c.rank)).toEqual(Array.from({ length: CUSTOMERS }, (_, i) => i + 1));
    for (let i = 1; i < all.length; i++) expect(all[i].clv).toBeLessThanOrEqual(all[i - 1].clv);
    // platinum:10,gold:20,silver:50 of 30 customers: ranks 1–3, 4–6, 7–15, 16–30.
    const tiers = all.map((c) => c.tier);
    expect(tiers.slice(0, 3)).toEqual(['platinum', 'platinum', 'platinum']);
    expect(tiers.slice(3, 6)).toEqual(['gold', 'gold', 'gold']);
    expect(new Set(tiers.slice(6, 15))).toEqual(new Set(['silver']));
    expect(new Set(tiers.slice(15))).toEqual(new Set(['bronze']));

    const byPAlive = (await call('/customers/ranking?by=pAlive&limit=100')).body as unknown as RankingPage;
    for (let i = 1; i < byPAlive.items.length; i++) expect(byPAlive.items[i].pAlive).toBeLessThanOrEqual(byPAlive.items[i - 1].pAlive);

    const atRisk = (await call('/customers/at-risk?maxPAlive=0.9&limit=100')).body as unknown as RankingPage;
    expect(atRisk.items.length).toBeGreaterThan(0);
    for (const c of atRisk.items) {
      expect(c.pAlive).toBeLessThan(0.9);
      expect(c.purchaseOccasions).toBeGreaterThan(1);
    }
    for (let i = 1; i < atRisk.items.length; i++) expect(atRisk.items[i].historicValue).toBeLessThanOrEqual(atRisk.items[i - 1].historicValue);
  });

  it('records CustomerValueTierChanged once per customer and tier: the same valuation asked again appends nothing', async () => {
    const ranking = (await call('/customers/ranking?limit=100')).body as unknown as RankingPage;
    for (const c of ranking.items) {
      const events = await platform.eventStore.readStream(valueTierStream(c.customerId));
      expect(events.map((e) => [e.type, (e.data as { tier: string }).tier])).toEqual([['CustomerValueTierChanged', c.tier]]);
      expect(events[0].data).toMatchObject({ customerId: c.customerId, clv: c.clv, rank: c.rank, customers: CUSTOMERS, reportingCurrency: 'EUR' });
      expect(events[0].data).not.toHaveProperty('previousTier');
    }
    await call(`/customers/${customers[0]}/value`);
    await call('/customers/ranking');
    for (const c of ranking.items) expect(await platform.eventStore.readStream(valueTierStream(c.customerId))).toHaveLength(1);
  });

  it('GET /customers/{id}/value?asOf: the value as the models said on that day, from the purchases dated up to it; a past valuation publishes no tier change', async () => {
    const now = (await call(`/customers/${customers[28]}/value`)).body as unknown as CustomerValueView; // the current valuation: its tier changes recorded
    const tierEvents = async () => Promise.all(customers.map(async (id) => (await platform.eventStore.readStream(valueTierStream(id))).length));
    const recorded = await tierEvents();
    // Customer 28 first bought on 26 March and then every 35 days (30 April, 4 June, 9 July, 13 August).
    const then = await call(`/customers/${customers[28]}/value?asOf=2026-05-01T10:00:00Z`);
    expect(then.status).toBe(200);
    const v = then.body as unknown as CustomerValueView;
    expect(v.model.calibrationEnd).toBe('2026-05-01');
    expect([v.purchaseOccasions, now.purchaseOccasions]).toEqual([2, 5]);
    expect(v.rankedCustomers).toBe(CUSTOMERS); // every customer had bought by the end of March
    expect(v.clv).not.toBe(now.clv);
    expect(['platinum', 'gold', 'silver', 'bronze']).toContain(v.tier);
    // The day of the asOf instant in UTC: 9:00 on 1 May at UTC+14 is still 30 April in UTC.
    expect(((await call(`/customers/${customers[28]}/value?asOf=2026-05-01T09:00:00%2B14:00`)).body as unknown as CustomerValueView).model.calibrationEnd).toBe(
      '2026-04-30',
    );
    expect(await tierEvents()).toEqual(recorded);
    // Today (or later) is the current valuation.
    const today = (await call(`/customers/${customers[28]}/value?asOf=${encodeURIComponent(clock.now().toISOString())}`)).body as unknown as CustomerValueView;
    expect(today).toEqual(now);
    // Before the first purchase the models cannot be fitted: the same 422 as the model's route.
    expect((await expectProblem(`/customers/${customers[28]}/value?asOf=2025-12-31T00:00:00Z`, 422)).body.code).toBe('clv-needs-purchase-history');
  });

  it('answers bad input with problem+json naming the field, and 404 for an unknown customer', async () => {
    await expectProblem('/models/clv?calibrationEnd=not-a-date', 400, 'calibrationEnd');
    await expectProblem('/models/clv?calibrationEnd=2026-02-30', 400, 'calibrationEnd');
    await expectProblem('/models/clv?calibrationEnd=2099-01-01', 400, 'calibrationEnd');
    await expectProblem('/models/clv?calibrationEnd=2026-10-31&unit=month', 400, 'unit');
    const id = customers[0];
    await expectProblem(`/customers/${id}/value?horizon=-1`, 400, 'horizon');
    await expectProblem(`/customers/${id}/value?horizon=1.5`, 400, 'horizon');
    await expectProblem(`/customers/${id}/value?discountRate=5`, 400, 'discountRate');
    await expectProblem(`/customers/${id}/value?discountRate=abc`, 400, 'discountRate');
    await expectProblem(`/customers/${id}/value?margin=-1`, 400, 'margin');
    for (const asOf of ['yesterday', '2026-13-01T00:00:00Z', 'x%00', '%ED%A0%80', '%5B%5D'])
      await expectProblem(`/customers/${id}/value?asOf=${asOf}`, 400, 'asOf');
    await expectProblem(`/customers/not-a-uuid/value`, 400, 'id');
    await expectProblem(`/customers/${randomUUID()}/value`, 404);
    await expectProblem('/customers/ranking?cursor=garbage', 400, 'cursor');
    await expectProblem(`/customers/ranking?cursor=${Buffer.from('["pAlive",1,"x"]').toString('base64url')}`, 400, 'cursor');
    await expectProblem('/customers/ranking?by=name', 400, 'by');
    await expectProblem('/customers/ranking?limit=0', 400, 'limit');
    await expectProblem('/customers/at-risk?maxPAlive=2', 400, 'maxPAlive');
    await expectProblem('/customers/at-risk?cursor=%00', 400, 'cursor');
  });

  it('is for staff only: a partner token is 403, no token or a forged one 401', async () => {
    for (const url of ['/models/clv?calibrationEnd=2026-10-31', `/customers/${customers[0]}/value`, '/customers/ranking', '/customers/at-risk']) {
      expect({ url, status: (await call(url, await mint.mint(pat))).status }).toEqual({ url, status: 403 });
      expect({ url, status: (await call(url, null)).status }).toEqual({ url, status: 401 });
      expect({ url, status: (await call(url, `${token.slice(0, -4)}AAAA`)).status }).toEqual({ url, status: 401 });
    }
  });

  it('documents the routes with their answers, examples and errors', async () => {
    type Doc = { paths: Record<string, { get?: { responses: Record<string, { content?: Record<string, { example?: unknown }> }> } }> };
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as Doc;
    const expected: Record<string, string[]> = {
      '/models/clv': ['200', '400', '401', '403', '422'],
      '/customers/{id}/value': ['200', '400', '401', '403', '404', '422'],
      '/customers/ranking': ['200', '400', '401', '403', '422'],
      '/customers/at-risk': ['200', '400', '401', '403', '422'],
    };
    for (const [route, statuses] of Object.entries(expected)) {
      const responses = doc.paths[route].get!.responses;
      expect({ route, statuses: Object.keys(responses).sort() }).toEqual({ route, statuses });
      expect(responses['200'].content?.['application/json']?.example).toBeDefined();
    }
  });
});
