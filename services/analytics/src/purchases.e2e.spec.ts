import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '@crm/config';
import { crmRegistry } from '@crm/contracts';
import { waitFor } from '@crm/event-store/testing';
import { createPlatform, type Platform } from '@crm/platform';
import { createRelationshipCommands, type RelationshipCommands } from '@crm/relationship-api';
import { TokenMint, type PartnerPrincipal, type ServiceApp, type StaffPrincipal } from '@crm/service-kit';
import { AnalyticsConfig, createAnalyticsApp } from './analytics';
import type { CustomerPurchasesView } from './purchases/get-purchases/get-purchases.query';

// Analytics' purchase history over HTTP on the embedded platform: orders placed, returned and
// cancelled in sales become one customer's purchases, per currency, with purchase occasions.
describe("analytics: a customer's purchase history (embedded)", () => {
  let dataDir: string;
  let platform: Platform;
  let app: ServiceApp;
  let base: string;
  let token: string;
  let mint: TokenMint;
  let commands: RelationshipCommands;
  const alice: StaffPrincipal = { kind: 'staff', subject: 'alice', department: 'sales', roles: [] };
  const pat: PartnerPrincipal = { kind: 'partner', subject: 'pat', partnerId: randomUUID(), roles: ['partner'] };

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-analytics-purchases-'));
    const config = loadConfig(AnalyticsConfig, { CRM_DATA_DIR: dataDir });
    platform = await createPlatform(config, { registry: crmRegistry(), clientId: 'test' });
    app = await createAnalyticsApp(config, platform, { embedded: true });
    base = await app.listen(0);
    mint = app.app.get(TokenMint);
    token = await mint.mint({ kind: 'staff', subject: 'ana', department: 'analytics', roles: [] });
    commands = createRelationshipCommands(platform.eventStore);
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
  const purchases = async (customerId: string) => (await call(`/customers/${customerId}/purchases`)).body as unknown as CustomerPurchasesView;

  it('counts orders per currency net of returns, leaves cancelled ones out, and makes one occasion of one day', async () => {
    const customerId = (await commands.customers.register(alice, { kind: 'organisation', name: 'PT Pembeli' })).id;
    const place = (orderDate: string, currency: string, unitPrice: number, quantity = 1) =>
      commands.orders.place(alice, { customerId, orderDate, currency, lines: [{ productId: 'van', quantity, unitPrice }] });
    const a = await place('2026-01-10T09:00:00.000Z', 'EUR', 10_000, 2);
    await place('2026-01-10T15:00:00.000Z', 'EUR', 5_000); // same day: the same purchase occasion
    const c = await place('2026-02-01T10:00:00.000Z', 'IDR', 150_000_00);
    const d = await place('2026-03-01T10:00:00.000Z', 'EUR', 99_900);
    await commands.orders.return(alice, a.id, { lines: [{ lineId: '1', quantity: 1 }], reason: 'dented' });
    await commands.orders.cancel(alice, d.id, { reason: 'changed their mind' });

    await waitFor(async () => (await purchases(customerId)).orders?.some((o) => o.status === 'cancelled') ?? false, 20000, 'the orders to reach analytics');
    const view = await purchases(customerId);
    expect(view.orders.map((o) => [o.orderDate.slice(0, 10), o.currency, o.total, o.refunded, o.status])).toEqual([
      ['2026-03-01', 'EUR', 99_900, 99_900, 'cancelled'],
      ['2026-02-01', 'IDR', 150_000_00, 0, 'placed'],
      ['2026-01-10', 'EUR', 5_000, 0, 'placed'],
      ['2026-01-10', 'EUR', 20_000, 10_000, 'partially-returned'],
    ]);
    // never added across currencies; the cancelled order counts nowhere
    expect(view.byCurrency).toEqual({ EUR: { orders: 2, net: 15_000 }, IDR: { orders: 1, net: 150_000_00 } });
    expect(view.purchaseOccasions).toBe(2);
    // in the reporting currency (EUR by default): the IDR order has no rate, so it is left out and counted
    expect(view.inReportingCurrency).toEqual({ currency: 'EUR', net: 15_000, purchaseOccasions: 1, unconverted: { orders: 1, currencies: ['IDR'] } });
    expect(view.lastOrderDate).toBe('2026-02-01T10:00:00.000Z');
    expect(view.orders.find((o) => o.orderId === c.id)).toMatchObject({ source: 'api', lineCount: 1 });
  });

  it('answers 404 for an unknown customer and a problem naming the id for a malformed one', async () => {
    const unknown = await call(`/customers/${randomUUID()}/purchases`);
    expect(unknown.status).toBe(404);
    expect(unknown.type).toContain('application/problem+json');
    for (const bad of ['not-a-uuid', '%00', '%F0%9F%98%80']) {
      const r = await call(`/customers/${bad}/purchases`);
      expect(r.status).toBe(400);
      expect(r.type).toContain('application/problem+json');
      expect(JSON.stringify(r.body)).toContain('id');
    }
  });

  it('is for staff only: a partner token is 403, no token or a forged one 401', async () => {
    const customerId = (await commands.customers.register(alice, { kind: 'person', name: 'Sari' })).id;
    expect((await call(`/customers/${customerId}/purchases`, await mint.mint(pat))).status).toBe(403);
    expect((await call(`/customers/${customerId}/purchases`, null)).status).toBe(401);
    expect((await call(`/customers/${customerId}/purchases`, `${token.slice(0, -4)}AAAA`)).status).toBe(401);
  });

  it('documents the route with its answer and errors', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, { get?: { responses: Record<string, unknown> } }> };
    expect(Object.keys(doc.paths['/customers/{id}/purchases'].get!.responses).sort()).toEqual(['200', '400', '401', '403', '404']);
  });
});
