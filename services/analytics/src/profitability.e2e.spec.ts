import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '@crm/config';
import { crmRegistry } from '@crm/contracts';
import { waitFor } from '@crm/event-store/testing';
import { createPlatform, type Platform } from '@crm/platform';
import { createRelationshipCommands, type RelationshipCommands } from '@crm/relationship-api';
import { TokenMint, type ServiceApp, type StaffPrincipal } from '@crm/service-kit';
import { httpCaller, type HttpReply } from '@crm/service-kit/testing';
import { AnalyticsConfig, createAnalyticsApp } from './analytics';
import type { CustomerProfitabilityView, SegmentProfitabilityView } from './profitability/profitability.query';

// Customer and segment profitability over HTTP on the embedded platform: orders, cases and campaign
// touches recorded through the commands, unit costs from the settings or the query, hand-computed answers.
describe('analytics: customer and segment profitability (embedded)', () => {
  let dataDir: string;
  let platform: Platform;
  let app: ServiceApp;
  let base: string;
  let token: string;
  let commands: RelationshipCommands;
  const alice: StaffPrincipal = { kind: 'staff', subject: 'alice', department: 'sales', roles: [] };
  const sam: StaffPrincipal = { kind: 'staff', subject: 'sam', department: 'service', roles: [] };
  const mira: StaffPrincipal = { kind: 'staff', subject: 'mira', department: 'marketing', roles: [] };
  const call = httpCaller(
    () => base,
    () => token,
  );
  const get = async <T>(url: string) => {
    const r = await call('GET', url);
    expect([url, r.status]).toEqual([url, 200]);
    return r.body as unknown as T;
  };
  async function expectProblem(r: HttpReply, status: number, field?: string) {
    expect(r.status).toBe(status);
    expect(r.type).toContain('application/problem+json');
    if (field) expect(((r.body.errors as { field: string }[] | undefined) ?? []).map((e) => e.field)).toContain(field);
  }
  let a: string;
  let b: string;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-analytics-profit-'));
    // The unit costs' defaults, as an operator sets them.
    const config = loadConfig(AnalyticsConfig, {
      CRM_DATA_DIR: dataDir,
      CRM_COST_OF_GOODS_SHARE: '0.5',
      CRM_COST_PER_CASE: '1000',
      CRM_COST_PER_CAMPAIGN_TOUCH: '10',
    });
    platform = await createPlatform(config, { registry: crmRegistry(), clientId: 'test' });
    app = await createAnalyticsApp(config, platform, { embedded: true });
    base = await app.listen(0);
    token = await app.app.get(TokenMint).mint({ kind: 'staff', subject: 'ana', department: 'analytics', roles: [] });
    commands = createRelationshipCommands(platform.eventStore);

    // A buys twice in the window (100.00 and 50.01 EUR), once before it; one case and one campaign touch in it.
    a = (await commands.customers.register(alice, { kind: 'organisation', name: 'PT Untung' })).id;
    for (const [orderDate, unitPrice] of [
      ['2025-12-20', 99_999],
      ['2026-02-10', 10_000],
      ['2026-03-15', 5_001],
    ] as const)
      await commands.orders.place(alice, { customerId: a, orderDate, currency: 'EUR', lines: [{ productId: 'van', quantity: 1, unitPrice }] });
    await commands.episodes.open(sam, 'case', { customerId: a, name: 'Broken mirror', channel: 'phone', openedAt: '2026-04-01T09:00:00Z' });
    await commands.episodes.open(mira, 'campaign', {
      customerId: a,
      name: 'Spring offer',
      channel: 'email',
      campaignId: randomUUID(),
      openedAt: '2026-05-01T09:00:00Z',
    });
    // B never buys and calls twice: one case in the window, one after it.
    b = (await commands.customers.register(alice, { kind: 'person', name: 'Budi Rugi' })).id;
    await commands.episodes.open(sam, 'case', { customerId: b, name: 'Question', channel: 'phone', openedAt: '2026-02-01T09:00:00Z' });
    await commands.episodes.open(sam, 'case', { customerId: b, name: 'Another question', channel: 'phone', openedAt: '2026-08-01T09:00:00Z' });
    await waitFor(
      async () => {
        const whole = await get<CustomerProfitabilityView>(`/customers/${a}/profitability?from=2025-01-01&to=2026-12-31`);
        const other = await get<CustomerProfitabilityView>(`/customers/${b}/profitability?from=2026-01-01&to=2026-12-31`);
        return whole.revenue === 115_000 && whole.cases.count === 1 && whole.campaignTouches.count === 1 && other.cases.count === 2;
      },
      20_000,
      'the facts to reach analytics',
    );
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await platform?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const window = 'from=2026-01-01&to=2026-06-30';

  it("a customer's profit: revenue in the window, less the cost of goods and the cases and touches it took, at the query's unit costs", async () => {
    const p = await get<CustomerProfitabilityView>(`/customers/${a}/profitability?${window}&goodsShare=0.6&caseCost=2500&touchCost=50`);
    // 15,001 × 0.6 = 9,000.6 → 9,001; 2,500 + 50 = 2,550; 15,001 − 9,001 − 2,550 = 3,450
    expect(p).toMatchObject({
      customerId: a,
      window: { from: '2026-01-01', to: '2026-06-30' },
      reportingCurrency: 'EUR',
      unitCosts: { goodsShare: 0.6, caseCost: 2_500, touchCost: 50 },
      revenue: 15_001,
      purchaseOccasions: 2,
      costOfGoods: 9_001,
      cases: { count: 1, cost: 2_500 },
      campaignTouches: { count: 1, cost: 50 },
      costToServe: 2_550,
      profit: 3_450,
    });
  });

  it('takes the unit costs from the settings when the query names none; a customer who only costs is a loss', async () => {
    // 15,001 × 0.5 = 7,500.5 → 7,501; 1,000 + 10; 15,001 − 7,501 − 1,010 = 6,490
    expect(await get<CustomerProfitabilityView>(`/customers/${a}/profitability?${window}`)).toMatchObject({
      unitCosts: { goodsShare: 0.5, caseCost: 1_000, touchCost: 10 },
      costOfGoods: 7_501,
      costToServe: 1_010,
      profit: 6_490,
    });
    expect(await get<CustomerProfitabilityView>(`/customers/${b}/profitability?${window}`)).toMatchObject({
      revenue: 0,
      cases: { count: 1, cost: 1_000 },
      profit: -1_000,
    });
    // as of before anything was recorded: nothing
    expect(await get<CustomerProfitabilityView>(`/customers/${b}/profitability?${window}&asOf=2020-01-01T00:00:00Z`)).toMatchObject({
      cases: { count: 0 },
      profit: 0,
    });
  });

  it('per segment: the customers of each journey stage or relationship phase, their sums, the unprofitable ones; most profitable first', async () => {
    // A bought on three days: analytics derives it a repeat customer (journey/journey-rules.ts); B stays a prospect.
    await waitFor(
      async () => (await get<{ journeyStage: string }>(`/customers/${a}`)).journeyStage === 'repeat-customer',
      20_000,
      'A to be derived a repeat customer',
    );
    expect((await get<{ journeyStage: string }>(`/customers/${b}`)).journeyStage).toBe('prospect');
    const view = await get<SegmentProfitabilityView>(`/profitability?${window}&goodsShare=0.6&caseCost=2500&touchCost=50`);
    expect(view.groupBy).toBe('journeyStage');
    const total = view.segments.reduce(
      (s, x) => ({ customers: s.customers + x.customers, profit: s.profit + x.profit, unprofitable: s.unprofitable + x.unprofitable }),
      {
        customers: 0,
        profit: 0,
        unprofitable: 0,
      },
    );
    // A 3,450 and B −2,500, whatever stage analytics has derived for them by now
    expect(total).toEqual({ customers: 2, profit: 950, unprofitable: 1 });
    expect(view.segments.map((s) => s.profit)).toEqual([...view.segments.map((s) => s.profit)].sort((x, y) => y - x));
    expect(view.segments).toEqual([
      {
        segment: 'repeat-customer',
        customers: 1,
        unprofitable: 0,
        revenue: 15_001,
        costOfGoods: 9_001,
        costToServe: 2_550,
        profit: 3_450,
        profitPerCustomer: 3_450,
      },
      { segment: 'prospect', customers: 1, unprofitable: 1, revenue: 0, costOfGoods: 0, costToServe: 2_500, profit: -2_500, profitPerCustomer: -2_500 },
    ]);
    const phases = await get<SegmentProfitabilityView>(`/profitability?${window}&groupBy=relationshipPhase`);
    expect(phases.groupBy).toBe('relationshipPhase');
    expect(phases.segments.reduce((s, x) => s + x.customers, 0)).toBe(2);
  });

  it('answers bad input with problem+json naming the field, 404 for an unknown customer', async () => {
    for (const [query, field] of [
      ['goodsShare=1.5', 'goodsShare'],
      ['goodsShare=abc', 'goodsShare'],
      ['caseCost=-1', 'caseCost'],
      ['caseCost=2.5', 'caseCost'],
      ['touchCost=1e30', 'touchCost'],
      ['from=2026-02-30', 'from'],
      ['to=yesterday', 'to'],
      ['from=2026-07-01&to=2026-06-30', 'from'],
      ['asOf=soon', 'asOf'],
      ['from=%00', 'from'],
    ] as const) {
      await expectProblem(await call('GET', `/customers/${a}/profitability?${query}`), 400, field);
      await expectProblem(await call('GET', `/profitability?${query}`), 400, field);
    }
    await expectProblem(await call('GET', '/profitability?groupBy=tier'), 400, 'groupBy');
    await expectProblem(await call('GET', '/customers/not-a-uuid/profitability'), 400, 'id');
    await expectProblem(await call('GET', `/customers/${randomUUID()}/profitability`), 404);
  });

  it('is for staff only: a partner is 403, no token 401; documented in OpenAPI with examples and errors', async () => {
    const partner = await app.app.get(TokenMint).mint({ kind: 'partner', subject: 'p.x', partnerId: randomUUID(), roles: ['manager'] });
    for (const url of [`/customers/${a}/profitability`, '/profitability']) {
      await expectProblem(await call('GET', url, undefined, {}, partner), 403);
      expect((await fetch(`${base}${url}`)).status).toBe(401);
    }
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { example?: unknown; schema?: unknown }> }> }>>;
    };
    for (const [route, statuses] of [
      ['/customers/{id}/profitability', ['200', '400', '401', '403', '404']],
      ['/profitability', ['200', '400', '401', '403']],
    ] as const) {
      const op = doc.paths[route].get;
      expect(Object.keys(op.responses)).toEqual(expect.arrayContaining([...statuses]));
      expect(op.responses['200'].content?.['application/json']?.example).toBeDefined();
      expect(op.responses['400'].content?.['application/problem+json']?.example).toBeDefined();
    }
  });
});
