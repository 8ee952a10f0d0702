import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '@crm/config';
import { crmRegistry } from '@crm/contracts';
import type { EventStore } from '@crm/event-store';
import { waitFor } from '@crm/event-store/testing';
import { createPlatform, type Platform } from '@crm/platform';
import { orderStream } from '@crm/relationship';
import { createRelationshipCommands, orderIdFor, WRITE_STORE, type RelationshipCommands } from '@crm/relationship-api';
import { ensureLocalKeys, mintToken, TokenMint, type ServiceApp, type ServiceConfig, type StaffPrincipal } from '@crm/service-kit';
import { createPartnerPortalApp, PartnerPortalConfig } from '../partner-portal';

type Json = Record<string, unknown>;
interface Reply {
  status: number;
  type: string;
  body: Json;
}
type LineResult = { line: number; status: string; field?: string; reason?: string; code?: string; orderId?: string; customerId?: string };

// Sell-through (issue 14 §6) over HTTP, embedded: a distributor reports its sales to end customers as
// JSON and as CSV; each becomes a purchase of the customer (OrderPlaced v2, source sell-through, the
// partner named); a resend records nothing; every customer the caller may not see is refused with one
// answer; bad input is a 4xx naming the field; only distributors and resellers may call it.
describe('partner-portal: sell-through (embedded)', () => {
  let dataDir: string;
  let config: ServiceConfig;
  let platform: Platform;
  let app: ServiceApp;
  let base: string;
  let store: EventStore;
  let commands: RelationshipCommands;
  let mint: TokenMint;
  let management: string;
  const sales: StaffPrincipal = { kind: 'staff', subject: 'sari', department: 'sales', roles: ['admin'] };

  const send = async (method: string, url: string, token: string | undefined, body?: string, type = 'application/json'): Promise<Reply> => {
    const h: Record<string, string> = {};
    if (token) h.authorization = `Bearer ${token}`;
    if (body !== undefined) h['content-type'] = type;
    const r = await fetch(`${base}${url}`, { method, headers: h, body });
    const text = await r.text();
    return { status: r.status, type: r.headers.get('content-type') ?? '', body: text ? (JSON.parse(text) as Json) : {} };
  };
  const call = (method: string, url: string, token: string | undefined, body?: unknown) =>
    send(method, url, token, body === undefined ? undefined : JSON.stringify(body));
  const problem = (r: Reply, status: number, field?: string) => {
    expect({ status: r.status, type: r.type }).toEqual({ status, type: expect.stringContaining('application/problem+json') });
    if (field) expect(((r.body.errors ?? []) as { field: string }[]).map((e) => e.field)).toContain(field);
  };
  const results = (r: Reply) => r.body.lines as LineResult[];

  const registerPartner = async (name: string, partnerKind: string): Promise<string> => {
    const r = await call('POST', '/partners', management, { name, partnerKind });
    expect(r.status).toBe(201);
    return String(r.body.partnerId);
  };
  const tokenOf = async (partnerId: string) => {
    const r = await call('POST', `/partners/${partnerId}/credentials`, management);
    const t = await call('POST', '/auth/token', undefined, { clientId: String(r.body.clientId), clientSecret: String(r.body.clientSecret) });
    expect(t.status).toBe(200);
    return String(t.body.access_token);
  };
  const share = async (partnerId: string, customerId: string) =>
    expect((await call('POST', `/partners/${partnerId}/shares`, management, { customerId })).status).toBe(201);
  const registerCustomer = async (name: string) => (await commands.customers.register(sales, { kind: 'organisation', name })).id;
  const line = (customerId: string, externalId: string, extra: Json = {}) => ({
    customerId,
    externalId,
    orderDate: '2026-03-01',
    productId: 'ROUTER-X2',
    quantity: 2,
    unitPrice: 12_500,
    currency: 'EUR',
    ...extra,
  });

  let distributor: string;
  let other: string;
  let provider: string;
  let tokenD: string;
  let tokenOther: string;
  let tokenProvider: string;
  let shared: string;
  let otherCustomer: string;
  let unshared: string;
  let revoked: string;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-portal-sellthru-'));
    config = loadConfig(PartnerPortalConfig, { CRM_DATA_DIR: dataDir });
    platform = await createPlatform(config, { registry: crmRegistry(), clientId: 'test' });
    app = await createPartnerPortalApp(config, platform, { embedded: true });
    base = await app.listen(0);
    mint = app.app.get(TokenMint);
    management = await mint.mint({ kind: 'staff', subject: 'maria', department: 'management', roles: ['admin'] });
    store = app.app.get<symbol, EventStore>(WRITE_STORE);
    commands = createRelationshipCommands(store);

    distributor = await registerPartner('PT Distribusi Nusantara', 'distributor');
    other = await registerPartner('CV Reseller Jaya', 'reseller');
    provider = await registerPartner('Servis Cepat', 'service-provider');
    [tokenD, tokenOther, tokenProvider] = await Promise.all([tokenOf(distributor), tokenOf(other), tokenOf(provider)]);
    shared = await registerCustomer('Toko Sinar');
    otherCustomer = await registerCustomer('Toko Bulan');
    unshared = await registerCustomer('Toko Bintang');
    revoked = await registerCustomer('Toko Surya');
    await share(distributor, shared);
    await share(other, otherCustomer);
    await share(distributor, revoked);
    expect((await call('DELETE', `/partners/${distributor}/shares/${revoked}`, management)).status).toBe(204);
    await waitFor(async () => (await call('GET', `/customers/${shared}`, tokenD)).status === 200, 20000, 'the share to reach the read model');
  });

  afterAll(async () => {
    await app?.close();
    await platform?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('records a JSON report as the customer’s purchase (OrderPlaced v2, sell-through, the partner named and seeing it); a resend records nothing', async () => {
    const report = { lines: [line(shared, 'INV-1'), line(shared, 'INV-1', { productId: 'SWITCH-8', quantity: 1, unitPrice: 4_000 })] };
    const first = await call('POST', '/sell-through', tokenD, report);
    expect(first.status).toBe(200);
    const orderId = orderIdFor.sellThrough(distributor, 'INV-1');
    expect(first.body).toMatchObject({ recorded: 2, duplicate: 0, refused: 0 });
    expect(results(first)).toEqual([
      expect.objectContaining({ line: 1, status: 'recorded', orderId, customerId: shared, externalId: 'INV-1' }),
      expect.objectContaining({ line: 2, status: 'recorded', orderId }),
    ]);
    const [placed] = await store.readStream(orderStream(orderId));
    expect(placed).toMatchObject({
      type: 'OrderPlaced',
      schemaVersion: 2,
      data: { customerId: shared, source: 'sell-through', partnerId: distributor, externalId: 'INV-1', total: 29_000, currency: 'EUR' },
      metadata: { actor: expect.objectContaining({ partnerId: distributor }), visibility: { departments: '*', partners: [distributor] } },
    });
    const again = await call('POST', '/sell-through', tokenD, report);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ recorded: 0, duplicate: 2, refused: 0 });
    expect(await store.readStream(orderStream(orderId))).toHaveLength(1);
    // The same invoice number with other content is refused, naming externalId: nothing is overwritten.
    const changed = await call('POST', '/sell-through', tokenD, { lines: [line(shared, 'INV-1', { quantity: 9 })] });
    expect(results(changed)).toEqual([expect.objectContaining({ status: 'refused', field: 'externalId', code: 'order-exists' })]);
  });

  it('refuses another partner’s customer, an unshared one, a revoked share and an unknown id with one and the same answer; the other lines are recorded', async () => {
    const unknown = randomUUID();
    const r = await call('POST', '/sell-through', tokenD, {
      lines: [line(otherCustomer, 'INV-2'), line(unshared, 'INV-3'), line(revoked, 'INV-4'), line(unknown, 'INV-5'), line(shared, 'INV-6')],
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ recorded: 1, refused: 4 });
    const refused = results(r).filter((l) => l.status === 'refused');
    const ids = [otherCustomer, unshared, revoked, unknown];
    // The same field, code and words but for the id itself: nothing tells a known customer from an unknown one.
    expect(
      new Set(refused.map((l, i) => JSON.stringify({ ...l, line: 0, externalId: '', customerId: '', reason: l.reason?.replace(ids[i], '<id>') }))),
    ).toHaveProperty('size', 1);
    expect(refused[0]).toMatchObject({ field: 'customerId', code: 'customer-not-shared', reason: `customer ${otherCustomer} is not shared with you` });
    for (const i of ids.keys()) expect(await store.readStream(orderStream(orderIdFor.sellThrough(distributor, `INV-${i + 2}`)))).toEqual([]);
  });

  it('refuses a group whose lines differ in date or currency, and an order dated more than a day ahead, naming the field', async () => {
    const r = await call('POST', '/sell-through', tokenD, {
      lines: [line(shared, 'INV-7'), line(shared, 'INV-7', { currency: 'USD' }), line(shared, 'INV-8', { orderDate: '2999-01-01' })],
    });
    expect(results(r)).toEqual([
      expect.objectContaining({ line: 1, status: 'refused', field: 'currency', code: 'order-lines-differ' }),
      expect.objectContaining({ line: 2, status: 'refused', field: 'currency' }),
      expect.objectContaining({ line: 3, status: 'refused', field: 'orderDate', code: 'order-date-in-future' }),
    ]);
  });

  it('takes a CSV: recorded rows, a bad row named by line and column, a resend is duplicate', async () => {
    const csv = [
      'customerId,externalId,orderDate,productId,quantity,unitPrice,currency',
      `${shared},CSV-1,2026-03-02,ROUTER-X2,1,125.00,EUR`,
      `${shared},CSV-2,2026-03-02,ROUTER-X2,two,125.00,EUR`,
      `${unshared},CSV-3,2026-03-02,ROUTER-X2,1,125.00,EUR`,
      `${shared},CSV-4,2026-03-02,ROUTER-X2,1,12.345,EUR`,
    ].join('\n');
    const r = await send('POST', '/sell-through.csv', tokenD, csv, 'text/csv');
    expect(r.status).toBe(200);
    expect(results(r)).toEqual([
      expect.objectContaining({ line: 2, status: 'recorded', orderId: orderIdFor.sellThrough(distributor, 'CSV-1') }),
      expect.objectContaining({ line: 3, status: 'refused', field: 'quantity' }),
      expect.objectContaining({ line: 4, status: 'refused', field: 'customerId', code: 'customer-not-shared' }),
      expect.objectContaining({ line: 5, status: 'refused', field: 'unitPrice' }),
    ]);
    const [placed] = await store.readStream(orderStream(orderIdFor.sellThrough(distributor, 'CSV-1')));
    expect(placed.data).toMatchObject({ total: 12_500, source: 'sell-through', partnerId: distributor });
    expect((await send('POST', '/sell-through.csv', tokenD, csv, 'text/csv')).body).toMatchObject({ recorded: 0, duplicate: 1, refused: 3 });
  });

  it('refuses a CSV as a whole for its header, an unreadable file, hostile bytes per row, and more than 500 lines', async () => {
    problem(await send('POST', '/sell-through.csv', tokenD, 'customerId,externalId\n', 'text/csv'), 400, 'header');
    problem(await send('POST', '/sell-through.csv', tokenD, '', 'text/csv'), 400, 'header');
    problem(
      await send('POST', '/sell-through.csv', tokenD, 'customerId,externalId,orderDate,productId,quantity,unitPrice,currency,bogus\n', 'text/csv'),
      400,
      'header',
    );
    const header = 'customerId,externalId,orderDate,productId,quantity,unitPrice,currency\n';
    problem(await send('POST', '/sell-through.csv', tokenD, `${header}"unterminated,x\n`, 'text/csv'), 400, 'body');
    const nul = await send('POST', '/sell-through.csv', tokenD, `${header}${shared},N-1,2026-03-02,ROUT\u0000ER,1,1.00,EUR\n`, 'text/csv');
    expect(results(nul)).toEqual([expect.objectContaining({ line: 2, status: 'refused', field: 'productId' })]);
    const many = header + Array.from({ length: 501 }, (_, i) => `${shared},M-${i},2026-03-02,P,1,1.00,EUR`).join('\n');
    problem(await send('POST', '/sell-through.csv', tokenD, many, 'text/csv'), 400, 'body');
    expect(await store.readStream(orderStream(orderIdFor.sellThrough(distributor, 'M-0')))).toEqual([]);
  });

  it('answers bad JSON with 400 naming the field, other content types with 415 — never a 5xx', async () => {
    problem(await send('POST', '/sell-through', tokenD, JSON.stringify([[line(shared, 'X-1')]])), 400);
    problem(await call('POST', '/sell-through', tokenD, { lines: [[line(shared, 'X-1')]] }), 400, 'lines');
    problem(await call('POST', '/sell-through', tokenD, { lines: [line('not-a-uuid', 'X-1')] }), 400, 'lines.0.customerId');
    problem(await call('POST', '/sell-through', tokenD, { lines: [line(shared, 'X\u0000')] }), 400, 'lines.0.externalId');
    problem(await call('POST', '/sell-through', tokenD, { lines: [line(shared, '\ud800')] }), 400, 'lines.0.externalId');
    problem(await call('POST', '/sell-through', tokenD, { lines: [] }), 400, 'lines');
    problem(await call('POST', '/sell-through', tokenD, { lines: Array.from({ length: 501 }, (_, i) => line(shared, `X-${i}`)) }), 400, 'lines');
    problem(await call('POST', '/sell-through', tokenD, { lines: [line(shared, 'X-1', { unitPrice: 1.5, quantity: 0 })] }), 400, 'lines.0.unitPrice');
    problem(await send('POST', '/sell-through', tokenD, 'customerId\n', 'text/csv'), 415);
    problem(await send('POST', '/sell-through.csv', tokenD, JSON.stringify({ lines: [] })), 415);
    problem(await send('GET', '/sell-through?cursor=bm90LW91cnM', tokenD), 400, 'cursor');
    problem(await send('GET', '/sell-through?from=yesterday', tokenD), 400, 'from');
  });

  it('401 without a token, with a forged or an expired one; 403 for staff and for a service provider', async () => {
    const body = { lines: [line(shared, 'A-1')] };
    problem(await call('POST', '/sell-through', undefined, body), 401);
    problem(await call('POST', '/sell-through', `${tokenD.slice(0, -4)}AAAA`, body), 401);
    // Signed with the portal's own key, but issued two hours ago for one hour.
    const expired = await mintToken(
      { kind: 'partner', subject: 'x', partnerId: distributor, roles: [] },
      {
        signingKey: await ensureLocalKeys(dataDir),
        issuer: config.CRM_JWT_ISSUER,
        audience: config.CRM_JWT_AUDIENCE,
        expiresIn: '1h',
        now: new Date(Date.now() - 7_200_000),
      },
    );
    problem(await call('POST', '/sell-through', expired, body), 401);
    problem(await call('POST', '/sell-through', management, body), 403);
    problem(await call('GET', '/sell-through', management), 403);
    problem(await call('POST', '/sell-through', tokenProvider, body), 403);
    problem(await send('POST', '/sell-through.csv', tokenProvider, 'customerId\n', 'text/csv'), 403);
    problem(await call('GET', '/sell-through', tokenProvider), 403);
    expect(await store.readStream(orderStream(orderIdFor.sellThrough(distributor, 'A-1')))).toEqual([]);
  });

  it('lists the caller’s own reports only, by order date, paged', async () => {
    expect((await call('POST', '/sell-through', tokenOther, { lines: [line(otherCustomer, 'INV-1')] })).body).toMatchObject({ recorded: 1 });
    await waitFor(
      async () => ((await call('GET', '/sell-through', tokenOther)).body.items as Json[]).length === 1,
      20000,
      'the report to reach the read model',
    );
    await waitFor(async () => ((await call('GET', '/sell-through', tokenD)).body.items as Json[]).length === 3, 20000, 'the reports to reach the read model');
    const mine = await call('GET', '/sell-through', tokenD);
    // Newest order date first (INV-1 and INV-6 share a date: ties go by order id).
    const listed = (mine.body.items as Json[]).map((i) => String(i.externalId));
    expect(listed[0]).toBe('CSV-1');
    expect([...listed].sort()).toEqual(['CSV-1', 'INV-1', 'INV-6']);
    expect(JSON.stringify(mine.body)).not.toContain(otherCustomer);
    expect(mine.body.items).toContainEqual(expect.objectContaining({ externalId: 'INV-1', customerId: shared, total: 29_000, currency: 'EUR', lineCount: 2 }));
    const page1 = await call('GET', '/sell-through?limit=2', tokenD);
    expect(page1.body.nextCursor).toEqual(expect.any(String));
    const page2 = await call('GET', `/sell-through?limit=2&cursor=${String(page1.body.nextCursor)}`, tokenD);
    expect([...(page1.body.items as Json[]), ...(page2.body.items as Json[])].map((i) => i.externalId)).toEqual(listed);
    expect(page2.body.nextCursor).toBeUndefined();
    const march2 = await call('GET', '/sell-through?from=2026-03-02&to=2026-03-03', tokenD);
    expect((march2.body.items as Json[]).map((i) => i.externalId)).toEqual(['CSV-1']);
    // The other reseller's INV-1 is its own order: the same invoice number, another partner, another id.
    expect(((await call('GET', '/sell-through', tokenOther)).body.items as Json[])[0]).toMatchObject({ orderId: orderIdFor.sellThrough(other, 'INV-1') });
  });

  it('documents every route in OpenAPI: typed answers with examples, the error responses, the CSV body', async () => {
    type Op = {
      requestBody?: { content: Record<string, unknown> };
      responses: Record<string, { content?: Record<string, { schema?: Json; example?: unknown }> }>;
    };
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, Op>>;
      components: { schemas: Record<string, Json> };
    };
    const post = doc.paths['/sell-through'].post;
    const csv = doc.paths['/sell-through.csv'].post;
    const get = doc.paths['/sell-through'].get;
    for (const op of [post, csv, get]) {
      const ok = op.responses['200'].content!['application/json'];
      expect(JSON.stringify(ok.schema)).toMatch(/\$ref|properties/);
      expect(JSON.stringify(ok)).toContain('INV-2026-0042');
      for (const status of ['400', '401', '403']) expect(Object.keys(op.responses[status].content ?? {})).toContain('application/problem+json');
    }
    expect(Object.keys(csv.requestBody!.content)).toEqual(['text/csv']);
    for (const op of [post, csv]) expect(op.responses['415']).toBeDefined();
    expect(csv.responses['413']).toBeDefined();
    expect(doc.components.schemas.SellThroughResultDto).toMatchObject({ properties: expect.objectContaining({ lines: expect.anything() }) });
  });
});
