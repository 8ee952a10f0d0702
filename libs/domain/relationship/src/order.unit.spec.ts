import { DeciderSpecification } from '@crm/kernel/testing';
import {
  evolveOrder,
  MAX_ORDER_LINES,
  orderDecider,
  priceLine,
  priceOrder,
  type OrderCommand,
  type OrderEvent,
  type OrderPlacedData,
  type OrderState,
  type PlaceOrderData,
} from './order';

const given = DeciderSpecification.for(orderDecider);
const stateOf = (events: OrderEvent[]): OrderState => events.reduce(evolveOrder, undefined);

const placeData: PlaceOrderData = {
  orderId: 'o1',
  customerId: 'c1',
  orderDate: '2026-03-01T00:00:00.000Z',
  placedAt: '2026-03-01T09:00:00.000Z',
  currency: 'EUR',
  lines: [
    { productId: 'van', productName: 'Delivery van', quantity: 2, unitPrice: 2_500_000, discountRate: 1000, taxRate: 1900 },
    { productId: 'service', quantity: 3, unitPrice: 333, discountAmount: 99 },
  ],
  source: 'api',
};
const place = (over: Partial<PlaceOrderData> = {}, extra: Partial<Extract<OrderCommand, { type: 'PlaceOrder' }>> = {}): OrderCommand => ({
  type: 'PlaceOrder',
  data: { ...placeData, ...over },
  customerExists: true,
  ...extra,
});
const placed: OrderPlacedData = {
  orderId: 'o1',
  customerId: 'c1',
  orderDate: '2026-03-01T00:00:00.000Z',
  placedAt: '2026-03-01T09:00:00.000Z',
  currency: 'EUR',
  lines: [
    // 5,000,000 gross, 10 % off = 500,000, 19 % on 4,500,000 = 855,000
    {
      lineId: '1',
      productId: 'van',
      productName: 'Delivery van',
      quantity: 2,
      unitPrice: 2_500_000,
      gross: 5_000_000,
      discount: 500_000,
      discountRate: 1000,
      tax: 855_000,
      taxRate: 1900,
      total: 5_355_000,
    },
    { lineId: '2', productId: 'service', quantity: 3, unitPrice: 333, gross: 999, discount: 99, tax: 0, total: 900 },
  ],
  subtotal: 5_000_999,
  discountTotal: 500_099,
  taxTotal: 855_000,
  total: 5_355_900,
  source: 'api',
};
const history: OrderEvent[] = [{ type: 'OrderPlaced', data: placed }];

