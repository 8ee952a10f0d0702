import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '@crm/config';
import { crmRegistry } from '@crm/contracts';
import { waitFor } from '@crm/event-store/testing';
import { systemClock } from '@crm/kernel';
import { createPlatform, type Platform } from '@crm/platform';
import { createRelationshipCommands, ExchangeRateCommands, type RelationshipCommands } from '@crm/relationship-api';
import { TokenMint, type PartnerPrincipal, type ServiceApp, type StaffPrincipal } from '@crm/service-kit';
import { AnalyticsConfig, createAnalyticsApp } from '../analytics';
import type { RfmListView, RfmOfCustomerView } from './rfm.dto';

// RFM over HTTP on the embedded platform: orders placed in sales and a rate set in sales (the
// published ExchangeRatesSet) reach analytics' read models; the scores are hand-computed below.
describe('analytics: RFM (embedded)', () => {
  let dataDir: string;
  let platform: Platform;
  let app: ServiceApp;
  let base: string;
  let token: string;
  let mint: TokenMint;
  let commands: RelationshipCommands;
  const alice: StaffPrincipal = { kind: 'staff', subject: 'alice', department: 'sales', roles: ['manager'] };
  const pat: PartnerPrincipal = { kind: 'partner', subject: 'pat', partnerId: randomUUID(), roles: ['partner'] };
  const asOf = '2025-12-31T23:59:59.000Z';
  const ids: Record<'a' | 'b' | 'c' | 'd' | 'e' | 'f', string> = { a: '', b: '', c: '', d: '', e: '', f: '' };

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-analytics-rfm-'));
    const config = loadConfig(AnalyticsConfig, { CRM_DATA_DIR: dataDir });
    platform = await createPlatform(config, { registry: crmRegistry(), clientId: 'test' });
    app = await createAnalyticsApp(config, platform, { embedded: true });
    base = await app.listen(0);
    mint = app.app.get(TokenMint);
    token = await mint.mint({ kind: 'staff', subject: 'ana', department: 'analytics', roles: [] });
    commands = createRelationshipCommands(platform.eventStore);

    for (const k of Object.keys(ids) as (keyof typeof ids)[]) ids[k] = (await commands.customers.register(alice, { kind: 'organisation', name: `PT ${k}` })).id;
    const place = (customer: keyof typeof ids, orderDate: string, currency: string, unitPrice: number) =>
      commands.orders.place(alice, { customerId: ids[customer], orderDate, currency, lines: [{ productId: 'van', quantity: 1, unitPrice }] });
    // a: four occasions in the period; on 2025-12-30 two orders, one in USD (0.5 → 10000 cents) — 260000 EUR cents
    await place('a', '2025-12-30T09:00:00.000Z', 'EUR', 100_000);
    await place('a', '2025-12-30T15:00:00.000Z', 'USD', 20_000);
    await place('a', '2025-11-01T10:00:00.000Z', 'EUR', 50_000);
    await place('a', '2025-06-01T10:00:00.000Z', 'EUR', 50_000);
    await place('a', '2025-03-01T10:00:00.000Z', 'EUR', 50_000);
    // b: two occasions, 60000, last 30 days ago
    await place('b', '2025-12-01T10:00:00.000Z', 'EUR', 30_000);
    await place('b', '2025-10-01T10:00:00.000Z', 'EUR', 30_000);
    // c: one occasion, 5000, 183 days ago
    await place('c', '2025-07-01T10:00:00.000Z', 'EUR', 5_000);
    // d: bought only before the period (716 days ago)
    await place('d', '2024-01-15T10:00:00.000Z', 'EUR', 9_000);
    // e: only a currency without a rate: no occasion, reported as unconverted; f: never bought
    await place('e', '2025-12-01T10:00:00.000Z', 'KWD', 1_000);
    await new ExchangeRateCommands(platform.eventStore, { clock: systemClock }).set(alice, {
      reportingCurrency: 'EUR',
      effectiveDate: '2025-01-01',
      rates: [{ currency: 'USD', rate: '0.5' }],
    });
    await waitFor(
      async () => {
        const r = await call(`/rfm?asOf=${asOf}`);
        const list = r.body as unknown as RfmListView;
        return r.status === 200 && list.customersScored === 4 && list.unconverted.orders === 1 && list.items.some((i) => i.monetary === 260_000);
      },
      30000,
      'the orders and the rate to reach analytics',
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

  it('scores each customer against everyone who bought: quintiles, cell and segment', async () => {
    // Four customers scored: mid-rank percentiles .125 .375 .625 .875 → 1 2 4 5 on each of R, F, M.
    const of = async (k: keyof typeof ids) => (await call(`/customers/${ids[k]}/rfm?asOf=${asOf}&periodDays=365`)).body as unknown as RfmOfCustomerView;
    expect(await of('a')).toEqual({
      customerId: ids.a,
      asOf,
      periodDays: 365,
      reportingCurrency: 'EUR',
      customersScored: 4,
      rfm: {
        customerId: ids.a,
        lastPurchaseDay: '2025-12-30',
        recencyDays: 1,
        frequency: 4,
        monetary: 260_000,
        scores: { r: 5, f: 5, m: 5 },
        cell: '555',
        segment: 'champions',
      },
      unconverted: { orders: 1, currencies: ['KWD'] },
    });
    expect((await of('b')).rfm).toMatchObject({ recencyDays: 30, frequency: 2, monetary: 60_000, cell: '444', segment: 'loyal' });
    expect((await of('c')).rfm).toMatchObject({ recencyDays: 183, frequency: 1, monetary: 5_000, cell: '222', segment: 'hibernating' });
    expect((await of('d')).rfm).toMatchObject({ recencyDays: 716, frequency: 0, monetary: 0, cell: '111', segment: 'lost' });
    // no purchase occasion: no RFM (e's only order has no rate to EUR)
    expect(await of('e')).toMatchObject({ customerId: ids.e, rfm: null, customersScored: 4 });
    expect((await of('f')).rfm).toBeNull();
  });

  it('answers as of an earlier instant and over another period', async () => {
    const r = (await call(`/customers/${ids.a}/rfm?asOf=2025-12-29T00:00:00Z&periodDays=90`)).body as unknown as RfmOfCustomerView;
    // 2025-11-01 was the last occasion by then (58 days); the period 2025-10-01 … 2025-12-29 holds one
    expect(r.rfm).toMatchObject({ lastPurchaseDay: '2025-11-01', recencyDays: 58, frequency: 1, monetary: 50_000 });
    expect(r.periodDays).toBe(90);
    // before anyone bought
    expect((await call(`/rfm?asOf=2023-01-01T00:00:00Z`)).body).toMatchObject({ customersScored: 0, items: [], nextCursor: null });
  });

  it('lists everyone by page with the segment counts and the R × F grid, and filters by segment', async () => {
    const first = (await call(`/rfm?asOf=${asOf}&limit=3`)).body as unknown as RfmListView;
    expect(first.items).toHaveLength(3);
    expect(first.segments).toMatchObject({ champions: 1, loyal: 1, hibernating: 1, lost: 1, new: 0 });
    expect(first.grid).toEqual([
      [1, 0, 0, 0, 0],
      [0, 1, 0, 0, 0],
      [0, 0, 0, 0, 0],
      [0, 0, 0, 1, 0],
      [0, 0, 0, 0, 1],
    ]);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = (await call(`/rfm?asOf=${asOf}&limit=3&cursor=${first.nextCursor}`)).body as unknown as RfmListView;
    expect(second.items).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    expect([...first.items, ...second.items].map((i) => i.customerId)).toEqual([ids.a, ids.b, ids.c, ids.d].sort());
    const champions = (await call(`/rfm?asOf=${asOf}&segment=champions`)).body as unknown as RfmListView;
    expect(champions.items.map((i) => i.customerId)).toEqual([ids.a]);
    expect(champions.customersScored).toBe(4);
  });

  it('answers bad input with 400 problem+json naming the field, and 404 for an unknown customer', async () => {
    const cases: [string, string][] = [
      [`/customers/${ids.a}/rfm?periodDays=0`, 'periodDays'],
      [`/customers/${ids.a}/rfm?periodDays=36501`, 'periodDays'],
      [`/customers/${ids.a}/rfm?periodDays=abc`, 'periodDays'],
      [`/customers/${ids.a}/rfm?periodDays=1.5`, 'periodDays'],
      [`/customers/${ids.a}/rfm?asOf=yesterday`, 'asOf'],
      [`/customers/${ids.a}/rfm?asOf=2026-13-45`, 'asOf'],
      ['/customers/not-a-uuid/rfm', 'id'],
      ['/rfm?segment=vip', 'segment'],
      ['/rfm?limit=0', 'limit'],
      ['/rfm?limit=501', 'limit'],
      ['/rfm?limit=ten', 'limit'],
      ['/rfm?cursor=!!', 'cursor'],
      [`/rfm?cursor=${Buffer.from('["orders","x"]').toString('base64url')}`, 'cursor'],
      ['/rfm?cursor=bm90LWpzb24', 'cursor'],
      ['/rfm?asOf=2026-02-30T00:00:00Z', 'asOf'],
      ['/rfm?periodDays=-5', 'periodDays'],
    ];
    for (const [url, field] of cases) {
      const r = await call(url);
      expect({ url, status: r.status, type: r.type }).toEqual({ url, status: 400, type: expect.stringContaining('application/problem+json') });
      expect((r.body.errors as { field: string }[]).map((e) => e.field)).toContain(field);
    }
    const unknown = await call(`/customers/${randomUUID()}/rfm`);
    expect(unknown.status).toBe(404);
    expect(unknown.type).toContain('application/problem+json');
  });

  it('is for staff only: a partner token is 403, no token or a forged one 401', async () => {
    for (const url of [`/customers/${ids.a}/rfm`, '/rfm']) {
      expect((await call(url, await mint.mint(pat))).status).toBe(403);
      expect((await call(url, null)).status).toBe(401);
      expect((await call(url, `${token.slice(0, -4)}AAAA`)).status).toBe(401);
    }
  });

  it('documents both routes in OpenAPI with their response schema, errors, parameters and an example', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as {
      paths: Record<
        string,
        { get?: { responses: Record<string, { content?: Record<string, { schema?: unknown; example?: unknown }> }>; parameters?: { name: string }[] } }
      >;
    };
    const expected: [string, string[], string[]][] = [
      ['/customers/{id}/rfm', ['200', '400', '401', '403', '404'], ['asOf', 'id', 'periodDays']],
      ['/rfm', ['200', '400', '401', '403'], ['asOf', 'cursor', 'limit', 'periodDays', 'segment']],
    ];
    for (const [route, statuses, parameters] of expected) {
      const operation = doc.paths[route].get!;
      expect(Object.keys(operation.responses).sort()).toEqual(statuses);
      expect(operation.parameters!.map((p) => p.name).sort()).toEqual(parameters);
      const ok = operation.responses['200'].content?.['application/json'];
      expect(ok?.schema).toBeDefined();
      expect(ok?.example).toBeDefined();
      expect(operation.responses['400'].content?.['application/problem+json']?.example).toBeDefined();
    }
  });
});
