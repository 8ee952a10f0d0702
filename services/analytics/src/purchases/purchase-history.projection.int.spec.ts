import { randomUUID } from 'node:crypto';
import { crmRegistry } from '@crm/contracts';
import { ProjectionSpecification, type SpecEvent } from '@crm/projections/testing';
import { CustomerMerge } from '@crm/relationship-read-models';
import { exchangeRatesProjection } from './exchange-rates.projection';
import { OrderPurchase } from './purchase-history.entities';
import { purchaseHistoryProjection, type PurchaseHistoryEvent } from './purchase-history.projection';
import { loadPurchaseOccasions } from './purchase-occasions';

// A distributor's reported sale (issue 14 §6) is the end customer's purchase: OrderPlaced version 2
// with source `sell-through` and the partner, counted in the purchase history like any other order.
const projection = purchaseHistoryProjection('analytics');
const line = { lineId: '1', productId: 'router-x2', quantity: 2, unitPrice: 12_500, gross: 25_000, discount: 0, tax: 0, total: 25_000 };
const order = (customerId: string, orderDate: string, extra: Record<string, unknown>, schemaversion = 1): SpecEvent<PurchaseHistoryEvent> =>
  ({
    type: 'OrderPlaced',
    schemaversion,
    data: {
      orderId: randomUUID(),
      customerId,
      orderDate,
      placedAt: orderDate,
      currency: 'EUR',
      lines: [line],
      subtotal: 25_000,
      discountTotal: 0,
      taxTotal: 0,
      total: 25_000,
      source: 'api',
      ...extra,
    },
  }) as SpecEvent<PurchaseHistoryEvent>;

describe('analytics.purchase-history: sell-through (PGlite)', () => {
  const given = ProjectionSpecification.for({
    projection,
    registry: crmRegistry(),
    entities: [CustomerMerge, ...exchangeRatesProjection('analytics').entities],
  });

  it('records a partner’s reported sale as the customer’s purchase, attributed to the partner, and counts it in the occasions', async () => {
    const partnerId = randomUUID();
    await given([order('c-anna', '2026-02-01T10:00:00.000Z', {})])
      .when([order('c-anna', '2026-02-03T10:00:00.000Z', { source: 'sell-through', partnerId, externalId: 'INV-7/1' }, 2)])
      .then(async (m) => {
        const rows = await m.getRepository(OrderPurchase).find({ where: { customerId: 'c-anna' }, order: { orderDate: 'ASC' } });
        expect(rows.map((r) => ({ source: r.source, partnerId: r.partnerId, total: Number(r.total) }))).toEqual([
          { source: 'api', partnerId: null, total: 25_000 },
          { source: 'sell-through', partnerId, total: 25_000 },
        ]);
        const occasions = await loadPurchaseOccasions(m, { customerIds: ['c-anna'], reportingCurrency: 'EUR' });
        expect(occasions.occasions.map((o) => [o.day, o.amount])).toEqual([
          ['2026-02-01', 25_000],
          ['2026-02-03', 25_000],
        ]);
      });
  });
});
