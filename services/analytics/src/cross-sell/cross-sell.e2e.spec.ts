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
import { AnalyticsConfig, createAnalyticsApp } from '../analytics';
import type { NextBestOffersView, RulesPage } from './cross-sell.query';

// Cross-sell over HTTP on the embedded platform: orders placed in sales become baskets, rules and
// next best offers, worked by hand below.
describe('analytics: cross-sell rules and next best offers (embedded)', () => {
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
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-analytics-cross-sell-'));
    const config = loadConfig(AnalyticsConfig, { CRM_DATA_DIR: dataDir });
    platform = await createPlatform(config, { registry: crmRegistry(), clientId: 'test' });
    app = await createAnalyticsApp(config, platform, { embedded: true });
    base = await app.listen(0);
    mint = app.app.get(TokenMint);
    token = await mint.mint({ kind: 'staff', subject: 'mia', department: 'marketing', roles: [] });
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
  const expectProblem = (r: { status: number; type: string; body: Record<string, unknown> }, status: number, field?: string) => {
    expect(r.status).toBe(status);
    expect(r.type).toContain('application/problem+json');
    if (field) expect(JSON.stringify(r.body.errors)).toContain(`"field":"${field}"`);
  };
  const rule = (r: RulesPage['items'][number]) => [`${r.antecedent.productId}→${r.consequent.productId}`, r.orders, r.support, r.confidence, r.lift];

  const ids: Record<string, string> = {};

  // Seven orders that stand, one cancelled:
  //   1 {service, van} c1   2 {tyres, van} c1   3 {service, van} c2   4 {tyres} c2
  //   5 {service, tyres, van} c3   6 {roof-rack} c4   7 {van} c4   ({roof-rack, van} c4: cancelled)
  // van 5, service 3, tyres 3, roof-rack 1; service+van 3, tyres+van 2, service+tyres 1 (under 2 orders: no rule)
  it('gives support, confidence and lift of the product pairs of the orders, best first', async () => {
    for (const c of ['c1', 'c2', 'c3', 'c4', 'c5', 'none']) ids[c] = (await commands.customers.register(alice, { kind: 'organisation', name: `PT ${c}` })).id;
    const line = (productId: string) => ({ productId, quantity: 1, unitPrice: 1_000, ...(productId === 'van' && { productName: 'Panel van' }) });
    const place = (c: string, products: string[]) => commands.orders.place(alice, { customerId: ids[c], currency: 'EUR', lines: products.map(line) });
    await place('c1', ['van', 'service']);
    await place('c1', ['van', 'tyres']);
    await place('c2', ['van', 'service']);
    await place('c2', ['tyres']);
    await place('c3', ['van', 'service', 'tyres']);
    await place('c4', ['roof-rack']);
    await place('c4', ['van']);
    const cancelled = await place('c4', ['van', 'roof-rack']);
    await commands.orders.cancel(alice, cancelled.id, { reason: 'ordered twice' });
    await waitFor(async () => ((await call('/cross-sell/rules')).body as unknown as RulesPage).baskets === 7, 20000, 'the orders to reach analytics');

    const page = (await call('/cross-sell/rules')).body as unknown as RulesPage;
    expect(page.items.map(rule)).toEqual(
      [
        ['service→van', 3, 3 / 7, 1, 7 / 5],
        ['tyres→van', 2, 2 / 7, 2 / 3, 2 / 3 / (5 / 7)],
        ['van→service', 3, 3 / 7, 3 / 5, 3 / 5 / (3 / 7)],
        ['van→tyres', 2, 2 / 7, 2 / 5, 2 / 5 / (3 / 7)],
      ].map(([name, orders, support, confidence, lift]) => [
        name,
        orders,
        expect.closeTo(support as number, 12),
        expect.closeTo(confidence as number, 12),
        expect.closeTo(lift as number, 12),
      ]),
    );
    expect(page.items[0].consequent).toEqual({ productId: 'van', productName: 'Panel van' });
    expect(page.nextCursor).toBeUndefined();
  });

  it('filters by minimum support and confidence, and pages by cursor', async () => {
    const names = async (query: string) => ((await call(`/cross-sell/rules?${query}`)).body as unknown as RulesPage).items.map((r) => rule(r)[0]);
    expect(await names('minConfidence=0.5')).toEqual(['service→van', 'tyres→van', 'van→service']);
    expect(await names('minSupport=0.35')).toEqual(['service→van', 'van→service']);
    expect(await names('minSupport=1')).toEqual([]);
    const seen: unknown[] = [];
    let cursor: string | undefined;
    do {
      const page = (await call(`/cross-sell/rules?limit=1${cursor ? `&cursor=${cursor}` : ''}`)).body as unknown as RulesPage;
      seen.push(...page.items.map((r) => rule(r)[0]));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['service→van', 'tyres→van', 'van→service', 'van→tyres']);
  });

  it('refuses bad filters, limits and cursors, naming the field', async () => {
    for (const [query, field] of [
      ['minSupport=2', 'minSupport'],
      ['minSupport=-0.1', 'minSupport'],
      ['minSupport=abc', 'minSupport'],
      ['minConfidence=1.5', 'minConfidence'],
      ['limit=0', 'limit'],
      ['limit=x', 'limit'],
      ['cursor=%21%21', 'cursor'],
      ['cursor=bm90LWpzb24', 'cursor'],
      [`cursor=${Buffer.from('[1,2]').toString('base64url')}`, 'cursor'],
    ])
      expectProblem(await call(`/cross-sell/rules?${query}`), 400, field);
  });

  it('offers what the rules suggest from what a customer bought, never what it owns, with the rule', async () => {
    const offers = async (c: string, query = '') => (await call(`/customers/${ids[c]}/next-best-offers${query}`)).body as unknown as NextBestOffersView;
    // c4 owns van and roof-rack (its cancelled order does not count): van → service (lift 7/5); van → tyres has lift 14/15 ≤ 1
    const c4 = await offers('c4');
    expect(c4.owned).toEqual(['roof-rack', 'van']);
    expect(c4.offers.map((o) => [o.productId, o.score, rule(o.rule)[0]])).toEqual([['service', 3 / 5, 'van→service']]);
    // c1, c2 and c3 own everything the rules lead to
    expect((await offers('c1')).offers).toEqual([]);
    await commands.orders.place(alice, { customerId: ids.c5, currency: 'EUR', lines: [{ productId: 'service', quantity: 1, unitPrice: 500 }] });
    await waitFor(async () => (await offers('c5')).owned.length === 1, 20000, 'the order to reach analytics');
    const c5 = await offers('c5');
    expect(c5.offers.map((o) => [o.productId, o.productName, o.score, rule(o.rule)[0]])).toEqual([['van', 'Panel van', 3 / 4, 'service→van']]); // its own order {service} is a basket too: service → van 3 of 4
    expect(await offers('none')).toEqual({ customerId: ids.none, owned: [], offers: [] });
    expect((await offers('c4', '?limit=1')).offers).toHaveLength(1);
  });

  it('answers 404 for an unknown customer and a problem naming a bad id or limit', async () => {
    expectProblem(await call(`/customers/${randomUUID()}/next-best-offers`), 404);
    expectProblem(await call('/customers/not-a-uuid/next-best-offers'), 400, 'id');
    expectProblem(await call(`/customers/${ids.c1}/next-best-offers?limit=0`), 400, 'limit');
    expectProblem(await call(`/customers/${ids.c1}/next-best-offers?limit=51`), 400, 'limit');
  });

  it('is for staff only: a partner token is 403, no token 401', async () => {
    const partner = await mint.mint(pat);
    for (const url of ['/cross-sell/rules', `/customers/${ids.c1}/next-best-offers`]) {
      expect((await call(url, partner)).status).toBe(403);
      expect((await call(url, null)).status).toBe(401);
    }
  });

  it('documents the routes with their answers, examples and errors', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as {
      paths: Record<string, { get: { responses: Record<string, { content?: Record<string, { schema?: { example?: unknown } }> }> } }>;
    };
    expect(Object.keys(doc.paths['/cross-sell/rules'].get.responses).sort()).toEqual(['200', '400', '401', '403']);
    expect(Object.keys(doc.paths['/customers/{id}/next-best-offers'].get.responses).sort()).toEqual(['200', '400', '401', '403', '404']);
    expect(doc.paths['/cross-sell/rules'].get.responses['200'].content!['application/json'].schema!.example).toBeDefined();
    expect(doc.paths['/customers/{id}/next-best-offers'].get.responses['200'].content!['application/json'].schema!.example).toBeDefined();
  });
});