describe('order pricing (integer minor units)', () => {
  it('prices a line: gross, a discount rate off the gross, a tax rate on the net, each rounded half up on the line', () => {
    // 3 × 333 = 999; 12.5 % of 999 = 124.875 → 125; 11 % of 874 = 96.14 → 96
    expect(priceLine({ productId: 'p', quantity: 3, unitPrice: 333, discountRate: 1250, taxRate: 1100 }, '1')).toEqual({
      lineId: '1',
      productId: 'p',
      quantity: 3,
      unitPrice: 333,
      gross: 999,
      discount: 125,
      discountRate: 1250,
      tax: 96,
      taxRate: 1100,
      total: 970,
    });
    // exactly half a minor unit rounds up: 5 % of 10 = 0.5 → 1; 5 % of 9 = 0.45 → 0
    expect(priceLine({ productId: 'p', quantity: 1, unitPrice: 10, taxRate: 500 }, '1')).toMatchObject({ tax: 1, total: 11 });
    expect(priceLine({ productId: 'p', quantity: 1, unitPrice: 9, taxRate: 500 }, '1')).toMatchObject({ tax: 0, total: 9 });
    expect(priceLine({ productId: 'p', quantity: 1, unitPrice: 10, discountRate: 500 }, '1')).toMatchObject({ discount: 1, total: 9 });
    // amounts instead of rates are taken as they are
    expect(priceLine({ productId: 'p', quantity: 2, unitPrice: 1000, discountAmount: 150, taxAmount: 7 }, '1')).toMatchObject({
      gross: 2000,
      discount: 150,
      tax: 7,
      total: 1857,
    });
    // free lines are lines
    expect(priceLine({ productId: 'p', quantity: 1, unitPrice: 0 }, '1')).toMatchObject({ gross: 0, total: 0 });
  });

  it('sums the lines into the totals without rounding again, and numbers the lines', () => {
    const { lines, totals } = priceOrder(placeData.lines);
    expect(lines.map((l) => l.lineId)).toEqual(['1', '2']);
    expect(totals).toEqual({ subtotal: 5_000_999, discountTotal: 500_099, taxTotal: 855_000, total: 5_355_900 });
    // 0.1 + 0.2 in floating point is not 0.3; in minor units it is
    expect(priceOrder([1, 2].map((unitPrice) => ({ productId: 'p', quantity: 1, unitPrice: unitPrice * 10 }))).totals.total).toBe(30);
  });

  it('keeps the difference to a recorded total as the adjustment (imports), with its sign', () => {
    expect(priceOrder([{ productId: 'p', quantity: 2, unitPrice: 1000 }], 2300).totals).toEqual({
      subtotal: 2000,
      discountTotal: 0,
      taxTotal: 0,
      adjustment: 300,
      total: 2300,
    });
    expect(priceOrder([{ productId: 'p', quantity: 2, unitPrice: 1000 }], 1800).totals).toMatchObject({ adjustment: -200, total: 1800 });
    expect(priceOrder([], 4200).totals).toEqual({ subtotal: 0, discountTotal: 0, taxTotal: 0, adjustment: 4200, total: 4200 });
  });

  it.each([
    ['line-needs-product', { productId: ' ' }],
    ['invalid-quantity', { quantity: 0 }],
    ['invalid-quantity', { quantity: 1.5 }],
    ['invalid-amount', { unitPrice: -1 }],
    ['invalid-amount', { unitPrice: 10.5 }],
    ['invalid-amount', { discountAmount: -1 }],
    ['invalid-rate', { discountRate: 10_001 }],
    ['invalid-rate', { taxRate: 12.5 }],
    ['discount-rate-or-amount', { discountRate: 100, discountAmount: 1 }],
    ['tax-rate-or-amount', { taxRate: 100, taxAmount: 1 }],
    ['discount-exceeds-price', { discountAmount: 1001 }],
    ['amount-too-large', { quantity: 1_000_000, unitPrice: Number.MAX_SAFE_INTEGER }],
  ])('refuses a line that breaks %s', (rule, over) => {
    given([])
      .when(place({ lines: [{ productId: 'p', quantity: 1, unitPrice: 1000, ...over }] }))
      .thenBreaks(rule);
  });

  it('a 100 % discount is allowed, a total past the largest safe amount is not', () => {
    expect(priceLine({ productId: 'p', quantity: 1, unitPrice: 1000, discountRate: 10_000, taxRate: 1100 }, '1')).toMatchObject({
      discount: 1000,
      tax: 0,
      total: 0,
    });
    const half = Math.floor(Number.MAX_SAFE_INTEGER / 2) + 1;
    given([])
      .when(place({ lines: [1, 2].map(() => ({ productId: 'p', quantity: 1, unitPrice: half })) }))
      .thenBreaks('amount-too-large');
  });
});

describe('order decide: placing', () => {
  it('places an order with its priced lines and totals; the same order again changes nothing', () => {
    given([]).when(place()).then(history);
    given(history).when(place()).thenNothingHappens();
    given(history)
      .when(place({ placedAt: '2026-03-02T09:00:00.000Z' }))
      .thenNothingHappens(); // a retry later: still the same order
    given(history)
      .when(place({ lines: [{ productId: 'van', quantity: 3, unitPrice: 2_500_000 }] }))
      .thenBreaks('order-exists');
  });

  it('recognises the same order when the stored event comes back with its keys in another order', () => {
    const reordered = JSON.parse(JSON.stringify(placed, Object.keys(placed).sort())) as OrderPlacedData;
    reordered.lines = placed.lines.map((l) => Object.fromEntries(Object.entries(l).reverse()) as unknown as (typeof placed.lines)[number]);
    given([{ type: 'OrderPlaced', data: reordered }])
      .when(place())
      .thenNothingHappens();
  });

  it('needs a registered customer, a real currency, at least one line, and a date no more than a day ahead', () => {
    given([])
      .when(place({}, { customerExists: false }))
      .thenBreaks('unknown-customer');
    given([])
      .when(place({ currency: 'XYZ' }))
      .thenBreaks('unknown-currency');
    given([])
      .when(place({ currency: 'eur' }))
      .thenBreaks('unknown-currency');
    given([])
      .when(place({ lines: [] }))
      .thenBreaks('order-needs-lines');
    given([])
      .when(place({ lines: Array.from({ length: MAX_ORDER_LINES + 1 }, () => ({ productId: 'p', quantity: 1, unitPrice: 1 })) }))
      .thenBreaks('too-many-lines');
    given([])
      .when(place({ orderDate: '2026-03-02T09:00:00.001Z' }))
      .thenBreaks('order-date-in-future');
    given([])
      .when(place({ orderDate: '2026-03-02T00:00:00.000Z' }))
      .then([{ type: 'OrderPlaced', data: { ...placed, orderDate: '2026-03-02T00:00:00.000Z' } }]);
  });

  it('on an opportunity: one of the same customer that is still open', () => {
    const on = { opportunityId: 'opp1' };
    given([])
      .when(place(on, { opportunity: { customerId: 'c1', closed: false } }))
      .then([{ type: 'OrderPlaced', data: { ...placed, opportunityId: 'opp1' } }]);
    given([]).when(place(on)).thenBreaks('unknown-opportunity');
    given([])
      .when(place(on, { opportunity: { customerId: 'c2', closed: false } }))
      .thenBreaks('opportunity-of-another-customer');
    given([])
      .when(place(on, { opportunity: { customerId: 'c1', closed: true } }))
      .thenBreaks('opportunity-closed');
    // the retry of the order that closed it: already placed, nothing new (the opportunity is closed by now)
    given([{ type: 'OrderPlaced', data: { ...placed, opportunityId: 'opp1' } }])
      .when(place(on, { opportunity: { customerId: 'c1', closed: true } }))
      .thenNothingHappens();
  });

  it('records where it came from: a quote, an import with its number and the total the other system recorded', () => {
    given([])
      .when(place({ source: 'quote', quoteId: 'q1' }))
      .then([{ type: 'OrderPlaced', data: { ...placed, source: 'quote', quoteId: 'q1' } }]);
    given([])
      .when(place({ source: 'import', externalId: 'SO-1', lines: [], declaredTotal: 4200 }))
      .then([
        {
          type: 'OrderPlaced',
          data: { ...placed, lines: [], subtotal: 0, discountTotal: 0, taxTotal: 0, adjustment: 4200, total: 4200, source: 'import', externalId: 'SO-1' },
        },
      ]);
  });
});

