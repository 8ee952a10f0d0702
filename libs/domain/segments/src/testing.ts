import type { CustomerFacts, OrderFacts } from './facts';

/**
 * A customer's facts with defaults, for specs and benches: a person registered on 2026-01-01, a
 * prospect in awareness, no tier, nothing bought, no interactions, no consent.
 */
export function customerFacts(customerId: string, more: Partial<CustomerFacts> = {}): CustomerFacts {
  return {
    customerId,
    kind: 'person',
    name: `Customer ${customerId}`,
    owner: null,
    tags: [],
    registeredAt: '2026-01-01T00:00:00.000Z',
    journeyStage: 'prospect',
    relationshipPhase: 'awareness',
    valueTier: null,
    mergedInto: null,
    orders: [],
    interactions: [],
    consents: [],
    ...more,
  };
}

/** One order of one line (`productId`), in EUR unless told. */
export function orderFacts(orderId: string, orderDate: string, total: number, more: Partial<OrderFacts> & { productId?: string | null } = {}): OrderFacts {
  const { productId = 'P1', ...rest } = more;
  return {
    orderId,
    orderDate,
    currency: 'EUR',
    total,
    returned: 0,
    cancelled: false,
    fullyReturned: false,
    lines: [{ lineId: '1', productId, total, returned: 0 }],
    ...rest,
  };
}
