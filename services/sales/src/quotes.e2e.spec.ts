import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { crmRegistry } from '@crm/contracts';
import { TestClock } from '@crm/kernel';
import { TokenMint, type ServiceApp } from '@crm/service-kit';
import { httpCaller, startEmbeddedService, type HttpReply } from '@crm/service-kit/testing';
import { createSalesApp, SalesConfig } from './sales';

// The product catalogue and quotes over HTTP (embedded mode), time from a TestClock: catalogue
// management and reading, configuration checks, quotes from draft through discount approval,
// versions, the PDF document (opened with poppler's pdftoppm and pdftotext), sending (an interaction
// on the opportunity) and acceptance (the sales order it makes); bad input, who may, If-Match.
describe('sales: product catalogue and quotes', () => {
  let app: ServiceApp;
  let stop: () => Promise<void>;
  let base: string;
  let token: string;
  let mint: TokenMint;
  const clock = new TestClock('2026-03-02T09:00:00.000Z');
  const tokens: Record<string, string> = {};
  const call = httpCaller(
    () => base,
    () => token,
  );
  const as =
    (who: string) =>
    (method: string, url: string, body?: unknown, headers: Record<string, string> = {}) =>
      call(method, url, body, headers, tokens[who]);
  const raw = (method: string, url: string, body: string, contentType = 'application/json', bearer = token) =>
    fetch(`${base}${url}`, { method, headers: { authorization: `Bearer ${bearer}`, 'content-type': contentType }, body });
  const fields = (body: Record<string, unknown>) => ((body.errors as { field: string }[] | undefined) ?? []).map((e) => e.field);
  async function expectProblem(r: Response | HttpReply, status: number, field?: string): Promise<Record<string, unknown>> {
    expect(r.status).toBe(status);
    const type = r instanceof Response ? (r.headers.get('content-type') ?? '') : r.type;
    expect(type).toContain('application/problem+json');
    const body = r instanceof Response ? ((await r.json()) as Record<string, unknown>) : r.body;
    if (field) expect(fields(body)).toContain(field);
    return body;
  }
  /** The read models follow the store: wait until they show what was just written. */
  async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
    const until = Date.now() + 10_000;
    for (;;) {
      const value = await read();
      if (ok(value) || Date.now() > until) return value;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  // the catalogue built once, by a sales manager
  const ids: Record<string, string> = {};
  let bookId: string;
  let customerId: string;
  let opportunityId: string;
  const tag = randomUUID().slice(0, 6).toUpperCase();

  beforeAll(async () => {
    ({ app, base, stop } = await startEmbeddedService(
      'sales-quotes',
      SalesConfig,
      (config, platform, hosting) => createSalesApp(config, platform, { ...hosting, clock }),
      crmRegistry(),
    ));
    mint = app.app.get(TokenMint);
    tokens.manager = await mint.mint({ kind: 'staff', subject: 'mira', department: 'sales', roles: ['manager'] });
    tokens.otherManager = await mint.mint({ kind: 'staff', subject: 'omar', department: 'management', roles: ['admin'] });
    tokens.agent = await mint.mint({ kind: 'staff', subject: 'sari', department: 'sales', roles: ['agent'] });
    tokens.service = await mint.mint({ kind: 'staff', subject: 'budi', department: 'service', roles: ['manager'] });
    tokens.partner = await mint.mint({ kind: 'partner', subject: 'p.x', partnerId: randomUUID(), roles: ['manager'] });
    token = tokens.agent;
    const manager = as('manager');
    const define = async (body: Record<string, unknown>) => {
      const r = await manager('POST', '/products', body);
      expect(r.status).toBe(201);
      return String(r.body.productId);
    };
    ids.rack = await define({ sku: `RACK-${tag}`, kind: 'option', name: 'Roof rack' });
    ids.van = await define({ sku: `VAN-${tag}`, name: 'Delivery van', description: '3.5 t', options: [ids.rack], rules: { maxQuantity: 20 } });
    ids.warranty = await define({ sku: `WAR-${tag}`, name: 'Three-year warranty', rules: { requires: [ids.van] } });
    ids.scooter = await define({ sku: `SCOOT-${tag}`, name: 'Scooter', rules: { excludes: [ids.van] } });
    const book = await manager('POST', '/price-books', {
      name: `Eurozone ${tag}`,
      currency: 'EUR',
      validFrom: '2026-01-01',
      validTo: '2026-12-31',
      prices: [
        { productId: ids.van, unitPrice: 2_499_999 },
        { productId: ids.rack, unitPrice: 45_000 },
        { productId: ids.warranty, unitPrice: 120_000 },
      ],
    });
    expect(book.status).toBe(201);
    bookId = String(book.body.priceBookId);
    customerId = String((await call('POST', '/customers', { kind: 'organisation', name: 'PT Maju Jaya' })).body.customerId);
    opportunityId = String((await call('POST', '/opportunities', { customerId, name: 'Fleet renewal' })).body.episodeId);
  });
  afterAll(async () => {
    await stop?.();
  });

  it('manages the catalogue: products by SKU, revisions with If-Match, price books; lists them from the read model', async () => {
    const manager = as('manager');
    const van = await call('GET', `/products/${ids.van}`);
    expect(van.body).toMatchObject({ productId: ids.van, sku: `VAN-${tag}`, kind: 'product', name: 'Delivery van', active: true, options: [ids.rack] });
    // the same SKU again (any case) with the same definition: the same product; another definition: 409
    expect(
      (
        await manager('POST', '/products', {
          sku: `van-${tag}`.toLowerCase(),
          name: 'Delivery van',
          description: '3.5 t',
          options: [ids.rack],
          rules: { maxQuantity: 20 },
        })
      ).body.productId,
    ).toBe(ids.van);
    const taken = await manager('POST', '/products', { sku: `VAN-${tag}`, name: 'Another van' });
    expect(taken.status).toBe(409);
    expect(taken.body).toMatchObject({ code: 'sku-taken', productId: ids.van });
    // a bundle of what exists; what does not exist is named
    const fleet = await manager('POST', '/products', {
      sku: `FLEET-${tag}`,
      kind: 'bundle',
      name: 'Fleet of five',
      components: [
        { productId: ids.van, quantity: 5 },
        { productId: ids.warranty, quantity: 5 },
      ],
    });
    expect(fleet.status).toBe(201);
    expect(fleet.location).toBe(`/products/${fleet.body.productId}`);
    ids.fleet = String(fleet.body.productId);
    const ghost = await manager('POST', '/products', { sku: `X-${tag}`, name: 'X', rules: { requires: [randomUUID()] } });
    expect(ghost.status).toBe(422);
    expect(ghost.body.code).toBe('unknown-product-reference');
    expect((await manager('POST', '/products', { sku: `Y-${tag}`, name: 'Y', options: [ids.van] })).body.code).toBe('not-an-option');
    // revise with If-Match; a stale one is 412 before any rule (even a broken one)
    const old = await call('GET', `/products/${ids.scooter}`);
    const revised = await manager(
      'PUT',
      `/products/${ids.scooter}`,
      { name: 'Scooter', active: false, rules: { excludes: [ids.van] } },
      { 'if-match': String(old.etag) },
    );
    expect(revised.status).toBe(200);
    expect(revised.body).toMatchObject({ active: false });
    expect((await manager('PUT', `/products/${ids.scooter}`, { name: 'Scooter', options: [ids.van] }, { 'if-match': String(old.etag) })).status).toBe(412);
    expect((await manager('PUT', `/products/${randomUUID()}`, { name: 'Nothing' })).status).toBe(404);
    // prices in minor units; set later, product by product
    const prices = await manager('PUT', `/price-books/${bookId}/prices`, { prices: [{ productId: ids.fleet, unitPrice: 12_000_000 }] });
    expect(prices.status).toBe(200);
    expect(prices.body.prices).toEqual(expect.arrayContaining([{ productId: ids.fleet, unitPrice: 12_000_000 }]));
    expect((await manager('PUT', `/price-books/${bookId}/prices`, { prices: [{ productId: ids.fleet, unitPrice: 1 }] }, { 'if-match': '"0"' })).status).toBe(
      412,
    );
    expect((await manager('POST', '/price-books', { name: 'Backwards', currency: 'EUR', validFrom: '2026-02-01', validTo: '2026-01-01' })).body.code).toBe(
      'validity-ends-before-it-starts',
    );
    expect(
      (await manager('POST', '/price-books', { name: 'Ghost', currency: 'IDR', validFrom: '2026-02-01', prices: [{ productId: randomUUID(), unitPrice: 1 }] }))
        .body.code,
    ).toBe('unknown-product');

    // the read model: products by SKU, filters, paging; price books by currency and day
    const mine = await eventually(
      async () => ((await call('GET', `/products?q=${tag}&limit=200`)).body.items ?? []) as { sku: string; active: boolean }[],
      (items) => items.length === 5 && items.some((i) => !i.active),
    );
    expect(mine.map((i) => i.sku)).toEqual([`FLEET-${tag}`, `RACK-${tag}`, `SCOOT-${tag}`, `VAN-${tag}`, `WAR-${tag}`]);
    expect(((await call('GET', `/products?q=${tag}&active=false`)).body.items as { sku: string }[]).map((i) => i.sku)).toEqual([`SCOOT-${tag}`]);
    expect(((await call('GET', `/products?q=${tag}&kind=bundle`)).body.items as { sku: string }[]).map((i) => i.sku)).toEqual([`FLEET-${tag}`]);
    const paged: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await call('GET', `/products?q=${tag}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      paged.push(...(page.body.items as { sku: string }[]).map((i) => i.sku));
      cursor = page.body.nextCursor as string | undefined;
    } while (cursor);
    expect(paged).toEqual(mine.map((i) => i.sku));
    const books = await eventually(
      async () => ((await call('GET', '/price-books?currency=EUR&validOn=2026-03-02')).body.items ?? []) as { priceBookId: string; priceCount: number }[],
      (items) => items.some((b) => b.priceBookId === bookId && b.priceCount === 4),
    );
    expect(books.find((b) => b.priceBookId === bookId)).toMatchObject({ currency: 'EUR', validFrom: '2026-01-01', validTo: '2026-12-31', priceCount: 4 });
    expect(
      ((await call('GET', '/price-books?currency=EUR&validOn=2027-01-01')).body.items as { priceBookId: string }[]).map((b) => b.priceBookId),
    ).not.toContain(bookId);
    expect((await call('GET', `/price-books/${bookId}`)).body).toMatchObject({ priceBookId: bookId, currency: 'EUR' });

    // the one configuration check: every violation at once
    const check = await call('POST', '/configuration-checks', {
      lines: [
        { productId: ids.warranty, quantity: 1 },
        { productId: ids.rack, quantity: 1 },
        { productId: ids.scooter, quantity: 1 },
      ],
    });
    expect(check.status).toBe(200);
    expect(check.body.valid).toBe(false);
    expect((check.body.violations as { rule: string; line: number }[]).map((v) => [v.rule, v.line])).toEqual([
      ['requires', 0],
      ['option-without-base', 1],
      ['inactive-product', 2],
    ]);
    expect((await call('POST', '/configuration-checks', { lines: [{ productId: ids.fleet, quantity: 1 }] })).body).toEqual({ valid: true, violations: [] });
  });

  it('quotes on an opportunity: totals in minor units, approval above the threshold, versions, the PDF, sending and acceptance', async () => {
    const manager = as('manager');
    // An opportunity of its own: accepting the quote places the order that wins it, and the other tests quote on an open one.
    const opportunityId = String((await call('POST', '/opportunities', { customerId, name: 'Fleet renewal, won by its quote' })).body.episodeId);
    // the threshold is 10 % until set; a manager sets 12.5 %
    expect((await call('GET', '/quote-approval-policy')).body).toEqual({ discountThresholdBasisPoints: 1000 });
    expect((await manager('PUT', '/quote-approval-policy', { discountThresholdBasisPoints: 1250 })).body).toMatchObject({
      discountThresholdBasisPoints: 1250,
      setBy: 'mira',
    });

    // an invalid configuration: every violation named, nothing stored
    const invalid = await call('POST', '/quotes', {
      opportunityId,
      currency: 'EUR',
      lines: [
        { productId: ids.warranty, quantity: 1 },
        { productId: ids.rack, quantity: 1 },
      ],
    });
    expect(invalid.status).toBe(422);
    expect(invalid.body.code).toBe('invalid-configuration');
    expect((invalid.body.violations as { rule: string }[]).map((v) => v.rule)).toEqual(['requires', 'option-without-base']);

    // drafted by the agent, with the book valid on the quote date (found by the read model); 15 % > 12.5 %: awaiting approval
    const drafted = await call('POST', '/quotes', {
      opportunityId,
      currency: 'EUR',
      validUntil: '2026-03-31',
      lines: [
        { productId: ids.van, quantity: 3, discountBasisPoints: 1500, taxRateBasisPoints: 1100 },
        { productId: ids.rack, quantity: 3, taxRateBasisPoints: 1100 },
      ],
    });
    expect(drafted.status).toBe(201);
    const quoteId = String(drafted.body.quoteId);
    expect(drafted.location).toBe(`/quotes/${quoteId}`);
    expect(drafted.body).toMatchObject({ status: 'awaiting-approval', currentVersion: 1, customerId, opportunityId });
    // van: 3 × 2,499,999 = 7,499,997; 15 % = 1,124,999.55 → 1,125,000; net 6,374,997; 11 % = 701,249.67 → 701,250
    // rack: 3 × 45,000 = 135,000; tax 14,850
    expect((drafted.body.version as { totals: unknown }).totals).toEqual({
      listTotal: 7_634_997,
      discountTotal: 1_125_000,
      netTotal: 6_509_997,
      taxTotal: 716_100,
      grandTotal: 7_226_097,
    });
    expect((drafted.body.version as { quoteDate: string; priceBookId: string }).quoteDate).toBe('2026-03-02');
    expect((drafted.body.version as { priceBookId: string }).priceBookId).toBe(bookId);

    // awaiting approval: cannot be sent; an agent cannot approve; the manager who did not prepare it can
    expect((await call('POST', `/quotes/${quoteId}/send`, {})).body.code).toBe('quote-awaiting-approval');
    expect((await call('POST', `/quotes/${quoteId}/approval`, { decision: 'approved' })).status).toBe(403);
    const rejected = await manager('POST', `/quotes/${quoteId}/approval`, { decision: 'rejected', reason: 'too deep for a first order' });
    expect(rejected.body).toMatchObject({ status: 'discount-rejected' });
    expect((await call('POST', `/quotes/${quoteId}/send`, {})).body.code).toBe('discount-rejected');

    // revised by the manager: version 2 (10 %: no approval needed); version 1 stays readable as it was
    clock.advance(86_400_000); // 2026-03-03
    const before = await call('GET', `/quotes/${quoteId}`);
    const revised = await manager(
      'POST',
      `/quotes/${quoteId}/versions`,
      { validUntil: '2026-03-31', lines: [{ productId: ids.van, quantity: 3, discountBasisPoints: 1000, taxRateBasisPoints: 1100 }] },
      { 'if-match': String(before.etag) },
    );
    expect(revised.status).toBe(201);
    expect(revised.body).toMatchObject({ status: 'draft', currentVersion: 2, versions: [1, 2] });
    expect(revised.body.version as { quoteDate: string; preparedBy: string }).toMatchObject({ quoteDate: '2026-03-03', preparedBy: 'mira' });
    expect(
      (await manager('POST', `/quotes/${quoteId}/versions`, { lines: [{ productId: ids.van, quantity: 1 }] }, { 'if-match': String(before.etag) })).status,
    ).toBe(412);
    const v1 = await call('GET', `/quotes/${quoteId}?version=1`);
    expect(v1.body).toMatchObject({ currentVersion: 2, version: { version: 1, approval: 'rejected', totals: { grandTotal: 7_226_097 } } });
    expect((await call('GET', `/quotes/${quoteId}?version=3`)).status).toBe(404);
    // 3 × 2,499,999 = 7,499,997; 10 % = 749,999.7 → 750,000; net 6,749,997; 11 % = 742,499.67 → 742,500; total 7,492,497
    const current = await call('GET', `/quotes/${quoteId}`);
    expect(current.body).toMatchObject({ version: { version: 2, totals: { netTotal: 6_749_997, taxTotal: 742_500, grandTotal: 7_492_497 } } });

    // the PDF of version 2 opens (pdftoppm renders it) and shows the totals (pdftotext)
    const pdf = await fetch(`${base}/quotes/${quoteId}/document`, { headers: { authorization: `Bearer ${token}` } });
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toContain('application/pdf');
    const bytes = Buffer.from(await pdf.arrayBuffer());
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-quote-pdf-'));
    try {
      const file = path.join(dir, 'quote.pdf');
      fs.writeFileSync(file, bytes);
      const tools = 'pdftoppm and pdftotext come from poppler-utils: run deploy/local/system-packages.sh';
      let pages: string[];
      try {
        execFileSync('pdftoppm', ['-png', '-r', '40', file, path.join(dir, 'page')], { stdio: 'pipe' });
        pages = fs.readdirSync(dir).filter((f) => f.startsWith('page') && f.endsWith('.png'));
      } catch (error) {
        throw new Error(`pdftoppm could not render the quote (${(error as Error).message}); ${tools}`);
      }
      expect(pages.length).toBe(1);
      expect(fs.statSync(path.join(dir, pages[0])).size).toBeGreaterThan(1000);
      const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
      expect(text).toContain('version 2');
      expect(text).toContain('PT Maju Jaya');
      expect(text).toContain(`VAN-${tag}`);
      expect(text).toMatch(/Net total\s+EUR 67,499\.97/);
      expect(text).toMatch(/Taxes\s+EUR 7,425\.00/);
      expect(text).toMatch(/Grand total\s+EUR 74,924\.97/);
      // version 1, as it was
      const old = Buffer.from(
        await (await fetch(`${base}/quotes/${quoteId}/document?version=1`, { headers: { authorization: `Bearer ${token}` } })).arrayBuffer(),
      );
      fs.writeFileSync(file, old);
      expect(execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' })).toMatch(/Grand total\s+EUR 72,260\.97/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }

    // accepting before sending: refused; sending records the interaction on the opportunity
    expect((await call('POST', `/quotes/${quoteId}/accept`, {})).body.code).toBe('quote-not-sent');
    const sent = await call('POST', `/quotes/${quoteId}/send`, { channel: 'email' });
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({ quoteId, version: 2 });
    expect((await call('POST', `/quotes/${quoteId}/send`, { channel: 'email' })).body.interactionId).toBe(sent.body.interactionId);
    const timeline = await eventually(
      async () => JSON.stringify((await call('GET', `/customers/${customerId}/timeline?limit=200`)).body.episodes ?? []),
      (episodes) => episodes.includes(String(sent.body.interactionId)),
    );
    // once, though sent twice
    expect(timeline.split(String(sent.body.interactionId)).length - 1).toBe(1);
    expect(timeline).toContain(`version 2: EUR 74,924.97`);

    // a second quote on the same opportunity, still a draft when the first is accepted
    const second = await call('POST', '/quotes', { opportunityId, currency: 'EUR', priceBookId: bookId, lines: [{ productId: ids.fleet, quantity: 1 }] });
    expect(second.status).toBe(201);

    // accepted: the lines and totals of version 2, and the sales order they make
    const accepted = await call('POST', `/quotes/${quoteId}/accept`, { version: 2 });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({
      quoteId,
      version: 2,
      currency: 'EUR',
      totals: { grandTotal: 7_492_497 },
      salesOrder: {
        customerId,
        opportunityId,
        quoteId,
        quoteVersion: 2,
        currency: 'EUR',
        orderDate: '2026-03-03',
        grandTotal: 7_492_497,
        lines: [{ productId: ids.van, quantity: 3, netAmount: 6_749_997 }],
      },
      // …and places it: the order's total is the quote's grand total to the minor unit, and it wins the opportunity
      order: { total: 7_492_497, currency: 'EUR', closedOpportunity: opportunityId },
    });
    const orderId = String((accepted.body.order as { orderId: string }).orderId);
    expect((await call('GET', `/orders/${orderId}`)).body).toMatchObject({ status: 'placed', total: 7_492_497, quoteId, opportunityId, customerId });
    expect((await call('GET', `/opportunities/${opportunityId}`)).body).toMatchObject({ status: 'won', closed: { outcome: 'won', value: 7_492_497 } });
    // a retry of the acceptance answers the same order and places nothing twice; another version stays refused
    const retried = await call('POST', `/quotes/${quoteId}/accept`, { version: 2 });
    expect(retried.status).toBe(200);
    expect((retried.body.order as { orderId: string }).orderId).toBe(orderId);
    expect((await call('POST', `/quotes/${quoteId}/accept`, { version: 1 })).body.code).toBe('quote-accepted');
    expect((await call('GET', `/orders?customerId=${customerId}`)).body.items).toHaveLength(1);
    // the opportunity is won: no more quotes on it
    expect(
      (await call('POST', '/quotes', { opportunityId, currency: 'EUR', priceBookId: bookId, lines: [{ productId: ids.van, quantity: 1 }] })).body.code,
    ).toBe('opportunity-closed');
    expect((await call('POST', `/quotes/${quoteId}/versions`, { lines: [{ productId: ids.van, quantity: 1 }] })).body.code).toBe('quote-accepted');

    // the list per opportunity and per customer, newest first, paged
    const listed = await eventually(
      async () => ((await call('GET', `/quotes?opportunityId=${opportunityId}`)).body.items ?? []) as { quoteId: string; status: string; grandTotal: number }[],
      (items) => items.length === 2 && items.some((i) => i.status === 'accepted'),
    );
    expect(listed.map((i) => [i.quoteId, i.status])).toEqual([
      [second.body.quoteId, 'draft'],
      [quoteId, 'accepted'],
    ]);
    expect(listed[1].grandTotal).toBe(7_492_497);
    const page1 = await call('GET', `/quotes?customerId=${customerId}&limit=1`);
    const page2 = await call('GET', `/quotes?customerId=${customerId}&limit=1&cursor=${page1.body.nextCursor}`);
    expect([...(page1.body.items as { quoteId: string }[]), ...(page2.body.items as { quoteId: string }[])].map((i) => i.quoteId)).toEqual(
      listed.map((i) => i.quoteId),
    );
    expect(page2.body.nextCursor).toBeUndefined();
    expect(((await call('GET', `/quotes?customerId=${customerId}&status=accepted`)).body.items as unknown[]).length).toBe(1);
  });

  it('a quote awaiting approval is approved by another manager, not by the one who prepared it; a closed opportunity takes no quote', async () => {
    const manager = as('manager');
    const q = await manager('POST', '/quotes', {
      opportunityId,
      currency: 'EUR',
      priceBookId: bookId,
      lines: [{ productId: ids.van, quantity: 1, discountBasisPoints: 2000 }],
    });
    expect(q.body.status).toBe('awaiting-approval');
    const id = String(q.body.quoteId);
    expect((await manager('POST', `/quotes/${id}/approval`, { decision: 'approved' })).body.code).toBe('approver-prepared-version');
    const approved = await as('otherManager')('POST', `/quotes/${id}/approval`, { decision: 'approved', reason: 'strategic account' });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'draft', version: { approval: 'approved' } });
    expect((await as('otherManager')('POST', `/quotes/${id}/approval`, { decision: 'rejected' })).body.code).toBe('no-approval-pending');
    expect((await call('POST', `/quotes/${id}/send`, {})).status).toBe(200);

    const closed = String((await call('POST', '/opportunities', { customerId, name: 'Lost cause' })).body.episodeId);
    await call('POST', `/opportunities/${closed}/close`, { outcome: 'lost', reason: 'price' });
    expect(
      (await call('POST', '/quotes', { opportunityId: closed, currency: 'EUR', priceBookId: bookId, lines: [{ productId: ids.van, quantity: 1 }] })).body.code,
    ).toBe('opportunity-closed');
    expect(
      (await call('POST', '/quotes', { opportunityId: randomUUID(), currency: 'EUR', priceBookId: bookId, lines: [{ productId: ids.van, quantity: 1 }] })).body
        .code,
    ).toBe('unknown-opportunity');
    expect((await call('POST', '/quotes', { opportunityId, currency: 'JPY', lines: [{ productId: ids.van, quantity: 1 }] })).body.code).toBe('no-price-book');
    expect(
      (
        await call('POST', '/quotes', {
          opportunityId,
          currency: 'EUR',
          priceBookId: bookId,
          quoteDate: '2027-01-01',
          lines: [{ productId: ids.van, quantity: 1 }],
        })
      ).body.code,
    ).toBe('price-book-not-valid');
    expect((await call('GET', `/quotes/${randomUUID()}`)).status).toBe(404);
  });

  it('a customer declines a sent version with a reason: the quote reads declined, that version can no longer be accepted, a revision can', async () => {
    const opp = String((await call('POST', '/opportunities', { customerId, name: 'Second fleet' })).body.episodeId);
    const q = await call('POST', '/quotes', { opportunityId: opp, currency: 'EUR', priceBookId: bookId, lines: [{ productId: ids.van, quantity: 2 }] });
    expect(q.status).toBe(201);
    const id = String(q.body.quoteId);
    // only what was sent can be declined
    expect((await call('POST', `/quotes/${id}/decline`, { reason: 'too expensive' })).body.code).toBe('quote-not-sent');
    expect((await call('POST', `/quotes/${id}/send`, {})).status).toBe(200);
    expect((await call('POST', `/quotes/${id}/decline`, { reason: '   ' })).body.code).toBe('decline-needs-reason');
    const declined = await call('POST', `/quotes/${id}/decline`, { reason: 'went with a competitor on price' });
    expect(declined.status).toBe(200);
    expect(declined.body).toEqual({ quoteId: id, version: 1, status: 'declined' });
    expect(declined.etag).toBe('"2"');
    // a retry records nothing new (same revision), the first reason stands
    const again = await call('POST', `/quotes/${id}/decline`, { reason: 'another reason' });
    expect([again.status, again.etag]).toEqual([200, '"2"']);
    const read = await call('GET', `/quotes/${id}`);
    expect(read.body).toMatchObject({ status: 'declined', version: { version: 1, declineReason: 'went with a competitor on price' } });
    // the declined version cannot be accepted; a revised one is a draft again, then sent and accepted
    expect((await call('POST', `/quotes/${id}/accept`, {})).body.code).toBe('quote-declined');
    const revised = await call('POST', `/quotes/${id}/versions`, { lines: [{ productId: ids.van, quantity: 2, discountBasisPoints: 500 }] });
    expect([revised.status, revised.body.status]).toEqual([201, 'draft']);
    expect((await call('POST', `/quotes/${id}/decline`, { reason: 'x', version: 1 })).body.code).toBe('version-superseded');
    expect((await call('POST', `/quotes/${id}/send`, {})).status).toBe(200);
    expect((await call('POST', `/quotes/${id}/accept`, {})).status).toBe(200);
    expect((await call('POST', `/quotes/${id}/decline`, { reason: 'changed their mind' })).body.code).toBe('quote-accepted');
    // the list shows the status, and filters by it
    const declinedOne = String(
      (await call('POST', '/quotes', { opportunityId, currency: 'EUR', priceBookId: bookId, lines: [{ productId: ids.van, quantity: 1 }] })).body.quoteId,
    );
    await call('POST', `/quotes/${declinedOne}/send`, {});
    expect((await call('POST', `/quotes/${declinedOne}/decline`, { reason: 'budget frozen' })).status).toBe(200);
    const listed = await eventually(
      async () => ((await call('GET', `/quotes?customerId=${customerId}&status=declined`)).body.items ?? []) as { quoteId: string; status: string }[],
      (items) => items.some((i) => i.quoteId === declinedOne),
    );
    expect(listed.map((i) => [i.quoteId, i.status])).toEqual([[declinedOne, 'declined']]);
    // bad input names the field; a stale If-Match is 412 before any rule
    await expectProblem(await call('POST', `/quotes/${declinedOne}/decline`, {}), 400, 'reason');
    await expectProblem(await call('POST', `/quotes/${declinedOne}/decline`, { reason: [['x']] }), 400, 'reason');
    await expectProblem(await call('POST', `/quotes/${declinedOne}/decline`, { reason: 'x', version: 0 }), 400, 'version');
    await expectProblem(await call('POST', `/quotes/${declinedOne}/decline`, { reason: 'x', extra: 1 }), 400, 'extra');
    await expectProblem(await raw('POST', `/quotes/${declinedOne}/decline`, '{"reason":"a\\u0000b"}'), 400, 'reason');
    await expectProblem(await raw('POST', `/quotes/${declinedOne}/decline`, '{"reason":"\\ud800"}'), 400, 'reason');
    await expectProblem(await raw('POST', `/quotes/${declinedOne}/decline`, 'reason=x', 'text/plain'), 415);
    await expectProblem(await call('POST', `/quotes/x/decline`, { reason: 'x' }), 400, 'id');
    await expectProblem(await call('POST', `/quotes/${randomUUID()}/decline`, { reason: 'x' }), 404);
    await expectProblem(await call('POST', `/quotes/${declinedOne}/decline`, { reason: 'x' }, { 'if-match': '"7"' }), 412);
  });

  it('bad input is a 4xx problem naming the field, and nothing is stored', async () => {
    const manager = as('manager');
    const quoteId = randomUUID();
    const line = { productId: ids.van, quantity: 1 };
    for (const [url, body, field] of [
      ['/quotes', { quoteId, opportunityId, currency: 'EUR', lines: [[]] }, 'lines'],
      ['/quotes', { quoteId, opportunityId, currency: 'EUR', lines: {} }, 'lines'],
      ['/quotes', { quoteId, opportunityId, currency: 'EUR', lines: [] }, 'lines'],
      ['/quotes', { quoteId, opportunityId, currency: 'EUX', lines: [line] }, 'currency'],
      ['/quotes', { quoteId, opportunityId, currency: 'eur', lines: [line] }, 'currency'],
      ['/quotes', { quoteId, opportunityId, currency: 'EUR', quoteDate: '2026-02-30', lines: [line] }, 'quoteDate'],
      ['/quotes', { quoteId, opportunityId: 'nope', currency: 'EUR', lines: [line] }, 'opportunityId'],
      ['/quotes', { quoteId, opportunityId, currency: 'EUR', lines: [{ ...line, quantity: 1.5 }] }, 'lines.0.quantity'],
      ['/quotes', { quoteId, opportunityId, currency: 'EUR', lines: [{ ...line, discountBasisPoints: 10_001 }] }, 'lines.0.discountBasisPoints'],
      ['/quotes', { quoteId, opportunityId, currency: 'EUR', lines: [{ ...line, extra: 1 }] }, 'lines.0.extra'],
      ['/quotes', { quoteId, opportunityId, currency: 'EUR', lines: [line], note: 'x\u0000' }, 'note'],
      ['/products', { sku: 'A B', name: 'x' }, 'sku'],
      ['/products', { sku: 'AB', name: 'x', components: [[]] }, 'components'],
      ['/products', { sku: 'AB', name: 'x', rules: [[]] }, 'rules'],
      ['/products', { sku: 'AB', name: 'x', rules: { minQuantity: 0 } }, 'rules.minQuantity'],
      ['/products', { sku: 'AB', name: 'x\u0000' }, 'name'],
      ['/price-books', { name: 'x', currency: 'XYZ', validFrom: '2026-01-01' }, 'currency'],
      ['/price-books', { name: 'x', currency: 'EUR', validFrom: '2026-01-01', prices: [{ productId: ids.van, unitPrice: 12.5 }] }, 'prices.0.unitPrice'],
      ['/price-books', { name: 'x', currency: 'EUR', validFrom: '1 Jan 2026' }, 'validFrom'],
      ['/price-books', { name: 'x', currency: 'EUR', validFrom: '2026-01-01', prices: [[]] }, 'prices'],
      ['/quote-approval-policy', { discountThresholdBasisPoints: -1 }, 'discountThresholdBasisPoints'],
    ] as const) {
      const method = url === '/quote-approval-policy' ? 'PUT' : 'POST';
      await expectProblem(await manager(method, url, body), 400, field);
    }
    expect((await call('GET', `/quotes/${quoteId}`)).status).toBe(404);
    // lone surrogates and NUL, raw
    await expectProblem(
      await raw('POST', '/quotes', JSON.stringify({ opportunityId, currency: 'EUR', lines: [line] }).replace('"EUR"', '"\\ud800"')),
      400,
      'currency',
    );
    await expectProblem(await raw('POST', '/products', '{"sku":"AB","name":"\\ud800"}', 'application/json', tokens.manager), 400, 'name');
    await expectProblem(
      await raw('POST', `/quotes/${quoteId}/approval`, '{"decision":"rejected","reason":"a\\u0000b"}', 'application/json', tokens.manager),
      400,
      'reason',
    );
    // wrong content type: 415
    for (const url of ['/quotes', '/products', '/price-books', `/quotes/${quoteId}/send`, `/quotes/${quoteId}/accept`, '/configuration-checks'])
      await expectProblem(await raw('POST', url, 'lines=1', 'text/plain', tokens.manager), 415);
    await expectProblem(await raw('PUT', `/price-books/${bookId}/prices`, '<prices/>', 'application/xml', tokens.manager), 415);
    // malformed path ids: 400 naming id
    for (const [method, url] of [
      ['GET', '/quotes/not-a-uuid'],
      ['GET', '/quotes/1/document'],
      ['POST', '/quotes/x/send'],
      ['POST', '/quotes/x/accept'],
      ['POST', '/quotes/x/versions'],
      ['POST', '/quotes/x/approval'],
      ['GET', '/products/x'],
      ['PUT', '/products/x'],
      ['GET', '/price-books/x'],
      ['PUT', '/price-books/x/prices'],
    ] as const)
      await expectProblem(await manager(method, url, method === 'GET' ? undefined : {}), 400, 'id');
    // garbage cursors and query values
    for (const [url, field] of [
      ['/quotes?cursor=garbage', 'cursor'],
      [`/quotes?cursor=${Buffer.from('["quotes","x","y"]').toString('base64url')}`, 'cursor'],
      [`/quotes?cursor=${Buffer.from('["products","A","b"]').toString('base64url')}`, 'cursor'],
      ['/quotes?cursor=%00', 'cursor'],
      ['/quotes?status=open', 'status'],
      ['/quotes?opportunityId=nope', 'opportunityId'],
      ['/quotes?limit=0', 'limit'],
      ['/products?cursor=garbage', 'cursor'],
      [`/products?cursor=${Buffer.from('["quotes","x","y"]').toString('base64url')}`, 'cursor'],
      ['/products?active=maybe', 'active'],
      ['/products?q=a%00b', 'q'],
      ['/price-books?cursor=garbage', 'cursor'],
      ['/price-books?currency=EURO', 'currency'],
      ['/price-books?validOn=2026-13-01', 'validOn'],
      [`/quotes/${quoteId}?version=0`, 'version'],
      [`/quotes/${quoteId}/document?version=abc`, 'version'],
    ] as const)
      await expectProblem(await call('GET', url), 400, field);
    // a stale If-Match is 412 before any domain rule (the approval would be a 422 no-approval-pending)
    const q = await call('POST', '/quotes', { opportunityId, currency: 'EUR', priceBookId: bookId, lines: [line] });
    expect(q.etag).toBe('"0"');
    const id = String(q.body.quoteId);
    expect((await manager('POST', `/quotes/${id}/approval`, { decision: 'approved' })).body.code).toBe('no-approval-pending');
    await expectProblem(await manager('POST', `/quotes/${id}/approval`, { decision: 'approved' }, { 'if-match': '"7"' }), 412);
    await expectProblem(await call('POST', `/quotes/${id}/accept`, {}, { 'if-match': '"7"' }), 412);
    await expectProblem(await call('POST', `/quotes/${id}/send`, {}, { 'if-match': '"7"' }), 412);
    await expectProblem(await manager('PUT', '/quote-approval-policy', { discountThresholdBasisPoints: 900 }, { 'if-match': '"99"' }), 412);
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);
  });

  it('who may: sales and management read and quote; managers and admins change the catalogue and judge discounts; partners, other departments and no token never', async () => {
    const quote = String(
      (
        await call('POST', '/quotes', {
          opportunityId,
          currency: 'EUR',
          priceBookId: bookId,
          lines: [{ productId: ids.van, quantity: 1, discountBasisPoints: 3000 }],
        })
      ).body.quoteId,
    );
    const routes: [string, string, unknown?][] = [
      ['GET', '/products'],
      ['GET', `/products/${ids.van}`],
      ['POST', '/products', { sku: 'NOPE', name: 'x' }],
      ['PUT', `/products/${ids.van}`, { name: 'x' }],
      ['POST', '/configuration-checks', { lines: [{ productId: ids.van, quantity: 1 }] }],
      ['GET', '/price-books'],
      ['GET', `/price-books/${bookId}`],
      ['POST', '/price-books', { name: 'x', currency: 'EUR', validFrom: '2026-01-01' }],
      ['PUT', `/price-books/${bookId}/prices`, { prices: [{ productId: ids.van, unitPrice: 1 }] }],
      ['GET', '/quotes'],
      ['POST', '/quotes', { opportunityId, currency: 'EUR', lines: [{ productId: ids.van, quantity: 1 }] }],
      ['GET', `/quotes/${quote}`],
      ['GET', `/quotes/${quote}/document`],
      ['POST', `/quotes/${quote}/versions`, { lines: [{ productId: ids.van, quantity: 1 }] }],
      ['POST', `/quotes/${quote}/approval`, { decision: 'approved' }],
      ['POST', `/quotes/${quote}/send`, {}],
      ['POST', `/quotes/${quote}/accept`, {}],
      ['POST', `/quotes/${quote}/decline`, { reason: 'x' }],
      ['GET', '/quote-approval-policy'],
      ['PUT', '/quote-approval-policy', { discountThresholdBasisPoints: 1000 }],
    ];
    for (const [method, url, body] of routes) {
      for (const who of ['partner', 'service']) {
        const r = await as(who)(method, url, body);
        if (r.status !== 403) throw new Error(`${who} ${method} ${url}: ${r.status}`);
        await expectProblem(r, 403);
      }
      const anonymous = await fetch(`${base}${url}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      expect([url, anonymous.status]).toEqual([url, 401]);
    }
    // a plain agent may not change the catalogue, the policy, nor judge a discount
    for (const [method, url, body] of routes.filter(
      ([m, u]) => m !== 'GET' && /products|price-books|policy|approval/.test(u) && !u.includes('configuration'),
    )) {
      const r = await call(method, url, body);
      expect([method, url, r.status]).toEqual([method, url, 403]);
    }
    expect((await call('GET', '/products')).status).toBe(200);
    expect((await as('otherManager')('GET', `/quotes/${quote}`)).status).toBe(200);
  });

  it('documents every route in OpenAPI with its responses', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { example?: unknown }> }> }>>;
    };
    for (const [path, method, statuses] of [
      ['/products', 'post', ['201', '400', '401', '403', '409', '422']],
      ['/products', 'get', ['200', '400', '401', '403']],
      ['/products/{id}', 'put', ['200', '404', '412', '422']],
      ['/products/{id}', 'get', ['200', '404']],
      ['/configuration-checks', 'post', ['200', '400']],
      ['/price-books', 'post', ['201', '422']],
      ['/price-books', 'get', ['200']],
      ['/price-books/{id}', 'get', ['200', '404']],
      ['/price-books/{id}/prices', 'put', ['200', '404', '412', '422']],
      ['/quotes', 'post', ['201', '400', '422']],
      ['/quotes', 'get', ['200', '400']],
      ['/quotes/{id}', 'get', ['200', '404']],
      ['/quotes/{id}/versions', 'post', ['201', '404', '412', '422']],
      ['/quotes/{id}/approval', 'post', ['200', '403', '412', '422']],
      ['/quotes/{id}/send', 'post', ['200', '412', '422']],
      ['/quotes/{id}/accept', 'post', ['200', '412', '422']],
      ['/quotes/{id}/decline', 'post', ['200', '400', '404', '412', '415', '422']],
      ['/quotes/{id}/document', 'get', ['200', '404']],
      ['/quote-approval-policy', 'get', ['200']],
      ['/quote-approval-policy', 'put', ['200', '412']],
    ] as const) {
      const operation = doc.paths[path]?.[method];
      expect([path, method, operation !== undefined]).toEqual([path, method, true]);
      for (const status of statuses) expect([path, method, status, operation.responses[status] !== undefined]).toEqual([path, method, status, true]);
    }
    expect(doc.paths['/quotes']!.post.responses['422'].content!['application/problem+json'].example).toMatchObject({ code: 'invalid-configuration' });
    expect(doc.paths['/quotes/{id}/document']!.get.responses['200'].content!['application/pdf']).toBeDefined();
  });
});