describe('order decide: cancelling', () => {
  const cancel: OrderCommand = { type: 'CancelOrder', data: { orderId: 'o1', cancelledAt: '2026-03-02T09:00:00.000Z', reason: 'changed their mind' } };
  const cancelled: OrderEvent = {
    type: 'OrderCancelled',
    data: { orderId: 'o1', customerId: 'c1', cancelledAt: '2026-03-02T09:00:00.000Z', reason: 'changed their mind', amount: 5_355_900, currency: 'EUR' },
  };

  it('takes back the whole total; a second cancellation changes nothing', () => {
    given(history).when(cancel).then([cancelled]);
    given([...history, cancelled])
      .when(cancel)
      .thenNothingHappens();
    expect(stateOf([...history, cancelled])).toMatchObject({ status: 'cancelled', cancelled: { cancelledAt: '2026-03-02T09:00:00.000Z' } });
  });

  it('is refused for an order that does not exist or already has returns', () => {
    given([]).when(cancel).thenBreaks('unknown-order');
    const returned: OrderEvent = {
      type: 'OrderReturned',
      data: {
        orderId: 'o1',
        customerId: 'c1',
        returnId: 'r1',
        returnedAt: '2026-03-02T09:00:00.000Z',
        lines: [],
        amount: 0,
        currency: 'EUR',
        fullyReturned: false,
      },
    };
    given([...history, returned])
      .when(cancel)
      .thenBreaks('order-has-returns');
  });
});

