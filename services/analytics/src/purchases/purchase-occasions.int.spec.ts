import { randomUUID } from 'node:crypto';
import { crmRegistry } from '@crm/contracts';
import type { Projection } from '@crm/projections';
import { ProjectionSpecification, type SpecEvent } from '@crm/projections/testing';
import { CustomerMerge } from '@crm/relationship-read-models';
import type { EntityManager } from 'typeorm';
import { ExchangeRateRow } from './exchange-rates.entities';
import { exchangeRatesProjection, type ExchangeRatesEvent } from './exchange-rates.projection';
import { OrderPurchase, OrderReturn } from './purchase-history.entities';
import { purchaseHistoryProjection, type PurchaseHistoryEvent } from './purchase-history.projection';
import { loadPurchaseOccasions } from './purchase-occasions';

type Event = PurchaseHistoryEvent | ExchangeRatesEvent;

// The purchase history and the exchange rates as analytics runs them, in one test read model.
const purchases = purchaseHistoryProjection('analytics');
const rates = exchangeRatesProjection('analytics');
const both: Projection<Event> = {
  name: 'analytics.purchases-and-rates',
  entities: [...purchases.entities, ...rates.entities],
  handles: [...purchases.handles, ...rates.handles],
  apply: (event, m) => (event.type === 'ExchangeRatesSet' ? rates.apply(event, m) : purchases.apply(event, m)),
};

const placed = (customerId: string, orderDate: string, currency: string, total: number, orderId = randomUUID()): SpecEvent<Event> => ({
  type: 'OrderPlaced',
  data: {
    orderId,
    customerId,
    orderDate,
    placedAt: orderDate,
    currency,
    lines: [],
    subtotal: 0,
    discountTotal: 0,
    taxTotal: 0,
    adjustment: total,
    total,
    source: 'import',
  },
});
const returned = (customerId: string, orderId: string, returnedAt: string, amount: number, currency: string, fullyReturned = false): SpecEvent<Event> => ({
  type: 'OrderReturned',
  data: { orderId, customerId, returnId: randomUUID(), returnedAt, lines: [], amount, currency, fullyReturned },
});
const cancelled = (customerId: string, orderId: string, cancelledAt: string, amount: number, currency: string): SpecEvent<Event> => ({
  type: 'OrderCancelled',
  data: { orderId, customerId, cancelledAt, amount, currency },
});
const ratesSet = (reportingCurrency: string, effectiveDate: string, set: Record<string, string>): SpecEvent<Event> => ({
  type: 'ExchangeRatesSet',
  subject: reportingCurrency,
  data: {
    reportingCurrency,
    effectiveDate,
    rates: Object.entries(set).map(([currency, rate]) => ({ currency, rate })),
    setBy: 'mira',
    setAt: '2026-01-01T00:00:00.000Z',
  },
});

// Customer ids sort as they are named, so the expected order (by customer, then day) is readable.
const [anna, budi, citra] = ['c-anna', 'c-budi', 'c-citra'];

