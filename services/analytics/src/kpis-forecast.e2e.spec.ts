import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '@crm/config';
import { crmRegistry } from '@crm/contracts';
import { waitFor } from '@crm/event-store/testing';
import { TestClock } from '@crm/kernel';
import { createPlatform, type Platform } from '@crm/platform';
import { createRelationshipCommands, type RelationshipCommands } from '@crm/relationship-api';
import { TokenMint, type PartnerPrincipal, type ServiceApp, type StaffPrincipal } from '@crm/service-kit';
import { AnalyticsConfig, createAnalyticsApp } from './analytics';
import type { SalesForecastView } from './forecast/sales-forecast.query';
import type { KpiPeriodValue, KpiResult } from './kpis/kpi-definitions';
import type { KpisView } from './kpis/get-kpis/get-kpis.query';

// GET /kpis, GET /forecast/sales and GET /read-models over HTTP on the embedded platform. The
// commands run on a test clock: an event's recording time is the clock's, which `asOf` filters on.
describe('analytics: KPIs, the sales forecast from order history, versioned read models (embedded)', () => {
  let dataDir: string;
  let platform: Platform;
  let app: ServiceApp;
  let base: string;
  let token: string;
  let admin: string;
  let mint: TokenMint;
  let commands: RelationshipCommands;
  const clock = new TestClock('2025-01-01T00:00:00.000Z');
  const sari: StaffPrincipal = { kind: 'staff', subject: 'sari', department: 'sales', roles: [] };
  const budi: StaffPrincipal = { kind: 'staff', subject: 'budi', department: 'service', roles: [] };
  const maya: StaffPrincipal = { kind: 'staff', subject: 'maya', department: 'marketing', roles: [] };
  const pat: PartnerPrincipal = { kind: 'partner', subject: 'pat', partnerId: randomUUID(), roles: ['partner'] };
  /** Recorded before the February order of customer a (asOf before it sees January only). */
  let beforeFebruaryOrder: string;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-analytics-kpis-'));
    const config = loadConfig(AnalyticsConfig, { CRM_DATA_DIR: dataDir });
    platform = await createPlatform(config, { registry: crmRegistry(), clientId: 'test' });
    app = await createAnalyticsApp(config, platform, { embedded: true });
    base = await app.listen(0);
    mint = app.app.get(TokenMint);
    token = await mint.mint({ kind: 'staff', subject: 'ana', department: 'analytics', roles: [] });
    admin = await mint.mint({ kind: 'staff', subject: 'root', department: 'management', roles: ['admin'] });
    commands = createRelationshipCommands(platform.eventStore, { clock });

    // Fourteen months of IDR orders from one customer, rising by 1 000 000 a month: the forecast's history.
    const steady = (await commands.customers.register(sari, { kind: 'organisation', name: 'PT Tetap' })).id;
    for (let i = 0; i < 14; i++) {
      const day = new Date(Date.UTC(2025, i, 15, 10)).toISOString();
      clock.set(day);
      await commands.orders.place(sari, {
        customerId: steady,
        orderDate: day,
        currency: 'IDR',
        lines: [{ productId: 'rice', quantity: 1, unitPrice: 10_000_000 + i * 1_000_000 }],
      });
    }

    // January 2026: a and b buy (EUR); February: a again, b's order is cancelled; a case solved at the first contact; a campaign touch answered; an activity done.
    const a = (await commands.customers.register(sari, { kind: 'organisation', name: 'PT A' })).id;
    const b = (await commands.customers.register(sari, { kind: 'organisation', name: 'PT B' })).id;
    const at = async (instant: string) => clock.set(instant);
    await at('2026-01-10T10:00:00.000Z');
    await commands.orders.place(sari, {
      customerId: a,
      orderDate: '2026-01-10T10:00:00.000Z',
      currency: 'EUR',
      lines: [{ productId: 'van', quantity: 1, unitPrice: 40_000 }],
    });
    await at('2026-01-12T10:00:00.000Z');
    await commands.orders.place(sari, {
      customerId: b,
      orderDate: '2026-01-12T10:00:00.000Z',
      currency: 'EUR',
      lines: [{ productId: 'van', quantity: 1, unitPrice: 10_000 }],
    });
    await at('2026-02-02T10:00:00.000Z');
    beforeFebruaryOrder = '2026-02-02T12:00:00.000Z';
    await at('2026-02-03T10:00:00.000Z');
    await commands.orders.place(sari, {
      customerId: a,
      orderDate: '2026-02-03T10:00:00.000Z',
      currency: 'EUR',
      lines: [{ productId: 'van', quantity: 1, unitPrice: 25_000 }],
    });
    const cancelled = await commands.orders.place(sari, {
      customerId: b,
      orderDate: '2026-02-04T10:00:00.000Z',
      currency: 'EUR',
      lines: [{ productId: 'van', quantity: 1, unitPrice: 99_000 }],
    });
    await at('2026-02-05T10:00:00.000Z');
    await commands.orders.cancel(sari, cancelled.id, { reason: 'changed their mind' });
    const kase = (await commands.episodes.open(budi, 'case', { customerId: a, name: 'Door rattles', channel: 'phone' })).id;
    await commands.episodes.recordInteraction(budi, kase, { channel: 'phone', direction: 'inbound', action: 'complaint taken', response: 'fixed by phone' });
    await commands.episodes.close(budi, kase, { outcome: 'resolved' });
    // A second case solved at the first contact, rated 5 by the customer, then reopened: it counts
    // against first-contact resolution and in the reopen rate; the answer counts in satisfaction.
    const second = (await commands.episodes.open(budi, 'case', { customerId: a, name: 'Mirror loose', channel: 'phone' })).id;
    await commands.episodes.recordInteraction(budi, second, { channel: 'phone', direction: 'inbound', action: 'complaint taken', response: 'fixed by phone' });
    await commands.episodes.close(budi, second, { outcome: 'resolved' });
    const { resolvedAt } = await commands.caseSatisfaction.surveyOf(budi, second);
    await commands.caseSatisfaction.rate(second, { customerId: a, score: 5, resolvedAt });
    // An hour later (a reopening at the very instant of the close would count as stopped by that close).
    await at('2026-02-05T11:00:00.000Z');
    await commands.cases.reopen(budi, second, { reason: 'the mirror fell off again' });
    const touch = (await commands.episodes.open(maya, 'campaign', { customerId: b, name: 'Spring offer', channel: 'email' })).id;
    await commands.episodes.recordInteraction(maya, touch, { channel: 'email', direction: 'inbound', action: 'replied', response: 'interested' });
    const activity = await commands.activities.plan(sari, { kind: 'call', customerId: a, subject: 'follow up', dueAt: '2026-02-06T09:00:00.000Z' });
    await at('2026-02-06T09:30:00.000Z');
    await commands.activities.complete(sari, activity.id, { response: 'happy' });
    await at('2026-03-15T00:00:00.000Z');
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
  const fields = (body: Record<string, unknown>) => ((body.errors as { field: string }[] | undefined) ?? []).map((e) => e.field);
  const kpiPeriods = (view: KpisView, key: string): KpiPeriodValue[] => {
    const k = view.kpis.find((x) => x.key === key) as Extract<KpiResult, { available: true }>;
    return k.periods;
  };
  const kpis = async (query: string) => {
    const r = await call(`/kpis?${query}`);
    expect(r.status).toBe(200);
    return r.body as unknown as KpisView;
  };
  const caughtUp = () =>
    waitFor(
      async () => {
        const r = await call('/kpis?period=month&from=2026-02-01&to=2026-02-28&asOf=2026-03-01T00:00:00Z');
        // v2 of the facts (with the contact centre's) is built beside v1 and switched to once caught up.
        const view = r.body as unknown as KpisView;
        return (
          r.status === 200 &&
          view.source.version === 2 &&
          kpiPeriods(view, 'activities-per-owner')[0].value === 1 &&
          // the SLA clocks are their own read model: the reopened case's second resolution clock too
          kpiPeriods(view, 'sla-attainment')[0].basis === 5
        );
      },
      30000,
      'the facts to reach analytics',
    );

  describe('GET /kpis', () => {
    it('computes each perspective from the events, with the trend against the previous month', async () => {
      await caughtUp();
      const view = await kpis('period=month&from=2026-01-01&to=2026-02-28&asOf=2026-03-01T00:00:00Z');
      expect(view).toMatchObject({
        period: 'month',
        from: '2026-01-01',
        to: '2026-02-28',
        asOf: '2026-03-01T00:00:00.000Z',
        source: { readModel: 'analytics.kpi-facts', version: 2 },
      });
      // December's one buyer (the steady customer) came back in January; of January's three (steady, a, b) two in February (b's order was cancelled).
      expect(kpiPeriods(view, 'retention').map((p) => [p.period, p.value, p.basis, p.change])).toEqual([
        ['2026-01', 1, 1, 0],
        ['2026-02', 2 / 3, 3, 2 / 3 - 1],
      ]);
      expect(kpiPeriods(view, 'churn')[1]).toMatchObject({ value: 1 - 2 / 3, basis: 3 });
      const revenue = kpiPeriods(view, 'revenue');
      expect(revenue.map((p) => p.byCurrency?.EUR)).toEqual([50_000, 25_000]);
      expect(revenue[1].changeByCurrency?.EUR).toBe(-25_000);
      // IDR is its own currency, never added to EUR.
      expect(revenue[0].byCurrency?.IDR).toBe(22_000_000);
      expect(revenue[1].byCurrency?.IDR).toBe(23_000_000);
      expect(revenue[0].value).toBeNull();
      // Two cases resolved in February at the first contact, one reopened since: 1/2.
      expect(kpiPeriods(view, 'first-contact-resolution')[1]).toMatchObject({ value: 0.5, basis: 2 });
      expect(kpiPeriods(view, 'reopen-rate')[1]).toMatchObject({ value: 0.5, basis: 2 });
      expect(kpiPeriods(view, 'satisfaction').map((p) => [p.value, p.basis])).toEqual([
        [null, 0],
        [1, 1],
      ]);
      expect(kpiPeriods(view, 'satisfaction-score')[1]).toMatchObject({ value: 5, basis: 1 });
      expect(kpiPeriods(view, 'campaign-response')[1]).toMatchObject({ value: 1, basis: 1 });
      expect(kpiPeriods(view, 'activities-per-owner')[1]).toMatchObject({ value: 1, byOwner: { sari: 1 } });
      expect(kpiPeriods(view, 'quote-to-order-days')[1]).toMatchObject({ value: null, basis: 0 });
      // SLA clocks (fallback policy: 8 h first response, 5 days resolution, round the clock): both cases were
      // answered (closed) and resolved at once in February — four clocks met; the reopened one's second
      // resolution clock ran from 5 Feb 11:00 and breached on 10 Feb 11:00, unresolved by asOf: 4 of 5.
      const sla = kpiPeriods(view, 'sla-attainment');
      expect(sla.map((p) => [p.period, p.value, p.basis, p.change])).toEqual([
        ['2026-01', null, 0, null],
        ['2026-02', 0.8, 5, null],
      ]);
      expect(sla[1].byMetric).toEqual({
        'first-response': { met: 2, breached: 0, attainment: 1 },
        resolution: { met: 2, breached: 1, attainment: 2 / 3 },
      });
      expect(sla[1].byTeam).toEqual({ '(none)': { met: 4, breached: 1, attainment: 0.8 } });
      expect(sla[1].byTier).toEqual({ bronze: { met: 4, breached: 1, attainment: 0.8 } });
      expect(view.sources).toEqual([
        { readModel: 'analytics.kpi-facts', version: 2 },
        { readModel: 'analytics.sla-clocks', version: 1 },
      ]);
      const unavailable = view.kpis.filter((k) => !k.available);
      expect(unavailable.map((k) => k.key).sort()).toEqual(['clv', 'profitability', 'share-of-wallet']);
      expect(unavailable.every((k) => !('periods' in k) && 'reason' in k)).toBe(true);
    });

    it('asOf: only the events recorded by then', async () => {
      await caughtUp();
      const then = await kpis(`period=month&from=2026-02-01&to=2026-02-28&asOf=${beforeFebruaryOrder}`);
      // None of January's three buyers had a February order recorded yet.
      expect(kpiPeriods(then, 'retention')[0]).toMatchObject({ value: 0, basis: 3 });
      expect(kpiPeriods(then, 'revenue')[0].byCurrency).toEqual({});
      expect(kpiPeriods(then, 'activities-per-owner')[0].value).toBeNull();
      // No case yet: no SLA clock had ended.
      expect(kpiPeriods(then, 'sla-attainment')[0]).toMatchObject({ value: null, basis: 0 });
      // After the reopening but before the new resolution clock's due time (10 Feb): it is still within
      // its target, so not counted yet — the four clocks met are.
      const beforeDue = await kpis('period=month&from=2026-02-01&to=2026-02-28&asOf=2026-02-08T00:00:00Z');
      expect(kpiPeriods(beforeDue, 'sla-attainment')[0]).toMatchObject({ value: 1, basis: 4 });
      const quarter = await kpis('period=quarter&from=2026-01-01&to=2026-03-31&asOf=2026-03-01T00:00:00Z');
      expect(kpiPeriods(quarter, 'revenue').map((p) => [p.period, p.byCurrency?.EUR])).toEqual([['2026-Q1', 75_000]]);
    });

    it('bad queries are a 400 problem naming the field', async () => {
      for (const [query, field] of [
        ['period=year&from=2026-01-01&to=2026-02-28', 'period'],
        ['from=2026-01-01&to=2026-02-28', 'period'],
        ['period=month&from=yesterday&to=2026-02-28', 'from'],
        ['period=month&from=2026-02-30&to=2026-03-28', 'from'],
        ['period=month&from=2026-01-01', 'to'],
        ['period=month&from=2026-03-01&to=2026-01-01', 'to'],
        ['period=month&from=2000-01-01&to=2026-01-01', 'to'],
        ['period=month&from=2026-01-01&to=2026-02-28&asOf=soon', 'asOf'],
        ['period=month&from=2026-01-01&to=2026-02-28&asOf[]=1', 'asOf[]'],
      ]) {
        const r = await call(`/kpis?${query}`);
        expect({ query, status: r.status, problem: r.type.includes('application/problem+json') }).toEqual({ query, status: 400, problem: true });
        expect({ query, fields: fields(r.body) }).toEqual({ query, fields: expect.arrayContaining([field]) });
      }
    });

    it('is for staff: a partner gets 403, no token or a forged one 401', async () => {
      const q = '/kpis?period=month&from=2026-01-01&to=2026-02-28';
      expect((await call(q, await mint.mint(pat))).status).toBe(403);
      expect((await call(q, null)).status).toBe(401);
      expect((await call(q, `${token.slice(0, -4)}AAAA`)).status).toBe(401);
    });
  });

  describe('GET /forecast/sales', () => {
    it('fits a model to the monthly history in the reporting currency, forecasts from the running month, reports the back-test error', async () => {
      await caughtUp();
      const r = await call('/forecast/sales?period=month&currency=IDR&horizon=3&asOf=2026-03-01T00:00:00Z');
      expect(r.status).toBe(200);
      const f = r.body as unknown as SalesForecastView;
      // 2025-01 … 2026-02: fourteen complete months; the EUR orders have no IDR rate and are counted apart.
      expect(f.history.map((p) => p.amount)).toEqual(Array.from({ length: 14 }, (_, i) => 10_000_000 + i * 1_000_000));
      expect(f.unconverted).toEqual({ orders: 3, currencies: ['EUR'] });
      expect(f.reportingCurrency).toBe('IDR');
      expect(f.model).toMatchObject({ trend: 'additive', seasonLength: 12 });
      // A straight line continues: 24 000 000, 25 000 000, 26 000 000 (to within a unit of rounding).
      expect(f.forecast.map((p) => p.period)).toEqual(['2026-03', '2026-04', '2026-05']);
      f.forecast.forEach((p, i) => expect(Math.abs(p.amount - (24_000_000 + i * 1_000_000))).toBeLessThan(1_000));
      expect(f.backtest!.points).toBe(14 - f.backtest!.initialWindow);
      expect(f.backtest!.mape!).toBeLessThan(0.01);
    });

    it('asOf: the history as recorded then; too short a history gives no model and says why', async () => {
      await caughtUp();
      const f = (await call('/forecast/sales?period=month&currency=IDR&asOf=2025-03-20T00:00:00Z')).body as unknown as SalesForecastView;
      expect(f.history.map((p) => p.period)).toEqual(['2025-01', '2025-02']);
      expect(f).toMatchObject({ model: null, forecast: [], backtest: null, horizon: 12 });
      expect(f.reason).toContain('at least 3');
      const weeks = (await call('/forecast/sales?period=week&currency=IDR&horizon=2&asOf=2026-03-01T00:00:00Z')).body as unknown as SalesForecastView;
      expect(weeks.history[0].period).toBe('2025-W03');
      expect(weeks.forecast.map((p) => p.period)).toEqual(['2026-W09', '2026-W10']);
    });

    it('bad queries are a 400 problem naming the field', async () => {
      for (const [query, field] of [
        ['period=quarter&currency=EUR', 'period'],
        ['currency=EUR', 'period'],
        ['period=month&currency=XYZ', 'currency'],
        ['period=month&currency=eur', 'currency'],
        ['period=month&currency=EUR&horizon=0', 'horizon'],
        ['period=month&currency=EUR&horizon=105', 'horizon'],
        ['period=month&currency=EUR&horizon=two', 'horizon'],
        ['period=month&currency=EUR&horizon=1.5', 'horizon'],
        ['period=month&currency=EUR&asOf=2026-13-01', 'asOf'],
      ]) {
        const r = await call(`/forecast/sales?${query}`);
        expect({ query, status: r.status, problem: r.type.includes('application/problem+json') }).toEqual({ query, status: 400, problem: true });
        expect({ query, fields: fields(r.body) }).toEqual({ query, fields: expect.arrayContaining([field]) });
      }
    });

    it('is for staff: a partner gets 403, no token 401', async () => {
      expect((await call('/forecast/sales?period=month&currency=EUR', await mint.mint(pat))).status).toBe(403);
      expect((await call('/forecast/sales?period=month&currency=EUR', null)).status).toBe(401);
    });
  });

  describe('GET /read-models', () => {
    it('shows the serving version of analytics.kpi-facts and its progress, for admins', async () => {
      await caughtUp();
      const r = await call('/read-models', admin);
      expect(r.status).toBe(200);
      const kpiFacts = (r.body.readModels as Record<string, unknown>[]).filter((v) => v.readModel === 'analytics.kpi-facts');
      // v2 (with the contact centre's facts) was built beside v1 and switched to; v1 is retired.
      const v2 = kpiFacts.find((v) => v.version === 2)!;
      expect(v2).toMatchObject({ version: 2, state: 'serving', runner: 'live', parked: 0 });
      expect(v2.eventsApplied as number).toBeGreaterThanOrEqual(22);
      expect(v2.position).toMatch(/^\d+\/\d+$/);
      expect(kpiFacts.find((v) => v.version === 1)).toMatchObject({ state: 'retired' });
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toMatch(/crm_read_model_version_serving\{read_model="analytics.kpi-facts",version="2"[^}]*\} 1/);
      expect(metrics).toMatch(/crm_read_model_version_progress\{read_model="analytics.kpi-facts",version="2"[^}]*\} 1/);
    });

    it('is for admins: other staff get 403, partners 403, no token 401', async () => {
      expect((await call('/read-models', token)).status).toBe(403);
      expect((await call('/read-models', await mint.mint(pat))).status).toBe(403);
      expect((await call('/read-models', null)).status).toBe(401);
    });
  });

  it('documents every route with its answer schema, examples and errors', async () => {
    type Op = { responses: Record<string, { content?: Record<string, { example?: unknown; schema?: unknown }> }> };
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, { get?: Op }> };
    for (const [route, statuses] of [
      ['/kpis', ['200', '400', '401', '403', '503']],
      ['/forecast/sales', ['200', '400', '401', '403']],
      ['/read-models', ['200', '401', '403']],
    ] as const) {
      const op = doc.paths[route].get!;
      expect({ route, statuses: Object.keys(op.responses).sort() }).toEqual({ route, statuses: [...statuses] });
      expect(op.responses['200'].content?.['application/json']?.example).toBeDefined();
      expect(op.responses['200'].content?.['application/json']?.schema).toBeDefined();
    }
  });
});
