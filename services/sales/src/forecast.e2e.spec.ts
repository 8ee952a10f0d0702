import { randomUUID } from 'node:crypto';
import { crmRegistry } from '@crm/contracts';
import { TestClock } from '@crm/kernel';
import { TokenMint, type ServiceApp } from '@crm/service-kit';
import { httpCaller, startEmbeddedService, type HttpReply } from '@crm/service-kit/testing';
import { createSalesApp, SalesConfig } from './sales';

const fields = (body: Record<string, unknown>) => ((body.errors as { field: string }[] | undefined) ?? []).map((e) => e.field);
async function expectProblem(r: Response | HttpReply, status: number, field?: string): Promise<Record<string, unknown>> {
  expect({ status: r.status }).toEqual({ status });
  const type = r instanceof Response ? (r.headers.get('content-type') ?? '') : r.type;
  expect(type).toContain('application/problem+json');
  const body = r instanceof Response ? ((await r.json()) as Record<string, unknown>) : r.body;
  if (field) expect(fields(body)).toContain(field);
  return body;
}

// Reporting (issue 10 §6) over HTTP on the embedded platform (PGlite on disk), time from a TestClock:
// the exchange-rates table to a reporting currency, as events, read as of a day or an instant.
describe('exchange rates (embedded)', () => {
  let app: ServiceApp;
  let stop: () => Promise<void>;
  let base: string;
  let mint: TokenMint;
  let manager: string; // sales, role manager
  let agent: string; // sales, role agent
  const clock = new TestClock('2026-03-02T09:00:00.000Z');
  const call = httpCaller(
    () => base,
    () => manager,
  );
  const raw = (method: string, url: string, body: string, contentType = 'application/json', bearer = manager) =>
    fetch(`${base}${url}`, { method, headers: { authorization: `Bearer ${bearer}`, 'content-type': contentType }, body });

  const put = (body: unknown, bearer = manager) => call('PUT', '/exchange-rates', body, {}, bearer);
  const rates = async (query = '') =>
    (await call('GET', `/exchange-rates?${query}`, undefined, {}, agent)).body as { on: string; asOf: string; rates: Record<string, unknown>[] };
  const pairs = (body: { rates: Record<string, unknown>[] }) =>
    body.rates.map((r) => `${String(r.reportingCurrency)}<-${String(r.currency)} ${String(r.rate)} ${String(r.effectiveDate)}`);

  beforeAll(async () => {
    ({ app, base, stop } = await startEmbeddedService('sales-forecast', SalesConfig, (c, p, h) => createSalesApp(c, p, { ...h, clock }), crmRegistry()));
    mint = app.app.get(TokenMint);
    manager = await mint.mint({ kind: 'staff', subject: 'mira', department: 'sales', roles: ['manager'] });
    agent = await mint.mint({ kind: 'staff', subject: 'sari', department: 'sales', roles: ['agent'] });
  });
  afterAll(async () => {
    await stop?.();
  });

  describe('the exchange-rates table', () => {
    it('managers set rates to a reporting currency from an effective day; everyone in sales reads those in force on a day, and as recorded by an instant', async () => {
      const first = await put({
        reportingCurrency: 'EUR',
        effectiveDate: '2026-01-01',
        rates: [
          { currency: 'USD', rate: '0.90' },
          { currency: 'JPY', rate: '0.0062' },
        ],
      });
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ reportingCurrency: 'EUR', effectiveDate: '2026-01-01', recorded: 2 });
      expect(pairs(first.body as never)).toEqual(['EUR<-JPY 0.0062 2026-01-01', 'EUR<-USD 0.90 2026-01-01']);
      expect((first.body.rates as Record<string, unknown>[])[0]).toMatchObject({ setBy: 'mira', setAt: '2026-03-02T09:00:00.000Z' });
      // the same again records nothing (a retried PUT); "0.9" is "0.90"
      expect((await put({ reportingCurrency: 'EUR', effectiveDate: '2026-01-01', rates: [{ currency: 'USD', rate: '0.9' }] })).body.recorded).toBe(0);

      await new Promise((r) => setTimeout(r, 20));
      const before = new Date().toISOString();
      await new Promise((r) => setTimeout(r, 20));
      expect((await put({ reportingCurrency: 'EUR', effectiveDate: '2026-03-01', rates: [{ currency: 'USD', rate: '0.9231' }] })).body.recorded).toBe(1);
      expect((await put({ reportingCurrency: 'JPY', effectiveDate: '2026-01-01', rates: [{ currency: 'EUR', rate: '163.27' }] })).status).toBe(200);

      // today (the service clock: 2026-03-02): the newest rate of each pair
      const today = await rates();
      expect(today.on).toBe('2026-03-02');
      expect(pairs(today)).toEqual(['EUR<-JPY 0.0062 2026-01-01', 'EUR<-USD 0.9231 2026-03-01', 'JPY<-EUR 163.27 2026-01-01']);
      // on a day: the rates in force then
      expect(pairs(await rates('asOf=2026-02-28&currency=EUR'))).toEqual(['EUR<-JPY 0.0062 2026-01-01', 'EUR<-USD 0.90 2026-01-01']);
      expect((await rates('asOf=2025-12-31')).rates).toEqual([]);
      // an instant: what the table said then (the March rate was not yet recorded)
      const then = await rates(`asOf=${encodeURIComponent(before)}&currency=EUR`);
      expect(then.asOf).toBe(before);
      expect(pairs(then)).toEqual(['EUR<-JPY 0.0062 2026-01-01', 'EUR<-USD 0.90 2026-01-01']);
      expect((await rates('asOf=2000-01-01T00:00:00Z')).rates).toEqual([]);

      // the table now carries its revision; a change naming an older one is 412 before any rule
      const now = await call('GET', '/exchange-rates', undefined, {}, agent);
      expect(now.etag).toMatch(/^"\d+"$/);
      expect((await call('GET', `/exchange-rates?asOf=${encodeURIComponent(before)}`, undefined, {}, agent)).etag).toBeNull();
      const stale = { reportingCurrency: 'EUR', effectiveDate: '2026-03-01', rates: [{ currency: 'EUR', rate: '1' }] }; // a rate-to-itself 422 otherwise
      await expectProblem(await call('PUT', '/exchange-rates', stale, { 'if-match': '"0"' }, manager), 412);
      const fresh = await call(
        'PUT',
        '/exchange-rates',
        { reportingCurrency: 'EUR', effectiveDate: '2026-03-01', rates: [{ currency: 'GBP', rate: '1.17' }] },
        { 'if-match': String(now.etag) },
        manager,
      );
      expect([fresh.status, fresh.body.recorded]).toEqual([200, 1]);
      expect(fresh.etag).not.toBe(now.etag);
      await expectProblem(
        await call(
          'PUT',
          '/exchange-rates',
          { reportingCurrency: 'EUR', effectiveDate: '2026-03-01', rates: [{ currency: 'GBP', rate: '1.18' }] },
          { 'if-match': String(now.etag) },
          manager,
        ),
        412,
      );
    });

    it('bad input is a 400 naming the field; rules are a 422 with their code; a body that is not JSON is a 415', async () => {
      const ok = { reportingCurrency: 'EUR', effectiveDate: '2026-03-01', rates: [{ currency: 'USD', rate: '0.92' }] };
      const cases: [unknown, string][] = [
        [{ ...ok, reportingCurrency: 'eur' }, 'reportingCurrency'],
        [{ ...ok, reportingCurrency: 'XXQ' }, 'reportingCurrency'],
        [{ ...ok, reportingCurrency: ['EUR'] }, 'reportingCurrency'],
        [{ ...ok, effectiveDate: '2026-02-30' }, 'effectiveDate'],
        [{ ...ok, effectiveDate: '2026-03-01T00:00:00Z' }, 'effectiveDate'],
        [{ ...ok, effectiveDate: 20260301 }, 'effectiveDate'],
        [{ ...ok, rates: [] }, 'rates'],
        [{ ...ok, rates: 'USD=0.92' }, 'rates'],
        [{ ...ok, rates: [[{ currency: 'USD', rate: '0.92' }]] }, 'rates'],
        [{ ...ok, rates: [{ currency: 'USD', rate: 0.92 }] }, 'rates.0.rate'],
        [{ ...ok, rates: [{ currency: 'USD', rate: '0' }] }, 'rates.0.rate'],
        [{ ...ok, rates: [{ currency: 'USD', rate: '-1' }] }, 'rates.0.rate'],
        [{ ...ok, rates: [{ currency: 'USD', rate: '1e3' }] }, 'rates.0.rate'],
        [{ ...ok, rates: [{ currency: 'USD', rate: '0.1234567890123' }] }, 'rates.0.rate'],
        [{ ...ok, rates: [{ currency: 'USD', rate: 'NaN' }] }, 'rates.0.rate'],
        [{ ...ok, rates: [{ currency: 'USD\u0000', rate: '1' }] }, 'rates.0.currency'],
        [{ ...ok, rates: [{ currency: 'USD', rate: '1\u0000' }] }, 'rates.0.rate'],
        [{ ...ok, rates: [{ currency: 'GBP', rate: '1.17' }, { rate: '1' }] }, 'rates.1.currency'],
        [{ ...ok, rates: Array.from({ length: 201 }, () => ({ currency: 'USD', rate: '1' })) }, 'rates'],
      ];
      for (const [body, field] of cases) await expectProblem(await put(body), 400, field);
      expect((await expectProblem(await put({ ...ok, rates: [{ currency: 'EUR', rate: '1' }] }), 422)).code).toBe('rate-to-itself');
      expect((await expectProblem(await put({ ...ok, rates: [ok.rates[0], ok.rates[0]] }), 422)).code).toBe('currencies-unique');
      await expectProblem(await raw('PUT', '/exchange-rates', 'reportingCurrency=EUR', 'text/plain'), 415);
      await expectProblem(await raw('PUT', '/exchange-rates', '<rates/>', 'application/xml'), 415);
      await expectProblem(await raw('PUT', '/exchange-rates', '{"reportingCurrency":"EUR",', 'application/json'), 400);
      for (const [query, field] of [
        ['currency=euro', 'currency'],
        ['currency=%00', 'currency'],
        ['asOf=yesterday', 'asOf'],
        ['asOf=2026-02-30', 'asOf'],
        ['asOf=20260301', 'asOf'],
        ['asOf=2026-03-01%00', 'asOf'],
        ['asOf=2026-03-01&asOf=2026-03-02', 'asOf'],
      ])
        await expectProblem(await call('GET', `/exchange-rates?${query}`, undefined, {}, agent), 400, field);
    });
  });

  it('who may: sales and management staff read; managers and admins set; service staff and partners never (403); no token 401', async () => {
    const service = await mint.mint({ kind: 'staff', subject: 'budi', department: 'service', roles: ['manager'] });
    const partner = await mint.mint({ kind: 'partner', subject: 'p.x', partnerId: randomUUID(), roles: ['manager'] });
    const admin = await mint.mint({ kind: 'staff', subject: 'ana', department: 'management', roles: ['admin'] });
    const managementAgent = await mint.mint({ kind: 'staff', subject: 'eko', department: 'management', roles: [] });
    const body = { reportingCurrency: 'EUR', effectiveDate: '2026-03-02', rates: [{ currency: 'GBP', rate: '1.17' }] };
    const routes: [string, string, unknown][] = [
      ['GET', '/exchange-rates', undefined],
      ['PUT', '/exchange-rates', body],
    ];
    for (const [method, url, b] of routes) {
      for (const bearer of [service, partner]) await expectProblem(await call(method, url, b, {}, bearer), 403);
      const anonymous = await fetch(`${base}${url}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: b === undefined ? undefined : JSON.stringify(b),
      });
      await expectProblem(anonymous, 401);
    }
    for (const bearer of [agent, managementAgent]) {
      await expectProblem(await put(body, bearer), 403);
      expect((await call('GET', '/exchange-rates', undefined, {}, bearer)).status).toBe(200);
    }
    expect((await put(body, admin)).status).toBe(200);
  });

  it('documents every route in OpenAPI with its response schema, its errors and an example', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema?: unknown; example?: unknown }> }> }>>;
    };
    const expected: [string, string, string[]][] = [
      ['/exchange-rates', 'get', ['200', '400', '401', '403']],
      ['/exchange-rates', 'put', ['200', '400', '401', '403', '412', '415', '422']],
    ];
    for (const [path, method, statuses] of expected) {
      const operation = doc.paths[path]?.[method];
      expect({ path, method, statuses: Object.keys(operation?.responses ?? {}) }).toEqual({ path, method, statuses: expect.arrayContaining(statuses) });
      const ok = operation.responses['200'].content?.['application/json'];
      expect(ok?.schema).toBeDefined();
      expect(ok?.example).toBeDefined();
      expect(operation.responses['400'].content?.['application/problem+json']?.example).toBeDefined();
    }
  });
});

// The forecast over HTTP: its own app, so the rates and opportunities of the tests above do not mix in.
describe('forecast (embedded)', () => {
  let app: ServiceApp;
  let stop: () => Promise<void>;
  let base: string;
  let manager: string;
  let agent: string;
  let customerId: string;
  const clock = new TestClock('2026-03-02T09:00:00.000Z');
  const call = httpCaller(
    () => base,
    () => agent,
  );
  async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
    const until = Date.now() + 15_000;
    for (;;) {
      const value = await read();
      if (ok(value) || Date.now() > until) return value;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  type Row = Record<string, unknown> & { period: string; pipeline: unknown; bestCase: unknown; commit: unknown; closed: unknown; unconverted: unknown[] };
  const forecast = async (query: string) => (await call('GET', `/forecast?${query}`)).body as { rows: Row[] } & Record<string, unknown>;

  beforeAll(async () => {
    ({ app, base, stop } = await startEmbeddedService('sales-forecast-2', SalesConfig, (c, p, h) => createSalesApp(c, p, { ...h, clock }), crmRegistry()));
    const mint = app.app.get(TokenMint);
    manager = await mint.mint({ kind: 'staff', subject: 'mira', department: 'sales', roles: ['manager'] });
    agent = await mint.mint({ kind: 'staff', subject: 'sari', department: 'sales', roles: ['agent'] });
    customerId = String((await call('POST', '/customers', { kind: 'organisation', name: 'PT Maju Jaya' })).body.customerId);
  });
  afterAll(async () => {
    await stop?.();
  });

  it('per quarter: pipeline, best case, commit and closed in the reporting currency; a currency without a rate is listed, not guessed; asOf answers what it said then', async () => {
    const set = await call(
      'PUT',
      '/exchange-rates',
      { reportingCurrency: 'EUR', effectiveDate: '2026-01-01', rates: [{ currency: 'USD', rate: '0.90' }] },
      {},
      manager,
    );
    expect(set.status).toBe(200);
    const team = `f-${randomUUID().slice(0, 8)}`;
    const open = async (body: Record<string, unknown>) => {
      const r = await call('POST', '/opportunities', { customerId, name: team, team, ...body });
      expect(r.status).toBe(201);
      return String(r.body.episodeId);
    };
    const a = await open({ amount: 100_000, currency: 'EUR', expectedCloseDate: '2026-03-15', probability: 20 });
    await open({ amount: 10_001, currency: 'USD', expectedCloseDate: '2026-04-10', probability: 75, owner: 'budi' }); // 100.01 USD → 90.009 → 90.01 EUR
    await open({ amount: 5_000, currency: 'GBP', expectedCloseDate: '2026-03-20', probability: 50 });
    const d = await open({ amount: 50_000, currency: 'EUR', expectedCloseDate: '2026-03-31', probability: 60 });
    await open({ amount: 70_000, currency: 'EUR' }); // no close date: in no period
    expect((await call('POST', `/opportunities/${d}/close`, { outcome: 'won', reason: 'signed', value: 48_000, currency: 'EUR' })).status).toBe(200);
    const query = `period=quarter&from=2026-01-01&to=2026-06-30&currency=EUR&team=${team}`;
    const now = await eventually(
      () => forecast(query),
      (f) => (f.rows?.[0]?.closed as { count: number } | undefined)?.count === 1,
    );
    expect(now).toMatchObject({
      currency: 'EUR',
      ratesOn: '2026-03-02',
      period: 'quarter',
      bestCaseFrom: 40,
      commitFrom: 70,
      asOf: '2026-03-02T09:00:00.000Z',
    });
    expect(now.rows).toEqual([
      {
        period: '2026-Q1',
        start: '2026-01-01',
        end: '2026-03-31',
        pipeline: { count: 2, amount: 100_000, weightedAmount: 20_000 },
        bestCase: { count: 1, amount: 0, weightedAmount: 0 },
        commit: { count: 0, amount: 0, weightedAmount: 0 },
        closed: { count: 1, amount: 48_000 },
        unconverted: [
          { category: 'pipeline', currency: 'GBP', count: 1, amount: 5_000 },
          { category: 'bestCase', currency: 'GBP', count: 1, amount: 5_000 },
        ],
      },
      {
        period: '2026-Q2',
        start: '2026-04-01',
        end: '2026-06-30',
        pipeline: { count: 1, amount: 9_001, weightedAmount: 6_751 },
        bestCase: { count: 1, amount: 9_001, weightedAmount: 6_751 },
        commit: { count: 1, amount: 9_001, weightedAmount: 6_751 },
        closed: { count: 0, amount: 0 },
        unconverted: [],
      },
    ]);

    // by month and owner; thresholds of the caller's choosing
    const byOwner = await forecast(`period=month&from=2026-03-01&to=2026-04-30&currency=EUR&team=${team}&groupBy=owner&bestCaseFrom=20&commitFrom=50`);
    expect(byOwner.rows.map((r) => [r.period, r.owner, r.pipeline, r.commit])).toEqual([
      // the pound has no rate yet: counted in commit (50 %), its amount listed under unconverted
      ['2026-03', 'sari', { count: 2, amount: 100_000, weightedAmount: 20_000 }, { count: 1, amount: 0, weightedAmount: 0 }],
      ['2026-04', 'budi', { count: 1, amount: 9_001, weightedAmount: 6_751 }, { count: 1, amount: 9_001, weightedAmount: 6_751 }],
    ]);
    expect((await forecast(`${query}&groupBy=pipeline`)).rows[0]).toMatchObject({ pipelineName: 'Sales process' });

    // what it said then: before A was raised to 80 % and before the pound had a rate
    await new Promise((r) => setTimeout(r, 20));
    const before = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    expect((await call('PATCH', `/opportunities/${a}`, { probability: 80 })).status).toBe(200);
    await call('PUT', '/exchange-rates', { reportingCurrency: 'EUR', effectiveDate: '2026-01-01', rates: [{ currency: 'GBP', rate: '1.17' }] }, {}, manager);
    const raised = await eventually(
      () => forecast(query),
      (f) => (f.rows?.[0]?.commit as { count: number } | undefined)?.count === 1,
    );
    expect(raised.rows[0]).toMatchObject({
      pipeline: { count: 2, amount: 100_000 + 5_850, weightedAmount: 80_000 + 2_925 },
      commit: { count: 1, amount: 100_000, weightedAmount: 80_000 },
      unconverted: [],
    });
    const then = await forecast(`${query}&asOf=${encodeURIComponent(before)}`);
    expect(then.asOf).toBe(before);
    expect(then.rows[0]).toMatchObject({
      pipeline: { count: 2, amount: 100_000, weightedAmount: 20_000 },
      commit: { count: 0 },
      closed: { count: 1, amount: 48_000 },
    });
    expect(then.rows[0].unconverted).toHaveLength(2);
    const empty = await forecast(`${query}&asOf=2000-01-01T00:00:00Z`);
    expect(empty.rows.map((r) => r.pipeline)).toEqual([
      { count: 0, amount: 0, weightedAmount: 0 },
      { count: 0, amount: 0, weightedAmount: 0 },
    ]);
  });

  it('sales targets per owner or team and period; attainment is the wins of the period in the target’s currency against it', async () => {
    const id = randomUUID().slice(0, 6);
    const [ana, eko, team] = [`ana-${id}`, `eko-${id}`, `t-${id}`];
    await call('PUT', '/exchange-rates', { reportingCurrency: 'EUR', effectiveDate: '2026-01-01', rates: [{ currency: 'USD', rate: '0.90' }] }, {}, manager);
    const win = async (owner: string, amount: number, currency: string) => {
      const r = await call('POST', '/opportunities', { customerId, name: 'deal', owner, team, amount, currency, expectedCloseDate: '2026-03-31' });
      expect((await call('POST', `/opportunities/${String(r.body.episodeId)}/close`, { outcome: 'won', reason: 'signed' })).status).toBe(200);
    };
    await win(ana, 30_000, 'EUR');
    await win(eko, 10_000, 'USD'); // 90.00 EUR at 0.90
    await win(eko, 500, 'CHF'); // no rate: listed, not added
    await call('POST', '/opportunities', { customerId, name: 'open', owner: ana, team, amount: 99_999, currency: 'EUR', expectedCloseDate: '2026-03-31' }); // open: not a win
    const targets = [
      { owner: ana, amount: 60_000 },
      { owner: eko, amount: 0 },
      { team, amount: 100_000 },
    ];
    const set = await call('PUT', '/sales-targets', { period: '2026-Q1', currency: 'EUR', targets }, {}, manager);
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ period: '2026-Q1', recorded: 3 });
    expect((await call('PUT', '/sales-targets', { period: '2026-Q1', currency: 'EUR', targets }, {}, manager)).body.recorded).toBe(0);
    // a target in yen for the same team next month does not mix in
    expect((await call('PUT', '/sales-targets', { period: '2026-04', currency: 'JPY', targets: [{ team, amount: 1 }] }, {}, manager)).status).toBe(200);
    // the targets read back, per period in time order, with the ETag a change names; a stale one is 412 before any rule
    const listed = await call('GET', '/sales-targets', undefined, {}, agent);
    expect(listed.status).toBe(200);
    const mine = (listed.body.targets as { period: string; subject: string; amount: number }[]).filter((t) => [ana, eko, team].includes(t.subject));
    expect(mine.map((t) => [t.period, t.subject, t.amount])).toEqual([
      ['2026-Q1', ana, 60_000],
      ['2026-Q1', eko, 0],
      ['2026-Q1', team, 100_000],
      ['2026-04', team, 1],
    ]);
    expect(
      ((await call('GET', '/sales-targets?period=2026-04', undefined, {}, agent)).body.targets as { period: string }[]).every((t) => t.period === '2026-04'),
    ).toBe(true);
    const etag = String(listed.etag);
    await new Promise((r) => setTimeout(r, 20));
    const beforeChange = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    // (a duplicate target would be a 422 targets-unique: the stale revision is refused first)
    await expectProblem(
      await call(
        'PUT',
        '/sales-targets',
        {
          period: '2026-04',
          currency: 'JPY',
          targets: [
            { team, amount: 1 },
            { team, amount: 1 },
          ],
        },
        { 'if-match': '"0"' },
        manager,
      ),
      412,
    );
    const changed = await call('PUT', '/sales-targets', { period: '2026-04', currency: 'JPY', targets: [{ team, amount: 2 }] }, { 'if-match': etag }, manager);
    expect([changed.status, changed.body.recorded]).toEqual([200, 1]);
    expect(changed.etag).not.toBe(etag);
    await expectProblem(
      await call('PUT', '/sales-targets', { period: '2026-04', currency: 'JPY', targets: [{ team, amount: 3 }] }, { 'if-match': etag }, manager),
      412,
    );
    // as recorded before the change: the old amount (and no ETag: a past table is not one to change)
    const before = await call('GET', `/sales-targets?period=2026-04&asOf=${encodeURIComponent(beforeChange)}`);
    expect(before.status).toBe(200);
    expect(before.etag).toBeNull();
    expect((before.body.targets as { subject: string; amount: number }[]).filter((t) => t.subject === team).map((t) => t.amount)).toEqual([1]);
    expect(
      ((await call('GET', '/sales-targets?period=2026-04')).body.targets as { subject: string; amount: number }[])
        .filter((t) => t.subject === team)
        .map((t) => t.amount),
    ).toEqual([2]);
    for (const [query, field] of [
      ['period=2026-13', 'period'],
      ['period=Q1', 'period'],
      ['asOf=yesterday', 'asOf'],
      ['period=2026-Q1&period=2026-Q2', 'period'],
    ] as const)
      await expectProblem(await call('GET', `/sales-targets?${query}`), 400, field);
    const attainment = async (query: string) =>
      (await call('GET', `/sales-targets/attainment?${query}`)).body as { items: Record<string, unknown>[] } & Record<string, unknown>;
    const q1 = await eventually(
      () => attainment(`period=2026-Q1&team=${team}`),
      (a) => (a.items?.[0]?.won as { count: number } | undefined)?.count === 3,
    );
    expect(q1).toMatchObject({ period: '2026-Q1', start: '2026-01-01', end: '2026-03-31', ratesOn: '2026-03-02' });
    expect(q1.items).toEqual([
      {
        scope: 'team',
        subject: team,
        currency: 'EUR',
        target: 100_000,
        won: { count: 3, amount: 39_000 },
        attainmentBasisPoints: 3_900,
        unconverted: [{ currency: 'CHF', count: 1, amount: 500 }],
      },
    ]);
    const owners = await attainment(`period=2026-Q1&owner=${ana}`);
    expect(owners.items).toEqual([
      { scope: 'owner', subject: ana, currency: 'EUR', target: 60_000, won: { count: 1, amount: 30_000 }, attainmentBasisPoints: 5_000, unconverted: [] },
    ]);
    expect((await attainment(`period=2026-Q1&owner=${eko}`)).items[0]).toMatchObject({
      target: 0,
      won: { count: 2, amount: 9_000 },
      attainmentBasisPoints: null,
    });
    expect((await attainment(`period=2026-04&team=${team}`)).items).toEqual([
      // (2: the amount changed above with If-Match)
      { scope: 'team', subject: team, currency: 'JPY', target: 2, won: { count: 0, amount: 0 }, attainmentBasisPoints: 0, unconverted: [] },
    ]);
    // before the targets were set there were none
    expect((await attainment(`period=2026-Q1&team=${team}&asOf=2000-01-01T00:00:00Z`)).items).toEqual([]);

    // bad input
    const ok = { period: '2026-Q1', currency: 'EUR', targets: [{ owner: ana, amount: 1 }] };
    for (const [body, field] of [
      [{ ...ok, period: '2026-Q5' }, 'period'],
      [{ ...ok, period: '2026-W09' }, 'period'],
      [{ ...ok, period: '2026-Q1\u0000' }, 'period'],
      [{ ...ok, currency: 'EURO' }, 'currency'],
      [{ ...ok, targets: [] }, 'targets'],
      [{ ...ok, targets: [[{ owner: ana, amount: 1 }]] }, 'targets'],
      [{ ...ok, targets: [{ owner: ana, amount: 1.5 }] }, 'targets.0.amount'],
      [{ ...ok, targets: [{ owner: ana, amount: '100' }] }, 'targets.0.amount'],
      [{ ...ok, targets: [{ owner: ana, amount: -1 }] }, 'targets.0.amount'],
      [{ ...ok, targets: [{ amount: 1 }] }, 'targets.0.owner'],
      [{ ...ok, targets: [{ team: 'Big Team', amount: 1 }] }, 'targets.0.team'],
      [{ ...ok, targets: [{ owner: ['x'], amount: 1 }] }, 'targets.0.owner'],
    ] as [unknown, string][]) {
      const r = await call('PUT', '/sales-targets', body, {}, manager);
      expect({ field, status: r.status, fields: fields(r.body) }).toEqual({ field, status: 400, fields: expect.arrayContaining([field]) });
    }
    expect((await call('PUT', '/sales-targets', { ...ok, targets: [{ owner: ana, team, amount: 1 }] }, {}, manager)).body.code).toBe('owner-or-team');
    expect((await call('PUT', '/sales-targets', { ...ok, targets: [ok.targets[0], ok.targets[0]] }, {}, manager)).body.code).toBe('targets-unique');
    const notJson = await fetch(`${base}/sales-targets`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${manager}`, 'content-type': 'text/plain' },
      body: 'x',
    });
    expect(notJson.status).toBe(415);
    expect(notJson.headers.get('content-type')).toContain('application/problem+json');
    for (const [query, field] of [
      ['period=2026', 'period'],
      ['', 'period'],
      ['period=2026-Q1&asOf=yesterday', 'asOf'],
      ['period=2026-Q1&team=A%00', 'team'],
    ]) {
      const r = await call('GET', `/sales-targets/attainment?${query}`);
      expect({ query, status: r.status, fields: fields(r.body) }).toEqual({ query, status: 400, fields: expect.arrayContaining([field]) });
    }
  });

  it('bad queries are a 400 naming the field', async () => {
    const ok = 'period=month&from=2026-01-01&to=2026-03-31&currency=EUR';
    const without = (name: string) => ok.replace(new RegExp(`${name}=[^&]*&?`), '');
    for (const [query, field] of [
      [without('period'), 'period'],
      [without('from'), 'from'],
      [without('to'), 'to'],
      [without('currency'), 'currency'],
      [`${ok}&period=week`.replace('period=month&', ''), 'period'],
      [ok.replace('currency=EUR', 'currency=eur'), 'currency'],
      [ok.replace('currency=EUR', 'currency=XXQ'), 'currency'],
      [ok.replace('currency=EUR', 'currency=EUR%00'), 'currency'],
      [ok.replace('currency=EUR', 'currency=EUR&currency=USD'), 'currency'],
      [ok.replace('from=2026-01-01', 'from=2026-02-30'), 'from'],
      [ok.replace('from=2026-01-01', 'from=yesterday'), 'from'],
      [ok.replace('to=2026-03-31', 'to=2025-12-31'), 'to'],
      [ok.replace('to=2026-03-31', 'to=2040-01-01'), 'to'],
      [`${ok}&groupBy=region`, 'groupBy'],
      [`${ok}&asOf=yesterday`, 'asOf'],
      [`${ok}&asOf=2026-03-01T25:00:00Z`, 'asOf'],
      [`${ok}&bestCaseFrom=101`, 'bestCaseFrom'],
      [`${ok}&bestCaseFrom=-1`, 'bestCaseFrom'],
      [`${ok}&commitFrom=4e1`, 'commitFrom'],
      [`${ok}&bestCaseFrom=80&commitFrom=70`, 'commitFrom'],
      [`${ok}&pipelineId=x`, 'pipelineId'],
      [`${ok}&team=A%00`, 'team'],
    ]) {
      const r = await call('GET', `/forecast?${query}`);
      expect({ query, status: r.status, type: r.type.includes('application/problem+json') }).toEqual({ query, status: 400, type: true });
      expect({ query, fields: fields(r.body) }).toEqual({ query, fields: expect.arrayContaining([field]) });
    }
  });

  it('who may: sales and management staff read; managers set targets; service staff, partners 403 (agents too on PUT); no token 401; documented in OpenAPI', async () => {
    const mint = app.app.get(TokenMint);
    const service = await mint.mint({ kind: 'staff', subject: 'budi', department: 'service', roles: ['manager'] });
    const partner = await mint.mint({ kind: 'partner', subject: 'p.x', partnerId: randomUUID(), roles: ['manager'] });
    for (const url of ['/forecast?period=month&from=2026-01-01&to=2026-03-31&currency=EUR', '/sales-targets/attainment?period=2026-Q1', '/sales-targets']) {
      for (const bearer of [service, partner]) expect((await call('GET', url, undefined, {}, bearer)).status).toBe(403);
      expect((await fetch(`${base}${url}`)).status).toBe(401);
      expect((await call('GET', url, undefined, {}, manager)).status).toBe(200);
      expect((await call('GET', url, undefined, {}, agent)).status).toBe(200);
    }
    const targets = { period: '2026-Q1', currency: 'EUR', targets: [{ owner: 'x', amount: 1 }] };
    for (const bearer of [service, partner, agent]) expect((await call('PUT', '/sales-targets', targets, {}, bearer)).status).toBe(403);
    expect(
      (await fetch(`${base}/sales-targets`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(targets) })).status,
    ).toBe(401);
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema?: unknown; example?: unknown }> }> }>>;
    };
    for (const [path, method, statuses] of [
      ['/forecast', 'get', ['200', '400', '401', '403']],
      ['/sales-targets/attainment', 'get', ['200', '400', '401', '403']],
      ['/sales-targets', 'get', ['200', '400', '401', '403']],
      ['/sales-targets', 'put', ['200', '400', '401', '403', '412', '415', '422']],
    ] as [string, string, string[]][]) {
      const op = doc.paths[path][method];
      expect({ path, statuses: Object.keys(op.responses) }).toEqual({ path, statuses: expect.arrayContaining(statuses) });
      expect(op.responses['200'].content?.['application/json']?.schema).toBeDefined();
      expect(op.responses['200'].content?.['application/json']?.example).toBeDefined();
      expect(op.responses['400'].content?.['application/problem+json']?.example).toBeDefined();
    }
  });

  it('activity report: calls, meetings, e-mails and tasks completed per owner per ISO week (managers); bad queries 400; agents 403', async () => {
    const id = randomUUID().slice(0, 6);
    const [ana, eko] = [`ana-${id}`, `eko-${id}`];
    const plan = async (kind: string, owner: string) => {
      const r = await call(
        'POST',
        '/activities',
        { kind, customerId, owner, subject: kind, dueAt: '2026-03-20T09:00:00Z', ...(kind === 'meeting' && { durationMinutes: 30 }) },
        {},
        manager,
      );
      expect(r.status).toBe(201);
      return String(r.body.activityId);
    };
    // planned and completed at that instant (an activity is not completed before it was planned)
    const complete = async (planned: () => Promise<string>, at: string) => {
      clock.set(at);
      const activityId = await planned();
      const r = await call('POST', `/activities/${activityId}/completion`, { response: 'done' }, {}, manager);
      expect({ status: r.status, code: r.body.code }).toEqual({ status: 200, code: undefined });
    };
    try {
      await complete(() => plan('call', ana), '2026-03-02T08:00:00.000Z'); // Monday of 2026-W10
      await complete(() => plan('call', ana), '2026-03-08T23:59:00.000Z'); // its Sunday
      await complete(() => plan('meeting', ana), '2026-03-04T10:00:00.000Z');
      await complete(() => plan('email', ana), '2026-03-09T00:00:00.000Z'); // 2026-W11
      await complete(() => plan('task', eko), '2026-03-05T10:00:00.000Z');
      await complete(() => plan('email', eko), '2026-03-31T10:00:00.000Z'); // after the range
      await plan('call', eko); // never completed
      const cancelled = await plan('call', eko);
      expect((await call('POST', `/activities/${cancelled}/cancellation`, { reason: 'no' }, {}, manager)).status).toBe(200);
    } finally {
      clock.set('2026-03-02T09:00:00.000Z');
    }
    const report = async (query: string, bearer = manager) =>
      (await call('GET', `/activity-reports?${query}`, undefined, {}, bearer)).body as { rows: Record<string, unknown>[] };
    const mine = (r: { rows: Record<string, unknown>[] }) => r.rows.filter((row) => String(row.owner).endsWith(id));
    const all = await eventually(
      () => report('from=2026-03-01&to=2026-03-15'),
      (r) => mine(r).length === 3,
    );
    expect(mine(all)).toEqual([
      { owner: ana, week: '2026-W10', weekStart: '2026-03-02', calls: 2, meetings: 1, emails: 0, tasks: 0 },
      { owner: eko, week: '2026-W10', weekStart: '2026-03-02', calls: 0, meetings: 0, emails: 0, tasks: 1 },
      { owner: ana, week: '2026-W11', weekStart: '2026-03-09', calls: 0, meetings: 0, emails: 1, tasks: 0 },
    ]);
    // The last completion (31 March) may reach the read model after the first range was complete: wait for it too.
    const eko31 = await eventually(
      () => report(`from=2026-03-01&to=2026-03-31&owner=${eko}`),
      (r) => r.rows.length === 2,
    );
    expect(eko31.rows.map((r) => [r.week, r.tasks, r.emails])).toEqual([
      ['2026-W10', 1, 0],
      ['2026-W14', 0, 1],
    ]);
    for (const [query, field] of [
      ['to=2026-03-31', 'from'],
      ['from=2026-03-01', 'to'],
      ['from=2026-02-30&to=2026-03-31', 'from'],
      ['from=2026-03-01&to=2026-02-01', 'to'],
      ['from=2026-03-01&to=2027-06-01', 'to'],
      ['from=2026-03-01%00&to=2026-03-31', 'from'],
      ['from=2026-03-01&to=2026-03-31&owner=', 'owner'],
    ]) {
      const r = await call('GET', `/activity-reports?${query}`, undefined, {}, manager);
      expect({ query, status: r.status, problem: r.type.includes('application/problem+json'), fields: fields(r.body) }).toEqual({
        query,
        status: 400,
        problem: true,
        fields: expect.arrayContaining([field]),
      });
    }
    const mint = app.app.get(TokenMint);
    const service = await mint.mint({ kind: 'staff', subject: 'budi', department: 'service', roles: ['manager'] });
    const partner = await mint.mint({ kind: 'partner', subject: 'p.x', partnerId: randomUUID(), roles: ['manager'] });
    for (const bearer of [agent, service, partner])
      expect((await call('GET', '/activity-reports?from=2026-03-01&to=2026-03-31', undefined, {}, bearer)).status).toBe(403);
    expect((await fetch(`${base}/activity-reports?from=2026-03-01&to=2026-03-31`)).status).toBe(401);
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema?: unknown; example?: unknown }> }> }>>;
    };
    const op = doc.paths['/activity-reports'].get;
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403']));
    expect(op.responses['200'].content?.['application/json']?.example).toBeDefined();
  });
});