describe('purchase occasions in the reporting currency (PGlite)', () => {
  const given = ProjectionSpecification.for({ projection: both, registry: crmRegistry(), entities: [CustomerMerge] });

  it('makes one occasion of several orders on one UTC day, with their amounts summed', async () => {
    await given([])
      .when([
        placed(anna, '2026-02-03T08:00:00.000Z', 'EUR', 10_000),
        placed(anna, '2026-02-03T23:59:59.000Z', 'EUR', 2_550),
        placed(anna, '2026-02-04T00:00:00.000Z', 'EUR', 100),
        placed(budi, '2026-02-03T12:00:00.000Z', 'EUR', 7),
      ])
      .then(async (m) => {
        expect(await loadPurchaseOccasions(m)).toEqual({
          reportingCurrency: 'EUR',
          occasions: [
            { customerId: anna, day: '2026-02-03', amount: 12_550, orders: 2 },
            { customerId: anna, day: '2026-02-04', amount: 100, orders: 1 },
            { customerId: budi, day: '2026-02-03', amount: 7, orders: 1 },
          ],
          unconverted: { orders: 0, currencies: [] },
        });
      });
  });

  it('counts orders net of returns; cancelled and fully returned orders count nowhere', async () => {
    const [a, b, c, d] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    await given([])
      .when([
        placed(anna, '2026-02-03T08:00:00.000Z', 'EUR', 10_000, a),
        returned(anna, a, '2026-02-10T08:00:00.000Z', 3_000, 'EUR'),
        placed(anna, '2026-02-05T08:00:00.000Z', 'EUR', 4_000, b),
        cancelled(anna, b, '2026-02-06T08:00:00.000Z', 4_000, 'EUR'),
        placed(anna, '2026-02-07T08:00:00.000Z', 'EUR', 5_000, c),
        returned(anna, c, '2026-02-08T08:00:00.000Z', 2_000, 'EUR'),
        returned(anna, c, '2026-02-09T08:00:00.000Z', 3_000, 'EUR', true),
        placed(anna, '2026-02-07T09:00:00.000Z', 'EUR', 600, d),
      ])
      .then(async (m) => {
        expect((await loadPurchaseOccasions(m)).occasions).toEqual([
          { customerId: anna, day: '2026-02-03', amount: 7_000, orders: 1 },
          // the fully returned order of that day is no order; the other one is
          { customerId: anna, day: '2026-02-07', amount: 600, orders: 1 },
        ]);
      });
  });

  it('converts each currency with the rate in force on the order’s day, exactly, and leaves orders without a rate out', async () => {
    await given([
      ratesSet('EUR', '2026-01-01', { USD: '0.9', JPY: '0.0061' }),
      ratesSet('EUR', '2026-02-01', { USD: '0.8' }),
      // a rate to another reporting currency converts nothing here
      ratesSet('IDR', '2026-01-01', { KWD: '52000' }),
    ])
      .when([
        // before the first USD rate: no rate, left out
        placed(anna, '2025-12-31T10:00:00.000Z', 'USD', 1_000),
        // 0.9: 10.00 USD = 9.00 EUR; same day as 5.00 EUR → one occasion of 14.00 EUR
        placed(anna, '2026-01-15T10:00:00.000Z', 'USD', 1_000),
        placed(anna, '2026-01-15T11:00:00.000Z', 'EUR', 500),
        // 0.8 from Feb 1st: 10.00 USD = 8.00 EUR
        placed(anna, '2026-02-01T00:00:00.000Z', 'USD', 1_000),
        // JPY has no minor unit: 1001 JPY × 0.0061 = 6.1061 EUR = 610.61 cents → 611 (half away from zero)
        placed(budi, '2026-01-20T10:00:00.000Z', 'JPY', 1_001),
        // KWD has no rate to EUR
        placed(citra, '2026-01-20T10:00:00.000Z', 'KWD', 1_000),
        placed(citra, '2026-01-21T10:00:00.000Z', 'KWD', 1_000),
      ])
      .then(async (m) => {
        expect(await loadPurchaseOccasions(m)).toEqual({
          reportingCurrency: 'EUR',
          occasions: [
            { customerId: anna, day: '2026-01-15', amount: 1_400, orders: 2 },
            { customerId: anna, day: '2026-02-01', amount: 800, orders: 1 },
            { customerId: budi, day: '2026-01-20', amount: 611, orders: 1 },
          ],
          unconverted: { orders: 3, currencies: ['KWD', 'USD'] },
        });
        // The same history in another reporting currency: only what has a rate to it.
        expect(await loadPurchaseOccasions(m, { reportingCurrency: 'IDR' })).toEqual({
          reportingCurrency: 'IDR',
          // 1.000 KWD × 52000 = 52000.00 IDR
          occasions: [
            { customerId: citra, day: '2026-01-20', amount: 5_200_000, orders: 1 },
            { customerId: citra, day: '2026-01-21', amount: 5_200_000, orders: 1 },
          ],
          unconverted: { orders: 5, currencies: ['EUR', 'JPY', 'USD'] },
        });
      });
  });

  it('as of an instant: orders dated by then, returns and cancellations only from their own dates', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    await given([])
      .when([
        placed(anna, '2026-03-01T10:00:00.000Z', 'EUR', 10_000, a),
        returned(anna, a, '2026-03-10T10:00:00.000Z', 4_000, 'EUR'),
        placed(anna, '2026-03-02T10:00:00.000Z', 'EUR', 2_000, b),
        cancelled(anna, b, '2026-03-12T10:00:00.000Z', 2_000, 'EUR'),
        placed(anna, '2026-03-20T10:00:00.000Z', 'EUR', 999),
      ])
      .then(async (m) => {
        const asOf = (at: string) => loadPurchaseOccasions(m, { asOf: new Date(at) }).then((r) => r.occasions.map((o) => [o.day, o.amount]));
        expect(await asOf('2026-03-01T09:59:59.999Z')).toEqual([]);
        expect(await asOf('2026-03-05T00:00:00.000Z')).toEqual([
          ['2026-03-01', 10_000],
          ['2026-03-02', 2_000],
        ]);
        expect(await asOf('2026-03-11T00:00:00.000Z')).toEqual([
          ['2026-03-01', 6_000],
          ['2026-03-02', 2_000],
        ]);
        expect(await asOf('2026-03-12T10:00:00.000Z')).toEqual([['2026-03-01', 6_000]]);
        expect(await loadPurchaseOccasions(m).then((r) => r.occasions.map((o) => [o.day, o.amount]))).toEqual([
          ['2026-03-01', 6_000],
          ['2026-03-20', 999],
        ]);
        // from: only orders dated at or after it
        expect(
          await loadPurchaseOccasions(m, { from: new Date('2026-03-02T00:00:00.000Z'), asOf: new Date('2026-03-05T00:00:00.000Z') }).then((r) =>
            r.occasions.map((o) => o.day),
          ),
        ).toEqual(['2026-03-02']);
      });
  });

  it("counts a merged customer's orders for its survivor (through a chain), while the merge is in force", async () => {
    await given([])
      .when([
        placed(anna, '2026-04-01T10:00:00.000Z', 'EUR', 100),
        placed(budi, '2026-04-01T12:00:00.000Z', 'EUR', 200),
        placed(citra, '2026-04-02T12:00:00.000Z', 'EUR', 300),
      ])
      .then(async (m) => {
        await merge(m, budi, anna, '2026-04-05T00:00:00.000Z');
        await merge(m, citra, budi, '2026-04-06T00:00:00.000Z');
        expect(await loadPurchaseOccasions(m)).toMatchObject({
          occasions: [
            { customerId: anna, day: '2026-04-01', amount: 300, orders: 2 },
            { customerId: anna, day: '2026-04-02', amount: 300, orders: 1 },
          ],
        });
        // before the second merge, citra was still a customer of its own
        expect((await loadPurchaseOccasions(m, { asOf: new Date('2026-04-05T12:00:00.000Z') })).occasions.map((o) => [o.customerId, o.amount])).toEqual([
          [anna, 300],
          [citra, 300],
        ]);
        // customerIds filters on survivors
        expect((await loadPurchaseOccasions(m, { customerIds: [citra] })).occasions).toEqual([]);
        expect((await loadPurchaseOccasions(m, { customerIds: [anna] })).occasions).toHaveLength(2);
      });
  });

  it('records each return once and its date, and when an order was cancelled', async () => {
    const a = randomUUID();
    const back = returned(anna, a, '2026-05-02T10:00:00.000Z', 300, 'EUR');
    await given([placed(anna, '2026-05-01T10:00:00.000Z', 'EUR', 1_000, a)])
      .when([back, { ...back, id: randomUUID() } as SpecEvent<Event>])
      .then(async (m) => {
        expect(await m.getRepository(OrderPurchase).findOneByOrFail({ orderId: a })).toMatchObject({ refunded: '300', status: 'partially-returned' });
        expect(await m.getRepository(OrderReturn).find()).toEqual([
          expect.objectContaining({ orderId: a, amount: '300', returnedAt: new Date('2026-05-02T10:00:00.000Z') }),
        ]);
      });
    await given([placed(anna, '2026-05-01T10:00:00.000Z', 'EUR', 1_000, a)])
      .when([cancelled(anna, a, '2026-05-03T10:00:00.000Z', 1_000, 'EUR')])
      .thenRows(OrderPurchase, [{ orderId: a, status: 'cancelled', refunded: '1000', cancelledAt: new Date('2026-05-03T10:00:00.000Z') }]);
  });

  it('keeps one row per reporting currency, currency and day: a rate set again that day replaces it', async () => {
    await given([ratesSet('EUR', '2026-01-01', { USD: '0.9' })])
      .when([ratesSet('EUR', '2026-01-01', { USD: '0.91', JPY: '0.0061' }), ratesSet('EUR', '2026-02-01', { USD: '0.8' })])
      .thenRows(ExchangeRateRow, [
        { reportingCurrency: 'EUR', currency: 'JPY', effectiveDate: '2026-01-01', rate: '0.0061' },
        { reportingCurrency: 'EUR', currency: 'USD', effectiveDate: '2026-01-01', rate: '0.91' },
        { reportingCurrency: 'EUR', currency: 'USD', effectiveDate: '2026-02-01', rate: '0.8' },
      ]);
  });
});

async function merge(m: EntityManager, duplicateId: string, survivorId: string, mergedAt: string): Promise<void> {
  await m.getRepository(CustomerMerge).save({ mergeId: randomUUID(), duplicateId, survivorId, mergedAt: new Date(mergedAt), unmergedAt: null });
}
