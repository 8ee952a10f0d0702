import { randomUUID } from 'node:crypto';
import { crmRegistry } from '@crm/contracts';
import { TokenMint, type ServiceApp } from '@crm/service-kit';
import { httpCaller, startEmbeddedService } from '@crm/service-kit/testing';
import { createSalesApp, SalesConfig } from './sales';

/** Polls until `check` holds (the read models follow the store within moments). */
async function waitFor(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

// Sales orders: POST /orders (directly, on an opportunity), GET /orders/{id}, GET /orders, cancellation, returns.
describe('sales orders', () => {
  let app: ServiceApp;
  let stop: () => Promise<void>;
  let base: string;
  let token: string;
  let mint: TokenMint;
  let customerId: string;
  const call = httpCaller(
    () => base,
    () => token,
  );
  const van = { productId: 'VAN-L2', productName: 'Delivery van', quantity: 2, unitPrice: 2_500_000, discountPercent: 10, taxPercent: 11 };
  const order = (over: Record<string, unknown> = {}) => ({ customerId, currency: 'EUR', lines: [van], ...over });

  beforeAll(async () => {
    ({ app, base, stop } = await startEmbeddedService('sales-orders', SalesConfig, createSalesApp, crmRegistry()));
    mint = app.app.get(TokenMint);
    token = await mint.mint({ kind: 'staff', subject: 'sari', department: 'sales', roles: ['agent'] });
    customerId = String((await call('POST', '/customers', { kind: 'organisation', name: 'PT Maju' })).body.customerId);
  });
  afterAll(async () => {
    await stop?.();
  });

  it('places an order with totals in minor units, shows it, and answers a retry with the same order', async () => {
    const orderId = randomUUID();
    const placed = await call(
      'POST',
      '/orders',
      order({ orderId, orderDate: '2026-01-15', lines: [van, { productId: 'SRV', quantity: 3, unitPrice: 333, discountPercent: 12.5 }] }),
    );
    expect(placed.status).toBe(201);
    expect(placed.location).toBe(`/orders/${orderId}`);
    expect(placed.etag).toBe('"0"');
    // van: 5,000,000 − 10 % = 4,500,000 + 11 % = 4,995,000; service: 999 − 124.875 → 125 = 874
    expect(placed.body).toEqual({ orderId, status: 'placed', total: 4_995_874, currency: 'EUR', created: true });

    const got = await call('GET', `/orders/${orderId}`);
    expect(got.status).toBe(200);
    expect(got.etag).toBe('"0"');
    expect(got.body).toMatchObject({
      orderId,
      customerId,
      status: 'placed',
      orderDate: '2026-01-15T00:00:00.000Z',
      currency: 'EUR',
      subtotal: 5_000_999,
      discountTotal: 500_125,
      taxTotal: 495_000,
      total: 4_995_874,
      source: 'api',
      lines: [
        { lineId: '1', productId: 'VAN-L2', gross: 5_000_000, discount: 500_000, discountRate: 1000, tax: 495_000, taxRate: 1100, total: 4_995_000 },
        { lineId: '2', productId: 'SRV', gross: 999, discount: 125, discountRate: 1250, tax: 0, total: 874 },
      ],
    });

    const retry = await call(
      'POST',
      '/orders',
      order({ orderId, orderDate: '2026-01-15', lines: [van, { productId: 'SRV', quantity: 3, unitPrice: 333, discountPercent: 12.5 }] }),
    );
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ orderId, created: false });
    const other = await call('POST', '/orders', order({ orderId }));
    expect(other.status).toBe(422);
    expect(other.type).toContain('application/problem+json');
    expect(other.body.code).toBe('order-exists');
  });

  it('an order on an opportunity closes it as won with its total; a second order on it is a 422 naming the rule', async () => {
    const opp = await call('POST', '/opportunities', { customerId, name: 'Fleet renewal', expectedValue: 5_000_000, currency: 'EUR' });
    const opportunityId = String(opp.body.episodeId);
    const placed = await call('POST', '/orders', order({ opportunityId }));
    expect(placed.status).toBe(201);
    expect(placed.body).toMatchObject({ closedOpportunity: opportunityId, total: 4_995_000 });
    const again = await call('POST', '/orders', order({ opportunityId }));
    expect(again.status).toBe(422);
    expect(again.body).toMatchObject({ code: 'opportunity-closed', detail: expect.stringContaining('already closed') });
    // closing it by hand now: it is closed already
    expect((await call('POST', `/opportunities/${opportunityId}/close`, { outcome: 'lost', reason: 'changed their mind' })).status).toBe(422);
    let closed: Record<string, unknown> | undefined;
    await waitFor(async () => {
      const episodes = (await call('GET', `/customers/${customerId}/timeline`)).body.episodes as { episodeId: string; closed?: Record<string, unknown> }[];
      closed = episodes?.find((e) => e.episodeId === opportunityId)?.closed;
      return closed !== undefined;
    }, 'the timeline to show the won opportunity');
    expect(closed).toMatchObject({ outcome: 'won', value: 4_995_000, currency: 'EUR' });
    // an opportunity that does not exist, or of another customer
    expect((await call('POST', '/orders', order({ opportunityId: randomUUID() }))).body.code).toBe('unknown-opportunity');
  });

  it('returns line by line, then the rest; refunds add up to the total; nothing more to return', async () => {
    const orderId = String((await call('POST', '/orders', order())).body.orderId);
    const first = await call('POST', `/orders/${orderId}/returns`, { lines: [{ lineId: '1', quantity: 1 }], reason: 'dented' }, { 'if-match': '"0"' });
    expect(first.status).toBe(201);
    expect(first.etag).toBe('"1"');
    expect(first.body).toMatchObject({ orderId, status: 'partially-returned', amount: 2_497_500, currency: 'EUR' });
    const returnId = String(first.body.returnId);
    // the same return again (its id): nothing new
    const retried = await call('POST', `/orders/${orderId}/returns`, { returnId, lines: [{ lineId: '1', quantity: 1 }] });
    expect(retried.body).toMatchObject({ returnId, amount: 2_497_500 });
    expect((await call('GET', `/orders/${orderId}`)).etag).toBe('"1"');
    const tooMany = await call('POST', `/orders/${orderId}/returns`, { lines: [{ lineId: '1', quantity: 2 }] });
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.code).toBe('return-exceeds-ordered');
    expect((await call('POST', `/orders/${orderId}/returns`, { lines: [{ lineId: '7', quantity: 1 }] })).body.code).toBe('unknown-order-line');
    const rest = await call('POST', `/orders/${orderId}/returns`, {});
    expect(rest.body).toMatchObject({ status: 'returned', amount: 2_497_500 });
    const after = await call('GET', `/orders/${orderId}`);
    expect(after.body).toMatchObject({ status: 'returned', refunded: 4_995_000, returnedQuantities: { '1': 2 } });
    expect((after.body.returns as unknown[]).length).toBe(2);
    expect((await call('POST', `/orders/${orderId}/returns`, {})).body.code).toBe('order-returned');
    expect((await call('POST', `/orders/${orderId}/cancellation`, {})).body.code).toBe('order-has-returns');
  });

  it('cancels an order as a whole (again: nothing new); a cancelled order has nothing to return', async () => {
    const orderId = String((await call('POST', '/orders', order())).body.orderId);
    const cancelled = await call('POST', `/orders/${orderId}/cancellation`, { reason: 'ordered twice' }, { 'if-match': '"0"' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toEqual({ orderId, status: 'cancelled', amount: 4_995_000, currency: 'EUR' });
    expect(cancelled.etag).toBe('"1"');
    const again = await call('POST', `/orders/${orderId}/cancellation`, {});
    expect(again.status).toBe(200);
    expect((await call('GET', `/orders/${orderId}`)).body).toMatchObject({ status: 'cancelled', cancelled: { reason: 'ordered twice' } });
    expect((await call('POST', `/orders/${orderId}/returns`, {})).body.code).toBe('order-cancelled');
  });

  it('a stale If-Match is a 412 before any rule of the domain', async () => {
    const orderId = String((await call('POST', '/orders', order())).body.orderId);
    await call('POST', `/orders/${orderId}/cancellation`, {});
    // Without If-Match the rule speaks (422); with a stale one the precondition does first.
    expect((await call('POST', `/orders/${orderId}/returns`, {})).status).toBe(422);
    for (const [url, body] of [
      [`/orders/${orderId}/returns`, {}],
      [`/orders/${orderId}/cancellation`, {}],
      ['/orders', order({ orderId, lines: [{ productId: 'other', quantity: 1, unitPrice: 1 }] })],
    ] as const) {
      const r = await call('POST', url, body, { 'if-match': '"0"' });
      expect(r.status).toBe(412);
      expect(r.type).toContain('application/problem+json');
      expect(r.etag).toBeNull();
    }
  });

  it('answers 404 for an order that does not exist, 422 for a customer that does not', async () => {
    const missing = randomUUID();
    for (const [method, url, body] of [
      ['GET', `/orders/${missing}`, undefined],
      ['POST', `/orders/${missing}/cancellation`, {}],
      ['POST', `/orders/${missing}/returns`, {}],
    ] as const) {
      const r = await call(method, url, body);
      expect(r.status).toBe(404);
      expect(r.type).toContain('application/problem+json');
    }
    const unknown = await call('POST', '/orders', order({ customerId: randomUUID() }));
    expect(unknown.status).toBe(422);
    expect(unknown.body.code).toBe('unknown-customer');
    expect((await call('POST', '/orders', order({ orderDate: '2999-01-01' }))).body.code).toBe('order-date-in-future');
  });

  it('lists orders newest first, by customer (merged ones too), date range and status, in pages', async () => {
    const buyer = String((await call('POST', '/customers', { kind: 'person', name: 'Dewi' })).body.customerId);
    const merged = String((await call('POST', '/customers', { kind: 'person', name: 'Dewi (duplicate)' })).body.customerId);
    const ids: string[] = [];
    for (const [who, day] of [
      [buyer, '2025-01-10'],
      [buyer, '2025-02-10'],
      [merged, '2025-03-10'],
      [buyer, '2025-04-10'],
    ]) {
      const r = await call('POST', '/orders', order({ customerId: who, orderDate: day }));
      expect(r.status).toBe(201);
      ids.push(String(r.body.orderId));
    }
    expect((await call('POST', `/customers/${buyer}/merges`, { duplicateId: merged })).status).toBe(201);
    await call('POST', `/orders/${ids[1]}/cancellation`, {});
    const list = async (query: string) => {
      const r = await call('GET', `/orders?${query}`);
      expect(r.status).toBe(200);
      return r.body as { items: { orderId: string; status: string; total: number; customerId: string }[]; nextCursor?: string };
    };
    await waitFor(async () => (await list(`customerId=${buyer}&status=cancelled`)).items.length === 1, 'the orders list');
    await waitFor(async () => (await list(`customerId=${buyer}`)).items.length === 4, 'the merge in the orders list');
    expect((await list(`customerId=${buyer}`)).items.map((i) => i.orderId)).toEqual([ids[3], ids[2], ids[1], ids[0]]);
    expect((await list(`customerId=${merged}`)).items.map((i) => i.orderId)).toEqual([ids[3], ids[2], ids[1], ids[0]]); // read as its survivor
    expect((await list(`customerId=${buyer}&from=2025-02-01&to=2025-04-01`)).items.map((i) => i.orderId)).toEqual([ids[2], ids[1]]);
    expect((await list(`customerId=${buyer}&status=placed,returned`)).items.map((i) => i.orderId)).toEqual([ids[3], ids[2], ids[0]]);
    expect((await list(`customerId=${buyer}&limit=1`)).items[0]).toMatchObject({ orderId: ids[3], total: 4_995_000, status: 'placed' });
    const paged: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await list(`customerId=${buyer}&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      paged.push(...page.items.map((i) => i.orderId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(paged).toEqual([ids[3], ids[2], ids[1], ids[0]]);
    expect((await list(`customerId=${randomUUID()}`)).items).toEqual([]);
  });

  it('who may: staff of sales and management; never service staff, partners, or no token', async () => {
    const orderId = String((await call('POST', '/orders', order())).body.orderId);
    const manager = await mint.mint({ kind: 'staff', subject: 'mia', department: 'management', roles: [] });
    expect((await call('GET', `/orders/${orderId}`, undefined, {}, manager)).status).toBe(200);
    const service = await mint.mint({ kind: 'staff', subject: 'budi', department: 'service', roles: ['admin'] });
    const marketing = await mint.mint({ kind: 'staff', subject: 'maya', department: 'marketing', roles: [] });
    const partner = await mint.mint({ kind: 'partner', subject: 'p.bob', partnerId: randomUUID(), roles: [] });
    const routes = [
      ['POST', '/orders', order()],
      ['GET', `/orders/${orderId}`, undefined],
      ['GET', '/orders', undefined],
      ['POST', `/orders/${orderId}/cancellation`, {}],
      ['POST', `/orders/${orderId}/returns`, {}],
    ] as const;
    for (const [method, url, body] of routes) {
      for (const bearer of [service, marketing, partner]) {
        const r = await call(method, url, body, {}, bearer);
        expect([method, url, r.status]).toEqual([method, url, 403]);
        expect(r.type).toContain('application/problem+json');
      }
      const anonymous = await fetch(`${base}${url}`, { method, headers: { 'content-type': 'application/json' }, body: body && JSON.stringify(body) });
      expect([method, url, anonymous.status]).toEqual([method, url, 401]);
    }
    expect((await call('GET', `/orders/${orderId}`)).body.status).toBe('placed'); // none of them changed it
  });

  it('documents every route in OpenAPI with its answer schema, error answers and examples', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as {
      paths: Record<
        string,
        Record<string, { responses: Record<string, { content?: Record<string, { schema?: unknown; example?: unknown }> }>; requestBody?: unknown }>
      >;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    };
    const expected: [string, string, string[]][] = [
      ['/orders', 'post', ['201', '200', '400', '401', '403', '412', '422']],
      ['/orders', 'get', ['200', '400', '401', '403']],
      ['/orders/{id}', 'get', ['200', '400', '401', '403', '404']],
      ['/orders/{id}/cancellation', 'post', ['200', '400', '401', '403', '404', '412', '422']],
      ['/orders/{id}/returns', 'post', ['201', '400', '401', '403', '404', '412', '422']],
      ['/orders/import', 'post', ['200', '400', '401', '403', '409', '415']],
      ['/orders/imports/{id}', 'get', ['200', '400', '401', '403', '404']],
    ];
    for (const [path, method, statuses] of expected) {
      const op = doc.paths[path]?.[method];
      expect([path, method, op && Object.keys(op.responses).sort()]).toEqual([path, method, [...statuses].sort()]);
      const ok = op.responses[statuses[0]].content?.['application/json'];
      expect([path, method, ok?.schema]).toEqual([path, method, expect.anything()]);
      for (const status of statuses.filter((s) => s.startsWith('4'))) expect(op.responses[status].content?.['application/problem+json']).toBeDefined();
    }
    expect(doc.paths['/orders'].post.responses['422'].content?.['application/problem+json'].example).toMatchObject({ code: 'opportunity-closed' });
    expect(Object.keys(doc.components.schemas.OrderView.properties ?? {})).toEqual(expect.arrayContaining(['lines', 'total', 'returns', 'status']));
    expect(Object.keys(doc.components.schemas.OrderLineDto.properties ?? {})).toEqual(expect.arrayContaining(['unitPrice', 'discountPercent', 'taxAmount']));
  });
});
