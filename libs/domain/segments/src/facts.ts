/**
 * What segment rules are judged on: one customer's facts, as marketing's facts read model keeps them
 * (services/marketing/src/segments/segment-facts.projection.ts) and as the in-memory evaluator takes
 * them. Instants are ISO 8601 strings; money is integer minor units of the order's currency.
 */
export interface CustomerFacts {
  customerId: string;
  kind: 'person' | 'organisation';
  name: string;
  owner: string | null;
  tags: readonly string[];
  registeredAt: string;
  journeyStage: string;
  relationshipPhase: string;
  /** The tier analytics last assigned; null until it assigns one. */
  valueTier: string | null;
  /** The churn-risk band analytics last recorded; null (or absent) until it records one. */
  churnRisk?: string | null;
  /** Merged into another customer: its facts are the survivor's now, and it matches no rule. */
  mergedInto?: string | null;
  orders: readonly OrderFacts[];
  interactions: readonly InteractionFacts[];
  consents: readonly ConsentFacts[];
}

export interface OrderFacts {
  orderId: string;
  /** When the customer ordered (the purchase's time in every window). */
  orderDate: string;
  currency: string;
  total: number;
  /** Refunded so far by returns. */
  returned: number;
  cancelled: boolean;
  fullyReturned: boolean;
  /** An order without lines has one line of no product with the order's total. */
  lines: readonly OrderLineFacts[];
}

export interface OrderLineFacts {
  lineId: string;
  productId: string | null;
  total: number;
  returned: number;
}

export interface InteractionFacts {
  interactionId: string;
  channel: string;
  direction: string;
  /** The type of its episode (null when the episode's opening was never seen). */
  episodeType: string | null;
  campaignId: string | null;
  occurredAt: string;
}

export interface ConsentFacts {
  channel: string;
  purpose: string;
  status: 'granted' | 'withdrawn';
}
