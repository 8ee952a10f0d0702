import { randomUUID } from 'node:crypto';
import { crmRegistry } from '@crm/contracts';
import { TokenMint, type ServiceApp } from '@crm/service-kit';
import { httpCaller, startEmbeddedService } from '@crm/service-kit/testing';
import { createSalesApp, SalesConfig } from './sales';

const HEADER = 'customerExternalId,orderId,orderDate,amount,currency,productId,quantity,unitPrice';

async function waitFor(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 900; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

// POST /orders/import: historical orders from a CSV streamed in, per-line errors, idempotent per
// order number, customers registered by external id; GET /orders/imports/{id}: its progress.
describe('order imports (CSV)', () => {
  let app: ServiceApp;
  let stop: () => Promise<void>;
  let base: string;
  let token: string;
  let mint: TokenMint;
  const call = httpCaller(
    () => base,
    () => token,
  );
  const upload = (body: string | ReadableStream, query = '', contentType = 'text/csv', bearer: string | null = token) =>
    fetch(`${base}/orders/import${query}`, {
      method: 'POST',
      headers: { 'content-type': contentType, ...(bearer && { authorization: `Bearer ${bearer}` }) },
      body,
      ...(typeof body === 'object' && { duplex: 'half' }),
    } as RequestInit);
  const answer = async (r: Response) => ({
    status: r.status,
    type: r.headers.get('content-type') ?? '',
    location: r.headers.get('location'),
    body: (await r.json()) as Record<string, unknown>,
  });

  beforeAll(async () => {
    ({ app, base, stop } = await startEmbeddedService('sales-order-imports', SalesConfig, createSalesApp, crmRegistry()));
    mint = app.app.get(TokenMint);
    token = await mint.mint({ kind: 'staff', subject: 'mia', department: 'sales', roles: ['manager'] });
  });
  afterAll(async () => {
    await stop?.();
  });

  it('imports the good orders, lists each bad line with its line and field, and a re-import creates nothing new', async () => {
    const tag = randomUUID().slice(0, 8);
    const known = String(
      (await call('POST', '/customers', { kind: 'organisation', name: 'PT Maju', identities: [{ kind: 'external-id', value: `${tag}-C1`, system: 'erp' }] }))
        .body.customerId,
    );
    const csv = [
      HEADER,
      `${tag}-C1,${tag}-SO1,2024-01-05,30.00,EUR,P1,1,10.00`, // 2 ┐ one order, two lines
      `${tag}-C1,${tag}-SO1,2024-01-05,30.00,EUR,P2,2,10.00`, // 3 ┘
      `${tag}-C2,${tag}-SO2,2024-02-01,1500,JPY,,,`, // 4: a new customer; an order without lines
      `${tag}-C2,${tag}-SO3,2024-02-30,10.00,EUR,,,`, // 5: no such date
      `${tag}-C2,${tag}-SO4,01/03/2024,10.00,EUR,,,`, // 6: not ISO 8601
      `${tag}-C2,${tag}-SO5,2024-03-01,"1,000.00",EUR,,,`, // 7: thousands separator
      `${tag}-C2,${tag}-SO6,2024-03-01,10.001,EUR,,,`, // 8: more decimals than EUR has
      `${tag}-C2,${tag}-SO7,2024-03-01,10,XYZ,,,`, // 9: no such currency
      `${tag}-C2,${tag}-SO8,2024-03-01,10,EURO,,,`, // 10
      `${tag}-C2,${tag}-SO9,2024-03-01,10.5,JPY,,,`, // 11: JPY has no decimals
      `${tag}-C3,${tag}-SO10,2024-03-01,12.345,KWD,P9,1,12.345`, // 12: fine (3 decimals)
      `${tag}-C3,${tag}-SO11,2999-01-01,1.00,EUR,,,`, // 13: a rule of the domain
    ].join('\n');
    const first = await answer(await upload(csv, '?system=erp'));
    expect(first.status).toBe(200);
    expect(first.location).toBe(`/orders/imports/${String(first.body.importId)}`);
    expect(first.body).toMatchObject({
      status: 'completed',
      startedBy: 'mia',
      system: 'erp',
      counts: { lines: 12, orders: 11, created: 3, existing: 0, failedOrders: 8, failedLines: 8, customersCreated: 2 },
    });
    expect((first.body.errors as { line: number; field: string }[]).map((e) => [e.line, e.field])).toEqual([
      [5, 'orderDate'],
      [6, 'orderDate'],
      [7, 'amount'],
      [8, 'amount'],
      [9, 'currency'],
      [10, 'currency'],
      [11, 'amount'],
      [13, 'orderDate'],
    ]);
    expect(first.body.errors).toContainEqual({ line: 8, field: 'amount', reason: expect.stringContaining('EUR has 2 decimals') });
    // The customer ids are never echoed in the reasons (they are personal data).
    expect(JSON.stringify(first.body.errors)).not.toContain(`${tag}-C`);

    const again = await answer(await upload(csv, '?system=erp'));
    expect(again.body.counts).toMatchObject({ orders: 11, created: 0, existing: 3, customersCreated: 0, failedLines: 8 });
    expect(await (await call('GET', `/orders/imports/${String(again.body.importId)}`)).body).toEqual(again.body);

    // The orders are there: SO1 on the customer who held the external id, with its two lines.
    await waitFor(async () => ((await call('GET', `/orders?customerId=${known}`)).body.items as unknown[]).length === 1, 'the orders list');
    const [so1] = (await call('GET', `/orders?customerId=${known}`)).body.items as { orderId: string; externalId: string; total: number; source: string }[];
    expect(so1).toMatchObject({ externalId: `${tag}-SO1`, total: 3000, source: 'import', currency: 'EUR' });
    const detail = await call('GET', `/orders/${so1.orderId}`);
    expect(detail.body).toMatchObject({
      orderDate: '2024-01-05T00:00:00.000Z',
      adjustment: 0,
      lines: [{ productId: 'P1' }, { productId: 'P2', quantity: 2, unitPrice: 1000 }],
    });
    // A customer registered for C2, holding the external id.
    const c2 = await call('GET', `/customers?q=${tag}-C2`);
    expect(c2.status).toBe(200);
  });

  it('reads the upload as it arrives and shows its progress while it runs', async () => {
    const tag = randomUUID().slice(0, 8);
    const importId = randomUUID();
    const rows = (from: number, to: number) =>
      Array.from({ length: to - from }, (_, i) => `${tag}-C${(from + i) % 7},${tag}-SO${from + i},2024-01-01,${from + i}.50,EUR,,,\n`).join('');
    let push!: (chunk: string) => void;
    let end!: () => void;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        push = (chunk) => controller.enqueue(new TextEncoder().encode(chunk));
        end = () => controller.close();
      },
    });
    // 1,001 lines: the parser holds a chunk's last line until the next chunk says it is complete.
    push(`${HEADER}\n${rows(0, 1001)}`);
    const pending = upload(body, `?importId=${importId}`);
    // The first 1,000 lines are imported (and recorded) while the rest of the file has not been sent.
    let progress: Record<string, unknown> = {};
    await waitFor(async () => {
      const r = await call('GET', `/orders/imports/${importId}`);
      progress = r.body;
      return r.status === 200 && (progress.counts as { lines: number }).lines >= 1000;
    }, 'the import to record its first 1,000 lines');
    // (the 1,000th order is placed once the next line shows it has no more lines)
    expect(progress).toMatchObject({ status: 'running', counts: { lines: 1000, orders: 999, created: 999, customersCreated: 7 } });
    expect((progress.counts as { bytesRead: number }).bytesRead).toBeGreaterThan(0);
    push(rows(1001, 1100));
    end();
    const done = await answer(await pending);
    expect(done.body).toMatchObject({ importId, status: 'completed', counts: { lines: 1100, orders: 1100, created: 1100, failedLines: 0 } });
    expect((await call('GET', `/orders/imports/${importId}`)).body).toMatchObject({ status: 'completed', counts: { lines: 1100 } });
    // The same import id again is refused: it names an import that exists.
    const reused = await answer(await upload(`${HEADER}\n`, `?importId=${importId}`));
    expect(reused.status).toBe(409);
    expect(reused.type).toContain('application/problem+json');
  }, 240_000); // a thousand orders on a shared machine

  it('refuses the file as a whole for its header or an unreadable CSV (400 naming the field), a body that is not text/csv (415)', async () => {
    for (const [csv, field] of [
      ['', 'header'],
      ['customerExternalId,orderId,orderDate,amount\nC,SO,2024-01-01,1', 'header'],
      [`${HEADER},colour\n`, 'header'],
      ['customerExternalId,orderId,orderDate,amount,currency,amount\n', 'header'],
      ['customerExternalId,orderId,orderDate,amount,currency,productId\n', 'header'],
      [`${HEADER}\nC,"SO,2024-01-01,1,EUR,,,\n`, 'body'],
    ] as const) {
      const r = await answer(await upload(csv));
      expect([csv, r.status]).toEqual([csv, 400]);
      expect(r.type).toContain('application/problem+json');
      expect((r.body.errors as { field: string }[]).map((e) => e.field)).toEqual([field]);
    }
    const refused = await answer(await upload('customerExternalId\n', `?importId=${randomUUID()}`));
    const record = await call(
      'GET',
      `/orders/imports/${String(refused.location ?? '')
        .split('/')
        .pop()}`,
    );
    expect(record.body).toMatchObject({ status: 'refused', detail: expect.stringContaining('orderId') });
    for (const [body, type] of [
      ['{"orderId":"1"}', 'application/json'],
      [`${HEADER}\n`, 'text/plain'],
      ['x', 'application/x-www-form-urlencoded'],
    ])
      expect((await answer(await upload(body, '', type))).status).toBe(415);
    const noType = await fetch(`${base}/orders/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: new Uint8Array(Buffer.from(HEADER)),
    });
    expect(noType.status).toBe(415);
    for (const query of ['?importId=nope', '?customerKind=robot', '?system=', `?importId=${randomUUID()}&extra=1`]) {
      const r = await answer(await upload(`${HEADER}\n`, query));
      expect([query, r.status]).toEqual([query, 400]);
    }
    expect((await call('GET', `/orders/imports/${randomUUID()}`)).status).toBe(404);
    const malformed = await call('GET', '/orders/imports/not-a-uuid');
    expect(malformed.status).toBe(400);
    expect((malformed.body.errors as { field: string }[])[0].field).toBe('id');
  });

  it('who may: sales managers and admins of sales or management; not agents, service staff, partners, or no token', async () => {
    const csv = `${HEADER}\n`;
    const admin = await mint.mint({ kind: 'staff', subject: 'root', department: 'management', roles: ['admin'] });
    expect((await upload(csv, '', 'text/csv', admin)).status).toBe(200);
    const agent = await mint.mint({ kind: 'staff', subject: 'sari', department: 'sales', roles: ['agent'] });
    const service = await mint.mint({ kind: 'staff', subject: 'budi', department: 'service', roles: ['admin', 'manager'] });
    const partner = await mint.mint({ kind: 'partner', subject: 'p.x', partnerId: randomUUID(), roles: ['admin'] });
    const started = await answer(await upload(csv));
    for (const bearer of [agent, service, partner]) {
      const r = await upload(csv, '', 'text/csv', bearer);
      expect(r.status).toBe(403);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      expect((await call('GET', `/orders/imports/${String(started.body.importId)}`, undefined, {}, bearer)).status).toBe(403);
    }
    expect((await upload(csv, '', 'text/csv', null)).status).toBe(401);
    expect((await fetch(`${base}/orders/imports/${String(started.body.importId)}`)).status).toBe(401);
  });
});
