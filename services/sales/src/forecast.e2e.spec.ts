import { randomUUID } from 'node:crypto';
import { crmRegistry } from '@crm/contracts';
import { TestClock } from '@crm/kernel';
import { TokenMint, type ServiceApp } from '@crm/service-kit';
import { httpCaller, startEmbeddedService, type HttpReply } from '@crm/service-kit/testing';
import { createSalesApp, SalesConfig } from './sales';

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
  const fields = (body: Record<string, unknown>) => ((body.errors as { field: string }[] | undefined) ?? []).map((e) => e.field);
  async function expectProblem(r: Response | HttpReply, status: number, field?: string): Promise<Record<string, unknown>> {
    expect({ status: r.status }).toEqual({ status });
    const type = r instanceof Response ? (r.headers.get('content-type') ?? '') : r.type;
    expect(type).toContain('application/problem+json');
    const body = r instanceof Response ? ((await r.json()) as Record<string, unknown>) : r.body;
    if (field) expect(fields(body)).toContain(field);
    return body;
  }
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
      ['/exchange-rates', 'put', ['200', '400', '401', '403', '415', '422']],
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
