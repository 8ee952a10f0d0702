import { DomainRuleViolation, isCurrencyCode, type Decider } from '@crm/kernel';

/**
 * Sales order aggregate: what a customer bought — placed directly, from an accepted quote, or
 * imported from the purchase history of another system — and what became of it: cancelled as a
 * whole, or returned in full or line by line. Its events are the customer's purchase history
 * (recency, frequency, monetary value, lifetime value; purchase triggers).
 *
 * Money is integers of the currency's minor unit throughout (cents, sen, yen); rates are basis points
 * (1 = 0.01 %). Each line is priced on its own: gross = quantity × unit price; a discount rate is
 * taken off the gross, a tax rate applied to what is left, each rounded half up to the minor unit on
 * the line; the order's totals are the sums of its lines' (no rounding on totals).
 */

/**
 * `sell-through`: a distributor's or reseller's sale to an end customer, as the partner reported it
 * (issue 14 §6); such an order names the partner (`partnerId`) and is written as OrderPlaced version 2.
 */
export const ORDER_SOURCES = ['api', 'quote', 'import', 'sell-through'] as const;
export type OrderSource = (typeof ORDER_SOURCES)[number];

export const ORDER_STATUSES = ['placed', 'partially-returned', 'returned', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** More lines than this are not one order. */
export const MAX_ORDER_LINES = 1000;
/** 100 %: no discount or tax rate above it. */
export const MAX_RATE_BASIS_POINTS = 10_000;
/** An order may be dated up to a day ahead of the clock (its date was written in a time zone east of UTC). */
const ORDER_DATE_LEEWAY_MS = 86_400_000;

/** A line as it is ordered: the product, how many, the unit price, and a discount and a tax as a rate or an amount. */
export interface OrderLineInput {
  productId: string;
  productName?: string;
  quantity: number;
  /** Minor units. */
  unitPrice: number;
  /** Basis points off the gross (1250 = 12.5 %), or `discountAmount`. */
  discountRate?: number;
  /** Minor units off the gross, or `discountRate`. */
  discountAmount?: number;
  /** Basis points on the net (1100 = 11 %), or `taxAmount`. */
  taxRate?: number;
  /** Minor units, or `taxRate`. */
  taxAmount?: number;
}

/** A priced line, as the order records it. */
export interface OrderLine {
  /** `1`, `2`, …: the line's number in the order. */
  lineId: string;
  productId: string;
  productName?: string;
  quantity: number;
  unitPrice: number;
  /** quantity × unitPrice. */
  gross: number;
  discount: number;
  discountRate?: number;
  tax: number;
  taxRate?: number;
  /** gross − discount + tax. */
  total: number;
}

export interface OrderTotals {
  /** Σ gross. */
  subtotal: number;
  discountTotal: number;
  taxTotal: number;
  /**
   * Imports only: the order total the source system recorded minus the sum of the lines it listed
   * (shipping, an order-level discount or tax it did not break down); may be negative.
   */
  adjustment?: number;
  /** Σ line totals + adjustment. */
  total: number;
}

export interface OrderPlacedData extends OrderTotals {
  orderId: string;
  customerId: string;
  /** When the customer ordered (an instant; a date is its UTC midnight). */
  orderDate: string;
  /** When it was recorded here. */
  placedAt: string;
  currency: string;
  lines: OrderLine[];
  source: OrderSource;
  /** The order's number in the system it came from (imports): the same number is the same order. */
  externalId?: string;
  /** The accepted quote it was placed from. */
  quoteId?: string;
  /** The opportunity it closed as won. */
  opportunityId?: string;
  /** Sell-through: the partner that sold it and reported it. */
  partnerId?: string;
}

export interface OrderCancelledData {
  orderId: string;
  customerId: string;
  cancelledAt: string;
  reason?: string;
  /** What the cancellation takes back: the order's total. */
  amount: number;
  currency: string;
}

export interface ReturnedLine {
  lineId: string;
  productId: string;
  quantity: number;
  /** The line's share of the refund (see `returnAmounts`). */
  amount: number;
}

export interface OrderReturnedData {
  orderId: string;
  customerId: string;
  returnId: string;
  returnedAt: string;
  /** Empty for an order without lines (returned as a whole). */
  lines: ReturnedLine[];
  /** What this return refunds. All returns of an order together refund exactly its total. */
  amount: number;
  currency: string;
  reason?: string;
  /** Nothing is left to return after this one. */
  fullyReturned: boolean;
}

export type OrderEvent =
  { type: 'OrderPlaced'; data: OrderPlacedData } | { type: 'OrderCancelled'; data: OrderCancelledData } | { type: 'OrderReturned'; data: OrderReturnedData };

export interface Order {
  readonly orderId: string;
  readonly customerId: string;
  readonly status: OrderStatus;
  readonly orderDate: string;
  readonly placedAt: string;
  readonly currency: string;
  readonly lines: readonly OrderLine[];
  readonly subtotal: number;
  readonly discountTotal: number;
  readonly taxTotal: number;
  readonly adjustment?: number;
  readonly total: number;
  readonly source: OrderSource;
  readonly externalId?: string;
  readonly quoteId?: string;
  readonly opportunityId?: string;
  /** Sell-through: the partner that sold it. */
  readonly partnerId?: string;
  /** Units returned so far, by line id. */
  readonly returnedQuantities: Readonly<Record<string, number>>;
  /** Refunded so far by returns. */
  readonly refunded: number;
  readonly returns: readonly { returnId: string; returnedAt: string; lines: readonly ReturnedLine[]; amount: number; reason?: string }[];
  readonly cancelled?: { cancelledAt: string; reason?: string };
}

export type OrderState = Order | undefined;

export interface PlaceOrderData {
  orderId: string;
  customerId: string;
  orderDate: string;
  placedAt: string;
  currency: string;
  lines: OrderLineInput[];
  /** Imports: the total the source system recorded (the lines, if any, are priced and the difference kept as `adjustment`). */
  declaredTotal?: number;
  source: OrderSource;
  externalId?: string;
  quoteId?: string;
  opportunityId?: string;
  /** Sell-through only: the reporting partner. */
  partnerId?: string;
}

export type OrderCommand =
  /**
   * `customerExists`: the customer is registered (the application layer looked). `opportunity`: the
   * opportunity the order is placed on, as the application layer loaded it.
   */
  | { type: 'PlaceOrder'; data: PlaceOrderData; customerExists: boolean; opportunity?: { customerId: string; closed: boolean } }
  | { type: 'CancelOrder'; data: { orderId: string; cancelledAt: string; reason?: string } }
  /** `lines` absent: everything not yet returned. */
  | { type: 'ReturnOrder'; data: { orderId: string; returnId: string; returnedAt: string; lines?: { lineId: string; quantity: number }[]; reason?: string } };

export const orderStream = (orderId: string) => `order-${orderId}`;

const isAmount = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;
const safe = (n: bigint, what: string): number => {
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new DomainRuleViolation('amount-too-large', `${what} is larger than an amount can be`);
  return Number(n);
};
/** a × b / c rounded half up, for non-negative integers. */
const mulDivHalfUp = (a: bigint, b: bigint, c: bigint): bigint => (a * b * 2n + c) / (2n * c);

/** Prices one line (see the aggregate's comment); `lineId` is its number in the order. */
export function priceLine(input: OrderLineInput, lineId: string): OrderLine {
  const where = `line ${lineId}`;
  if (!input.productId?.trim()) throw new DomainRuleViolation('line-needs-product', `${where} names no product`);
  if (!Number.isSafeInteger(input.quantity) || input.quantity < 1)
    throw new DomainRuleViolation('invalid-quantity', `${where}: the quantity is a whole number of at least 1`);
  if (!isAmount(input.unitPrice)) throw new DomainRuleViolation('invalid-amount', `${where}: the unit price is a whole number of minor units, at least 0`);
  if (input.discountRate !== undefined && input.discountAmount !== undefined)
    throw new DomainRuleViolation('discount-rate-or-amount', `${where}: a discount is a rate or an amount, not both`);
  if (input.taxRate !== undefined && input.taxAmount !== undefined)
    throw new DomainRuleViolation('tax-rate-or-amount', `${where}: a tax is a rate or an amount, not both`);
  for (const [rate, name] of [
    [input.discountRate, 'discount'],
    [input.taxRate, 'tax'],
  ] as const) {
    if (rate !== undefined && (!Number.isSafeInteger(rate) || rate < 0 || rate > MAX_RATE_BASIS_POINTS))
      throw new DomainRuleViolation('invalid-rate', `${where}: the ${name} rate is 0 to ${MAX_RATE_BASIS_POINTS} basis points (0–100 %)`);
  }
  for (const [amount, name] of [
    [input.discountAmount, 'discount'],
    [input.taxAmount, 'tax'],
  ] as const) {
    if (amount !== undefined && !isAmount(amount))
      throw new DomainRuleViolation('invalid-amount', `${where}: the ${name} is a whole number of minor units, at least 0`);
  }
  const gross = BigInt(input.quantity) * BigInt(input.unitPrice);
  const discount = input.discountRate !== undefined ? mulDivHalfUp(gross, BigInt(input.discountRate), 10_000n) : BigInt(input.discountAmount ?? 0);
  if (discount > gross) throw new DomainRuleViolation('discount-exceeds-price', `${where}: the discount is more than the line's price`);
  const net = gross - discount;
  const tax = input.taxRate !== undefined ? mulDivHalfUp(net, BigInt(input.taxRate), 10_000n) : BigInt(input.taxAmount ?? 0);
  return {
    lineId,
    productId: input.productId,
    ...(input.productName !== undefined && { productName: input.productName }),
    quantity: input.quantity,
    unitPrice: input.unitPrice,
    gross: safe(gross, `${where}'s price`),
    discount: safe(discount, `${where}'s discount`),
    ...(input.discountRate !== undefined && { discountRate: input.discountRate }),
    tax: safe(tax, `${where}'s tax`),
    ...(input.taxRate !== undefined && { taxRate: input.taxRate }),
    total: safe(net + tax, `${where}'s total`),
  };
}

/** Prices every line and sums them; with `declaredTotal` (imports) the difference is the order's adjustment. */
export function priceOrder(inputs: readonly OrderLineInput[], declaredTotal?: number): { lines: OrderLine[]; totals: OrderTotals } {
  if (inputs.length > MAX_ORDER_LINES) throw new DomainRuleViolation('too-many-lines', `an order has at most ${MAX_ORDER_LINES} lines`);
  if (inputs.length === 0 && declaredTotal === undefined) throw new DomainRuleViolation('order-needs-lines', 'an order needs at least one line');
  if (declaredTotal !== undefined && !isAmount(declaredTotal))
    throw new DomainRuleViolation('invalid-amount', 'the order total is a whole number of minor units, at least 0');
  const lines = inputs.map((input, i) => priceLine(input, String(i + 1)));
  const sum = (pick: (l: OrderLine) => number) => lines.reduce((s, l) => s + BigInt(pick(l)), 0n);
  const linesTotal = sum((l) => l.total);
  const total = declaredTotal !== undefined ? BigInt(declaredTotal) : linesTotal;
  const totals: OrderTotals = {
    subtotal: safe(
      sum((l) => l.gross),
      'the subtotal',
    ),
    discountTotal: safe(
      sum((l) => l.discount),
      'the discount total',
    ),
    taxTotal: safe(
      sum((l) => l.tax),
      'the tax total',
    ),
    // Negative when the lines listed add up to more than the recorded total (an order-level discount).
    ...(declaredTotal !== undefined && { adjustment: Number(total - linesTotal) }),
    total: safe(total, 'the total'),
  };
  return { lines, totals };
}

/** JSON with the keys of every object sorted: stored events come back with their keys in another order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

/** What makes two placements the same order (a retried request, a re-imported file): everything but when and how it was recorded. */
const signatureOf = (d: Pick<Order, 'customerId' | 'orderDate' | 'currency' | 'lines' | 'adjustment' | 'total' | 'externalId' | 'quoteId' | 'opportunityId'>) =>
  canonical([d.customerId, d.orderDate, d.currency, d.lines, d.adjustment ?? null, d.total, d.externalId ?? null, d.quoteId ?? null, d.opportunityId ?? null]);

/**
 * What a return refunds, counted cumulatively so that rounding never loses or invents a minor unit:
 * a line's refunds so far are its total × (units returned so far ÷ units ordered), rounded half up;
 * the order's refunds so far are the sum of its lines', capped at its total, and its whole total once
 * every unit is back (the adjustment of an import goes with the return that completes it).
 */
export function returnAmounts(
  order: Pick<Order, 'lines' | 'returnedQuantities' | 'refunded' | 'total'>,
  returning: readonly { lineId: string; quantity: number }[],
): { lines: ReturnedLine[]; amount: number; fullyReturned: boolean } {
  const after: Record<string, number> = { ...order.returnedQuantities };
  for (const r of returning) after[r.lineId] = (after[r.lineId] ?? 0) + r.quantity;
  const refundedUpTo = (line: OrderLine, units: number) => mulDivHalfUp(BigInt(line.total), BigInt(units), BigInt(line.quantity));
  const lines = returning.map((r) => {
    const line = order.lines.find((l) => l.lineId === r.lineId)!;
    const before = order.returnedQuantities[r.lineId] ?? 0;
    return {
      lineId: r.lineId,
      productId: line.productId,
      quantity: r.quantity,
      amount: Number(refundedUpTo(line, before + r.quantity) - refundedUpTo(line, before)),
    };
  });
  const fullyReturned = order.lines.every((l) => (after[l.lineId] ?? 0) >= l.quantity);
  const linesRefunded = order.lines.reduce((s, l) => s + refundedUpTo(l, after[l.lineId] ?? 0), 0n);
  const refundedAfter = fullyReturned ? BigInt(order.total) : linesRefunded < BigInt(order.total) ? linesRefunded : BigInt(order.total);
  const amount = refundedAfter > BigInt(order.refunded) ? Number(refundedAfter - BigInt(order.refunded)) : 0;
  return { lines, amount, fullyReturned };
}

export function evolveOrder(state: OrderState, event: OrderEvent): OrderState {
  switch (event.type) {
    case 'OrderPlaced': {
      const d = event.data;
      return {
        orderId: d.orderId,
        customerId: d.customerId,
        status: 'placed',
        orderDate: d.orderDate,
        placedAt: d.placedAt,
        currency: d.currency,
        lines: d.lines,
        subtotal: d.subtotal,
        discountTotal: d.discountTotal,
        taxTotal: d.taxTotal,
        ...(d.adjustment !== undefined && { adjustment: d.adjustment }),
        total: d.total,
        source: d.source,
        ...(d.externalId !== undefined && { externalId: d.externalId }),
        ...(d.quoteId !== undefined && { quoteId: d.quoteId }),
        ...(d.opportunityId !== undefined && { opportunityId: d.opportunityId }),
        ...(d.partnerId !== undefined && { partnerId: d.partnerId }),
        returnedQuantities: {},
        refunded: 0,
        returns: [],
      };
    }
    case 'OrderCancelled':
      return (
        state && {
          ...state,
          status: 'cancelled',
          cancelled: { cancelledAt: event.data.cancelledAt, ...(event.data.reason !== undefined && { reason: event.data.reason }) },
        }
      );
    case 'OrderReturned': {
      if (!state) return state;
      const d = event.data;
      const returnedQuantities = { ...state.returnedQuantities };
      for (const l of d.lines) returnedQuantities[l.lineId] = (returnedQuantities[l.lineId] ?? 0) + l.quantity;
      return {
        ...state,
        status: d.fullyReturned ? 'returned' : 'partially-returned',
        returnedQuantities,
        refunded: state.refunded + d.amount,
        returns: [
          ...state.returns,
          { returnId: d.returnId, returnedAt: d.returnedAt, lines: d.lines, amount: d.amount, ...(d.reason !== undefined && { reason: d.reason }) },
        ],
      };
    }
  }
}

function place(command: Extract<OrderCommand, { type: 'PlaceOrder' }>, state: OrderState): OrderEvent[] {
  const d = command.data;
  if (!isCurrencyCode(d.currency)) throw new DomainRuleViolation('unknown-currency', `${JSON.stringify(d.currency)} is not an ISO 4217 currency code`);
  const { lines, totals } = priceOrder(d.lines, d.declaredTotal);
  const placed: OrderPlacedData = {
    orderId: d.orderId,
    customerId: d.customerId,
    orderDate: d.orderDate,
    placedAt: d.placedAt,
    currency: d.currency,
    lines,
    ...totals,
    source: d.source,
    ...(d.externalId !== undefined && { externalId: d.externalId }),
    ...(d.quoteId !== undefined && { quoteId: d.quoteId }),
    ...(d.opportunityId !== undefined && { opportunityId: d.opportunityId }),
    ...(d.partnerId !== undefined && { partnerId: d.partnerId }),
  };
  // A sale a partner reports is the partner's: it names it, and only such a sale does.
  if ((d.source === 'sell-through') !== (d.partnerId !== undefined))
    throw new DomainRuleViolation('sell-through-names-partner', 'a sell-through order names its partner, and only a sell-through order does');
  if (state) {
    // The same order again (a retried request, a re-imported file): nothing new.
    if (signatureOf(state) === signatureOf(placed)) return [];
    throw new DomainRuleViolation('order-exists', `order ${d.orderId} was already placed, with other content`);
  }
  if (!command.customerExists) throw new DomainRuleViolation('unknown-customer', `customer ${d.customerId} is not registered`);
  if (Date.parse(d.orderDate) > Date.parse(d.placedAt) + ORDER_DATE_LEEWAY_MS)
    throw new DomainRuleViolation('order-date-in-future', 'an order cannot be dated more than a day ahead');
  if (d.opportunityId !== undefined) {
    if (!command.opportunity) throw new DomainRuleViolation('unknown-opportunity', `opportunity ${d.opportunityId} does not exist`);
    if (command.opportunity.customerId !== d.customerId)
      throw new DomainRuleViolation('opportunity-of-another-customer', `opportunity ${d.opportunityId} belongs to another customer`);
    if (command.opportunity.closed)
      throw new DomainRuleViolation('opportunity-closed', `opportunity ${d.opportunityId} is already closed: an order cannot win it again`);
  }
  return [{ type: 'OrderPlaced', data: placed }];
}

export function decideOrder(command: OrderCommand, state: OrderState): OrderEvent[] {
  if (command.type === 'PlaceOrder') return place(command, state);
  if (!state) throw new DomainRuleViolation('unknown-order', `order ${command.data.orderId} does not exist`);
  if (command.type === 'CancelOrder') {
    if (state.status === 'cancelled') return []; // a retried cancellation
    if (state.returns.length > 0)
      throw new DomainRuleViolation('order-has-returns', `order ${state.orderId} has returns: return what is left instead of cancelling it`);
    const { reason } = command.data;
    return [
      {
        type: 'OrderCancelled',
        data: {
          orderId: state.orderId,
          customerId: state.customerId,
          cancelledAt: command.data.cancelledAt,
          ...(reason !== undefined && { reason }),
          amount: state.total,
          currency: state.currency,
        },
      },
    ];
  }
  const d = command.data;
  if (state.returns.some((r) => r.returnId === d.returnId)) return []; // a retried return
  if (state.status === 'cancelled') throw new DomainRuleViolation('order-cancelled', `order ${state.orderId} was cancelled: nothing to return`);
  if (state.status === 'returned') throw new DomainRuleViolation('order-returned', `order ${state.orderId} was returned in full already`);
  const remaining = (lineId: string) => (state.lines.find((l) => l.lineId === lineId)?.quantity ?? 0) - (state.returnedQuantities[lineId] ?? 0);
  let returning: { lineId: string; quantity: number }[];
  if (d.lines === undefined) {
    returning = state.lines.filter((l) => remaining(l.lineId) > 0).map((l) => ({ lineId: l.lineId, quantity: remaining(l.lineId) }));
  } else {
    if (state.lines.length === 0) throw new DomainRuleViolation('order-has-no-lines', `order ${state.orderId} has no lines: it is returned as a whole`);
    if (d.lines.length === 0) throw new DomainRuleViolation('return-needs-lines', 'a return names at least one line (or none, for everything left)');
    for (const [i, r] of d.lines.entries()) {
      if (!state.lines.some((l) => l.lineId === r.lineId))
        throw new DomainRuleViolation('unknown-order-line', `order ${state.orderId} has no line ${r.lineId}`);
      if (d.lines.findIndex((o) => o.lineId === r.lineId) !== i) throw new DomainRuleViolation('duplicate-line', `line ${r.lineId} is named twice`);
      if (!Number.isSafeInteger(r.quantity) || r.quantity < 1) throw new DomainRuleViolation('invalid-quantity', `line ${r.lineId}: return at least 1 unit`);
      if (r.quantity > remaining(r.lineId))
        throw new DomainRuleViolation('return-exceeds-ordered', `line ${r.lineId}: ${r.quantity} returned, but only ${remaining(r.lineId)} not returned yet`);
    }
    returning = d.lines;
  }
  const { lines, amount, fullyReturned } = returnAmounts(state, returning);
  return [
    {
      type: 'OrderReturned',
      data: {
        orderId: state.orderId,
        customerId: state.customerId,
        returnId: d.returnId,
        returnedAt: d.returnedAt,
        lines,
        amount,
        currency: state.currency,
        ...(d.reason !== undefined && { reason: d.reason }),
        fullyReturned,
      },
    },
  ];
}

/** The order aggregate, as the application layer runs it. */
export const orderDecider: Decider<OrderState, OrderCommand, OrderEvent> = { decide: decideOrder, evolve: evolveOrder, initialState: undefined };
