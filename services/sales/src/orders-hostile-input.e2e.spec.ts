import { randomUUID } from 'node:crypto';
import { crmRegistry } from '@crm/contracts';
import { TokenMint, type ServiceApp } from '@crm/service-kit';
import { httpCaller, startEmbeddedService } from '@crm/service-kit/testing';
import { createSalesApp, SalesConfig } from './sales';

// The order routes under hostile input: each case is a 4xx application/problem+json naming the
// field, and nothing is stored.
describe('sales orders: hostile input gets a 4xx naming the field, never a 5xx', () => {
  let app: ServiceApp;
  let stop: () => Promise<void>;
  let base: string;
  let token: string;
  let customerId: string;
  let orderId: string;
  const line = { productId: 'VAN', quantity: 1, unitPrice: 1000 };

  beforeAll(async () => {
    ({ app, base, stop } = await startEmbeddedService('sales-orders-hostile', SalesConfig, createSalesApp, crmRegistry()));
    token = await app.app.get(TokenMint).mint({ kind: 'staff', subject: 'alice', department: 'sales', roles: ['manager'] });
    customerId = String((await call('POST', '/customers', { kind: 'organisation', name: 'PT Maju' })).body.customerId);
    orderId = String((await call('POST', '/orders', { customerId, currency: 'EUR', lines: [line] })).body.orderId);
  });
  afterAll(async () => {
    await stop?.();
  });

  const call = httpCaller(
    () => base,
    () => token,
  );
  const raw = (method: string, url: string, body?: string, contentType = 'application/json') =>
    fetch(`${base}${url}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': contentType }, body });
  const fields = (body: Record<string, unknown>) => ((body.errors as { field: string }[] | undefined) ?? []).map((e) => e.field);

  async function expectProblem(r: Response, status: number, field?: string): Promise<Record<string, unknown>> {
    expect(r.status).toBe(status);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(r.headers.get('etag')).toBeNull();
    const body = (await r.json()) as Record<string, unknown>;
    if (field) expect(fields(body)).toContain(field);
    return body;
  }
  /** POST /orders with a client-chosen id: refused, and nothing stored under it. */
  async function refusedOrder(body: Record<string, unknown>, field: string): Promise<void> {
    const id = randomUUID();
    await expectProblem(await raw('POST', '/orders', JSON.stringify({ orderId: id, customerId, currency: 'EUR', lines: [line], ...body })), 400, field);
    expect((await call('GET', `/orders/${id}`)).status).toBe(404);
  }

  it.each([
    ['lines', { lines: [[]] }],
    ['lines', { lines: ['VAN'] }],
    ['lines', { lines: [[line]] }],
    ['lines', { lines: {} }],
    ['lines', { lines: [] }],
    ['lines', { lines: Array.from({ length: 1001 }, () => line) }],
  ])('lines that are not a list of line objects (%s) is a 400 naming it', async (field, body) => {
    await refusedOrder(body, field);
  });

  it.each([
    ['currency', { currency: 'EURO' }],
    ['currency', { currency: 'XYZ' }],
    ['currency', { currency: 'eur' }],
    ['currency', { currency: 'XAU' }],
    ['currency', { currency: ['EUR'] }],
    ['customerId', { customerId: 'not-a-uuid' }],
    ['orderDate', { orderDate: '20260301' }],
    ['orderDate', { orderDate: '2026-02-30' }],
    ['orderDate', { orderDate: '-2026-01-01' }],
    ['opportunityId', { opportunityId: 'x' }],
    ['quoteId', { quoteId: 42 }],
    ['lines.0.unitPrice', { lines: [{ ...line, unitPrice: 10.5 }] }],
    ['lines.0.unitPrice', { lines: [{ ...line, unitPrice: -1 }] }],
    ['lines.0.unitPrice', { lines: [{ ...line, unitPrice: '1000' }] }],
    ['lines.0.unitPrice', { lines: [{ ...line, unitPrice: 2 ** 53 }] }],
    ['lines.0.quantity', { lines: [{ ...line, quantity: 0 }] }],
    ['lines.0.quantity', { lines: [{ ...line, quantity: 1.5 }] }],
    ['lines.0.productId', { lines: [{ ...line, productId: '' }] }],
    ['lines.0.discountPercent', { lines: [{ ...line, discountPercent: 10.125 }] }],
    ['lines.0.discountPercent', { lines: [{ ...line, discountPercent: 101 }] }],
    ['lines.0.discountPercent', { lines: [{ ...line, discountPercent: 10, discountAmount: 5 }] }],
    ['lines.0.taxPercent', { lines: [{ ...line, taxPercent: 11, taxAmount: 5 }] }],
    ['lines.0.price', { lines: [{ ...line, price: 5 }] }],
    ['total', { total: 5 }],
  ])('%s: a bad value is a 400 naming it, and nothing is stored', async (field, body) => {
    await refusedOrder(body, field);
  });

  it('NUL characters and lone surrogates are a 400 naming the field, in bodies, queries and CSV lines', async () => {
    await refusedOrder({ lines: [{ ...line, productId: 'VA\u0000N' }] }, 'lines.0.productId');
    await expectProblem(
      await raw('POST', '/orders', `{"customerId":"${customerId}","currency":"EUR","lines":[{"productId":"\\ud800","quantity":1,"unitPrice":1}]}`),
      400,
      'lines.0.productId',
    );
    await expectProblem(await raw('POST', `/orders/${orderId}/cancellation`, '{"reason":"a\\udfffb"}'), 400, 'reason');
    await expectProblem(await raw('POST', `/orders/${orderId}/returns`, '{"reason":"x\\u0000"}'), 400, 'reason');
    await expectProblem(await raw('GET', `/orders?cursor=%00`), 400, 'cursor');
    await expectProblem(await raw('GET', `/orders?status=placed%00`), 400, 'status');
    // In a CSV the line is reported (the import goes on). A lone surrogate cannot travel in UTF-8: its
    // bytes (ED A0 80), or what a client makes of it (EF BF BD), are reported as not UTF-8.
    const csv = Buffer.concat([
      Buffer.from('customerExternalId,orderId,orderDate,amount,currency\nC\u0000,SO-1,2024-01-01,1,EUR\nC,SO-2'),
      Buffer.from([0xed, 0xa0, 0x80]),
      Buffer.from(',2024-01-01,1,EUR\nC\ud800,SO-3,2024-01-01,1,EUR\nC,SO-4,2024-01-01,1,EUR\n'),
    ]);
    const r = await fetch(`${base}/orders/import`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' }, body: csv });
    const imported = (await r.json()) as { counts: { created: number }; errors: { line: number; field: string; reason: string }[] };
    expect(imported.errors.map((e) => [e.line, e.field])).toEqual([
      [2, 'customerExternalId'],
      [3, 'orderId'],
      [4, 'customerExternalId'],
    ]);
    expect(imported.errors[1].reason).toContain('not valid UTF-8');
    expect(imported.counts.created).toBe(1);
    expect((await call('GET', `/orders/${orderId}`)).body.status).toBe('placed');
  });

  it('a JSON body nested 2,000 levels is a 400 naming where it got too deep', async () => {
    const deep = '{"a":'.repeat(2000) + '1' + '}'.repeat(2000);
    for (const url of ['/orders', `/orders/${orderId}/returns`, `/orders/${orderId}/cancellation`]) {
      const body = await expectProblem(await raw('POST', url, deep), 400);
      expect(fields(body)[0]).toMatch(/^a(\.a)+$/);
    }
    const deepLines = JSON.stringify({ customerId, currency: 'EUR', lines: JSON.parse('['.repeat(2000) + ']'.repeat(2000)) });
    await expectProblem(await raw('POST', '/orders', deepLines), 400);
  });

  it('a body that is not JSON is 415; malformed JSON is 400', async () => {
    for (const url of ['/orders', `/orders/${orderId}/returns`, `/orders/${orderId}/cancellation`]) {
      const body = await expectProblem(await raw('POST', url, 'customerId=1', 'text/plain'), 415);
      expect(String(body.detail)).toContain('application/json');
      await expectProblem(await raw('POST', url, '<order/>', 'application/xml'), 415);
      await expectProblem(await raw('POST', url, 'customerExternalId,orderId\n', 'text/csv'), 415);
      await expectProblem(await raw('POST', url, '{"lines":'), 400);
    }
    await expectProblem(await raw('POST', '/orders/import', '{"a":1}'), 415);
  });

  it.each([
    'garbage',
    '-1',
    'a b',
    Buffer.from('["orders","2026-01-01T00:00:00.000000",""]').toString('base64url'),
    Buffer.from('["leads","captured-at","x","y",1]').toString('base64url'),
    Buffer.from('["orders","yesterday","x"]').toString('base64url'),
    Buffer.from('{"orders":1}').toString('base64url'),
    'x'.repeat(2001),
  ])('cursor=%s is a 400 naming cursor', async (cursor) => {
    await expectProblem(await raw('GET', `/orders?cursor=${encodeURIComponent(cursor)}`), 400, 'cursor');
  });

  it.each([
    ['from', 'from=yesterday'],
    ['to', 'to=2026-13-01'],
    ['status', 'status=open'],
    ['status', 'status=placed,,cancelled'],
    ['limit', 'limit=0'],
    ['limit', 'limit=201'],
    ['limit', 'limit=ten'],
    ['customerId', 'customerId=42'],
    ['customerId', 'customerId=a&customerId=b'],
    ['colour', 'colour=blue'],
  ])('GET /orders?%s… is a 400 naming it', async (field, query) => {
    await expectProblem(await raw('GET', `/orders?${query}`), 400, field);
  });

  it.each([
    ['lines.0.lineId', { lines: [{ lineId: 'one', quantity: 1 }] }],
    ['lines.0.quantity', { lines: [{ lineId: '1', quantity: 0 }] }],
    ['lines', { lines: [] }],
    ['lines', { lines: [[]] }],
    ['returnId', { returnId: 'r-1' }],
    ['reason', { reason: '' }],
  ])('POST /orders/{id}/returns: %s bad is a 400 naming it, and nothing is returned', async (field, body) => {
    await expectProblem(await raw('POST', `/orders/${orderId}/returns`, JSON.stringify(body)), 400, field);
    expect((await call('GET', `/orders/${orderId}`)).body).toMatchObject({ status: 'placed', returns: [] });
  });

  it('a malformed path id is a 400 naming the parameter', async () => {
    for (const [method, url] of [
      ['GET', '/orders/not-a-uuid'],
      ['POST', '/orders/1/cancellation'],
      ['POST', '/orders/%00/returns'],
      ['GET', '/orders/imports/not-a-uuid'],
    ])
      await expectProblem(await raw(method, url, method === 'POST' ? '{}' : undefined), 400, 'id');
  });

  it('an If-Match that is not one ETag is a 400; a stale one is a 412 before any rule', async () => {
    const r = await fetch(`${base}/orders/${orderId}/cancellation`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'if-match': 'yesterday' },
      body: '{}',
    });
    await expectProblem(r, 400);
    const stale = await fetch(`${base}/orders/${orderId}/returns`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'if-match': '"7"' },
      body: JSON.stringify({ lines: [{ lineId: '9', quantity: 99 }] }), // would break two rules
    });
    await expectProblem(stale, 412);
  });

  it('the service is still healthy, and the order untouched, after all of it', async () => {
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);
    const order = await call('GET', `/orders/${orderId}`);
    expect(order.etag).toBe('"0"');
    expect(order.body).toMatchObject({ status: 'placed', total: 1000 });
  });
});