describe('order decide: returning', () => {
  const at = '2026-03-03T09:00:00.000Z';
  const ret = (returnId: string, lines?: { lineId: string; quantity: number }[]): OrderCommand => ({
    type: 'ReturnOrder',
    data: { orderId: 'o1', returnId, returnedAt: at, ...(lines && { lines }) },
  });
  const apply = (events: OrderEvent[], command: OrderCommand): OrderEvent[] => [...events, ...orderDecider.decide(command, stateOf(events))];

  it('refunds a line unit by unit so that the parts add up to the line exactly (cumulative rounding)', () => {
    // line 2 totals 900 for 3 units: 300 each. A line of 100 for 3 units is 33.33…: 33, 34, 33.
    const odd: OrderEvent[] = [
      {
        type: 'OrderPlaced',
        data: {
          ...placed,
          lines: [{ ...placed.lines[1], total: 100, discount: 899, lineId: '1' }],
          subtotal: 999,
          discountTotal: 899,
          taxTotal: 0,
          total: 100,
        },
      },
    ];
    let events = odd;
    for (const id of ['r1', 'r2', 'r3']) events = apply(events, ret(id, [{ lineId: '1', quantity: 1 }]));
    const amounts = events.slice(1).map((e) => (e.type === 'OrderReturned' ? e.data.amount : NaN));
    expect(amounts).toEqual([33, 34, 33]);
    expect(amounts.reduce((a, b) => a + b, 0)).toBe(100);
    expect(stateOf(events)).toMatchObject({ status: 'returned', refunded: 100 });
    expect(events.map((e) => e.type === 'OrderReturned' && e.data.fullyReturned)).toEqual([false, false, false, true]);
  });

  it('returns some lines, then the rest in full; all returns refund exactly the total', () => {
    given(history)
      .when(ret('r1', [{ lineId: '2', quantity: 1 }]))
      .then([
        {
          type: 'OrderReturned',
          data: {
            orderId: 'o1',
            customerId: 'c1',
            returnId: 'r1',
            returnedAt: at,
            lines: [{ lineId: '2', productId: 'service', quantity: 1, amount: 300 }],
            amount: 300,
            currency: 'EUR',
            fullyReturned: false,
          },
        },
      ]);
    const partly = apply(history, ret('r1', [{ lineId: '2', quantity: 1 }]));
    expect(stateOf(partly)?.status).toBe('partially-returned');
    const all = apply(partly, ret('r2'));
    const last = all[all.length - 1];
    expect(last).toMatchObject({
      type: 'OrderReturned',
      data: {
        lines: [
          { lineId: '1', quantity: 2, amount: 5_355_000 },
          { lineId: '2', quantity: 2, amount: 600 },
        ],
        amount: 5_355_600,
        fullyReturned: true,
      },
    });
    expect(stateOf(all)).toMatchObject({ status: 'returned', refunded: placed.total, returnedQuantities: { '1': 2, '2': 3 } });
  });

  it('a retried return changes nothing; more than is left, an unknown or twice-named line is refused', () => {
    const partly = apply(history, ret('r1', [{ lineId: '2', quantity: 2 }]));
    given(partly)
      .when(ret('r1', [{ lineId: '2', quantity: 2 }]))
      .thenNothingHappens();
    given(partly)
      .when(ret('r2', [{ lineId: '2', quantity: 2 }]))
      .thenBreaks('return-exceeds-ordered');
    given(history)
      .when(ret('r2', [{ lineId: '9', quantity: 1 }]))
      .thenBreaks('unknown-order-line');
    given(history)
      .when(
        ret('r2', [
          { lineId: '1', quantity: 1 },
          { lineId: '1', quantity: 1 },
        ]),
      )
      .thenBreaks('duplicate-line');
    given(history)
      .when(ret('r2', [{ lineId: '1', quantity: 0 }]))
      .thenBreaks('invalid-quantity');
    given(history).when(ret('r2', [])).thenBreaks('return-needs-lines');
  });

  it('nothing to return on a cancelled, a fully returned or an unknown order', () => {
    const cancelled: OrderEvent = {
      type: 'OrderCancelled',
      data: { orderId: 'o1', customerId: 'c1', cancelledAt: at, amount: placed.total, currency: 'EUR' },
    };
    given([...history, cancelled])
      .when(ret('r1'))
      .thenBreaks('order-cancelled');
    given(apply(history, ret('r1')))
      .when(ret('r2'))
      .thenBreaks('order-returned');
    given([]).when(ret('r1')).thenBreaks('unknown-order');
  });

  it('an imported order: one without lines is returned as a whole; the adjustment goes with the return that completes it, never below zero', () => {
    const totalOnly: OrderEvent[] = [
      { type: 'OrderPlaced', data: { ...placed, lines: [], subtotal: 0, discountTotal: 0, taxTotal: 0, adjustment: 4200, total: 4200, source: 'import' } },
    ];
    given(totalOnly)
      .when(ret('r1', [{ lineId: '1', quantity: 1 }]))
      .thenBreaks('order-has-no-lines');
    expect(apply(totalOnly, ret('r1'))[1]).toMatchObject({ data: { lines: [], amount: 4200, fullyReturned: true } });

    const line = (lineId: string, total: number) => ({
      lineId,
      productId: `p${lineId}`,
      quantity: 1,
      unitPrice: total,
      gross: total,
      discount: 0,
      tax: 0,
      total,
    });
    const shipped: OrderEvent[] = [
      {
        type: 'OrderPlaced',
        data: { ...placed, lines: [line('1', 600), line('2', 400)], subtotal: 1000, discountTotal: 0, taxTotal: 0, adjustment: 50, total: 1050 },
      },
    ];
    let events = apply(shipped, ret('r1', [{ lineId: '1', quantity: 1 }]));
    events = apply(events, ret('r2', [{ lineId: '2', quantity: 1 }]));
    expect(events.slice(1).map((e) => e.type === 'OrderReturned' && e.data.amount)).toEqual([600, 450]);

    const discounted: OrderEvent[] = [
      {
        type: 'OrderPlaced',
        data: { ...placed, lines: [line('1', 600), line('2', 400)], subtotal: 1000, discountTotal: 0, taxTotal: 0, adjustment: -500, total: 500 },
      },
    ];
    events = apply(discounted, ret('r1', [{ lineId: '1', quantity: 1 }]));
    events = apply(events, ret('r2', [{ lineId: '2', quantity: 1 }]));
    expect(events.slice(1).map((e) => e.type === 'OrderReturned' && e.data.amount)).toEqual([500, 0]);
    expect(stateOf(events)).toMatchObject({ status: 'returned', refunded: 500 });
  });
});
