import { randomUUID } from 'node:crypto';
import { crmRegistry } from '@crm/contracts';
import { ProjectionSpecification, type SpecEvent } from '@crm/projections/testing';
import { InvalidCursorError } from './keyset-cursor';
import { OrderListEntry } from './order-list.entities';
import { orderListProjection, type OrderListEvent } from './order-list.projection';
import { searchOrders, type OrderSearch } from './order-list.query';

const given = ProjectionSpecification.for({ projection: orderListProjection('o'), registry: crmRegistry() });

type Placed = Extract<OrderListEvent, { type: 'OrderPlaced' }>['data'];
const placed = (orderId: string, customerId: string, over: Partial<Placed> = {}): SpecEvent<OrderListEvent> => ({
  type: 'OrderPlaced',
  subject: customerId,
  data: {
    orderId,
    customerId,
    orderDate: '2026-03-01T00:00:00.000Z',
    placedAt: '2026-03-01T09:00:00.000Z',
    currency: 'EUR',
    lines: [{ lineId: '1', productId: 'van', quantity: 2, unitPrice: 1000, gross: 2000, discount: 0, tax: 0, total: 2000 }],
    subtotal: 2000,
    discountTotal: 0,
    taxTotal: 0,
    total: 2000,
    source: 'api',
    ...over,
  },
});
const ev = (type: OrderListEvent['type'], data: { orderId: string; customerId: string } & Record<string, unknown>) =>
  ({ type, subject: data.customerId, data }) as unknown as SpecEvent<OrderListEvent>;
const returned = (orderId: string, customerId: string, amount: number, fullyReturned: boolean) =>
  ev('OrderReturned', {
    orderId,
    customerId,
    returnId: randomUUID(),
    returnedAt: '2026-03-05T09:00:00.000Z',
    lines: [{ lineId: '1', productId: 'van', quantity: 1, amount }],
    amount,
    currency: 'EUR',
    fullyReturned,
  });
const search = (s: Partial<OrderSearch> = {}): OrderSearch => ({ limit: 50, ...s });

// The orders list sales keeps (GET /orders), over PGlite: given events, when events, then rows.
describe('orders list read model (PGlite)', () => {
  it('keeps each order with its customer, date, total and source; returns add up, cancelling closes it', async () => {
    const [a, b] = [randomUUID(), randomUUID()].sort();
    const customerId = randomUUID();
    await given([placed(a, customerId, { source: 'import', externalId: 'SO-1', opportunityId: 'opp' }), placed(b, customerId)])
      .when([
        returned(a, customerId, 1000, false),
        returned(a, customerId, 1000, true),
        ev('OrderCancelled', { orderId: b, customerId, cancelledAt: '2026-03-02T00:00:00.000Z', amount: 2000, currency: 'EUR' }),
      ])
      .thenRows(OrderListEntry, [
        {
          orderId: a,
          customerId,
          status: 'returned',
          total: '2000',
          refunded: '2000',
          lineCount: 1,
          source: 'import',
          externalId: 'SO-1',
          opportunityId: 'opp',
        },
        { orderId: b, customerId, status: 'cancelled', total: '2000', refunded: '0', orderDate: new Date('2026-03-01T00:00:00.000Z') },
      ]);
  });

  it('a placement delivered again changes nothing; a change to an order it never saw is parked, and what follows it', async () => {
    const orderId = randomUUID();
    const ghost = randomUUID();
    const customerId = randomUUID();
    await given([placed(orderId, customerId)])
      .when([placed(orderId, customerId, { total: 1 }), returned(ghost, customerId, 1, false), returned(orderId, customerId, 1000, false)])
      .thenParks([`order ${ghost} is not in the orders list`, 'waiting behind parked event'], async (manager) => {
        expect(await manager.getRepository(OrderListEntry).findOneBy({ orderId })).toMatchObject({ total: '2000', refunded: '0' });
      });
  });

  it('filters by customers, date range and status, newest first, and pages with a stable order', async () => {
    const [c1, c2] = [randomUUID(), randomUUID()];
    const ids = Array.from({ length: 6 }, () => randomUUID());
    const day = (d: number) => `2026-02-${String(d).padStart(2, '0')}T10:00:00.000Z`;
    await given([
      placed(ids[0], c1, { orderDate: day(1) }),
      placed(ids[1], c1, { orderDate: day(2) }),
      placed(ids[2], c2, { orderDate: day(2) }), // same date as ids[1]: ties by order id
      placed(ids[3], c2, { orderDate: day(3), total: Number.MAX_SAFE_INTEGER, subtotal: Number.MAX_SAFE_INTEGER }),
      placed(ids[4], c1, { orderDate: day(4) }),
      placed(ids[5], c1, { orderDate: '2026-02-04T10:00:00.001Z' }), // a millisecond after ids[4]
      ev('OrderCancelled', { orderId: ids[4], customerId: c1, cancelledAt: day(5), amount: 2000, currency: 'EUR' }),
    ])
      .when([])
      .then(async (manager) => {
        const list = async (s: Partial<OrderSearch>) => (await searchOrders(manager, search(s))).items.map((i) => i.orderId);
        const tie = [ids[1], ids[2]].sort();
        expect(await list({})).toEqual([ids[5], ids[4], ids[3], ...tie, ids[0]]);
        expect(await list({ customerIds: [c2] })).toEqual([ids[3], ids[2]]);
        expect(await list({ customerIds: [] })).toEqual([]);
        expect(await list({ from: new Date(day(2)), to: new Date(day(4)) })).toEqual([ids[3], ...tie]);
        expect(await list({ statuses: ['cancelled'] })).toEqual([ids[4]]);
        expect(await list({ statuses: ['placed'], customerIds: [c1] })).toEqual([ids[5], ids[1], ids[0]]);
        // the largest amount comes back exactly
        expect((await searchOrders(manager, search({ customerIds: [c2], limit: 1 }))).items[0].total).toBe(Number.MAX_SAFE_INTEGER);
        const whole = await list({});
        const paged: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await searchOrders(manager, search({ limit: 2, cursor }));
          paged.push(...page.items.map((i) => i.orderId));
          cursor = page.nextCursor;
        } while (cursor);
        expect(paged).toEqual(whole);
        for (const bad of ['garbage', Buffer.from('["orders","2026-01-01",""]').toString('base64url'), Buffer.from('{"a":1}').toString('base64url')])
          await expect(searchOrders(manager, search({ cursor: bad }))).rejects.toBeInstanceOf(InvalidCursorError);
      });
  });
});
