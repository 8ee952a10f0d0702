import { randomUUID } from 'node:crypto';
import { crmRegistry } from '@crm/contracts';
import { ProjectionSpecification, type SpecEvent } from '@crm/projections/testing';
import { CataloguePriceBookEntry, CatalogueProductEntry } from './catalogue.entities';
import { catalogueProjection, type CatalogueEvent } from './catalogue.projection';
import { findValidPriceBook } from './catalogue.query';
import { QuoteListEntry } from './quote-list.entities';
import { quoteListProjection, searchQuotes, type QuoteListEvent } from './quote-list.projection';

const at = '2026-03-01T09:00:00.000Z';
const totals = (grandTotal: number) => ({ listTotal: grandTotal, discountTotal: 0, netTotal: grandTotal, taxTotal: 0, grandTotal });
const version = (quoteId: string, customerId: string, v: number, grandTotal: number, minute = 0) => ({
  quoteId,
  opportunityId: 'o1',
  customerId,
  version: v,
  currency: 'EUR',
  priceBookId: 'b1',
  quoteDate: '2026-03-01',
  lines: [],
  totals: totals(grandTotal),
  preparedBy: 'sari',
  preparedAt: new Date(Date.UTC(2026, 2, 1, 9, minute)).toISOString(),
});
const ev = (type: QuoteListEvent['type'], data: Record<string, unknown>) => ({ type, subject: data.customerId, data }) as unknown as SpecEvent<QuoteListEvent>;

describe('quote list read model (PGlite)', () => {
  const given = ProjectionSpecification.for({ projection: quoteListProjection('q'), registry: crmRegistry() });

  it('keeps the current version, its status and totals; events about an older version change nothing', async () => {
    const q = randomUUID();
    const c = randomUUID();
    await given([ev('QuoteDrafted', version(q, c, 1, 1000))])
      .when([
        ev('QuoteDiscountApprovalRequested', {
          quoteId: q,
          customerId: c,
          version: 1,
          maxDiscountBasisPoints: 2000,
          thresholdBasisPoints: 1000,
          requestedBy: 'sari',
          requestedAt: at,
        }),
        ev('QuoteRevised', version(q, c, 2, 900)),
        ev('QuoteDiscountRejected', { quoteId: q, customerId: c, version: 1, rejectedBy: 'mira', rejectedAt: at, reason: 'late' }),
        ev('QuoteSent', { quoteId: q, opportunityId: 'o1', customerId: c, version: 2, channel: 'email', interactionId: 'i1', sentBy: 'sari', sentAt: at }),
      ])
      .thenRows(QuoteListEntry, [{ quoteId: q, version: 2, status: 'sent', grandTotal: '900', customerId: c }]);
  });

  it('lists per customer newest first with a cursor; a change to a quote it never saw is parked', async () => {
    const c = randomUUID();
    const [a, b] = [randomUUID(), randomUUID()];
    await given([ev('QuoteDrafted', version(a, c, 1, 1, 0)), ev('QuoteDrafted', version(b, c, 1, 2, 5))])
      .when([ev('QuoteAccepted', { ...version(randomUUID(), c, 1, 3), acceptedBy: 'sari', acceptedAt: at, preparedBy: undefined, preparedAt: undefined })])
      .thenParks([/not in the quote list/], async (manager) => {
        const first = await searchQuotes(manager, { customerIds: [c], limit: 1 });
        expect(first.items.map((i) => i.quoteId)).toEqual([b]);
        const second = await searchQuotes(manager, { customerIds: [c], limit: 1, cursor: first.nextCursor });
        expect(second.items.map((i) => i.quoteId)).toEqual([a]);
        expect(second.nextCursor).toBeUndefined();
      });
  });
});

describe('catalogue read model (PGlite)', () => {
  const given = ProjectionSpecification.for({ projection: catalogueProjection('c'), registry: crmRegistry() });
  const book = (priceBookId: string, validFrom: string, validTo?: string) =>
    ({
      type: 'PriceBookCreated',
      subject: priceBookId,
      data: { priceBookId, name: validFrom, currency: 'EUR', validFrom, ...(validTo && { validTo }), prices: [], createdBy: 'mira', createdAt: at },
    }) as SpecEvent<CatalogueEvent>;

  it('keeps products as revised, prices as set, and finds the book valid on a day (the one whose validity began last)', async () => {
    const p = randomUUID();
    const [y, q2] = [randomUUID(), randomUUID()];
    await given([
      {
        type: 'ProductDefined',
        subject: p,
        data: { productId: p, sku: 'Van-1', kind: 'product', name: 'Van', active: true, definedBy: 'mira', definedAt: at },
      },
      book(y, '2026-01-01', '2026-12-31'),
      book(q2, '2026-04-01', '2026-06-30'),
    ])
      .when([
        {
          type: 'ProductRevised',
          subject: p,
          data: { productId: p, name: 'Van 2026', active: false, rules: { maxQuantity: 3 }, revisedBy: 'mira', revisedAt: at },
        },
        { type: 'PriceBookPricesSet', subject: y, data: { priceBookId: y, prices: [{ productId: p, unitPrice: 100 }], setBy: 'mira', setAt: at } },
      ])
      .then(async (manager) => {
        expect(await manager.getRepository(CatalogueProductEntry).findOneByOrFail({ productId: p })).toMatchObject({
          sku: 'Van-1',
          skuKey: 'VAN-1',
          name: 'Van 2026',
          active: false,
          definition: { rules: { maxQuantity: 3 } },
        });
        expect((await manager.getRepository(CataloguePriceBookEntry).findOneByOrFail({ priceBookId: y })).prices).toEqual({ [p]: 100 });
        expect(await findValidPriceBook(manager, 'EUR', '2026-03-01')).toBe(y);
        expect(await findValidPriceBook(manager, 'EUR', '2026-05-01')).toBe(q2);
        expect(await findValidPriceBook(manager, 'EUR', '2027-01-01')).toBeUndefined();
        expect(await findValidPriceBook(manager, 'IDR', '2026-05-01')).toBeUndefined();
      });
  });
});
