import { CHURN_FEATURE_NAMES, churnFeatures, churnLabel, purchaseOccasions, type CustomerFacts } from './churn-features';

const at = (iso: string) => new Date(iso);
const T = at('2026-01-01T00:00:00Z');

const facts = (over: Partial<CustomerFacts> = {}): CustomerFacts => ({
  customerId: 'c1',
  registeredAt: at('2025-01-01T00:00:00Z'),
  orders: [
    { orderDate: at('2025-06-01T09:00:00Z'), cancelledAt: null },
    { orderDate: at('2025-06-01T15:00:00Z'), cancelledAt: null }, // same day: one occasion
    { orderDate: at('2025-11-21T10:00:00Z'), cancelledAt: null },
    { orderDate: at('2025-12-20T10:00:00Z'), cancelledAt: at('2025-12-22T00:00:00Z') }, // cancelled before T: not a purchase
    { orderDate: at('2026-02-01T10:00:00Z'), cancelledAt: null }, // after T
  ],
  episodes: [
    { episodeType: 'case', channel: 'phone', openedAt: at('2025-10-01T00:00:00Z'), closedAt: at('2025-10-05T00:00:00Z'), outcome: 'unresolved' },
    { episodeType: 'return-repair', channel: null, openedAt: at('2025-12-01T00:00:00Z'), closedAt: null, outcome: null },
    { episodeType: 'case', channel: 'email', openedAt: at('2024-06-01T00:00:00Z'), closedAt: at('2024-06-02T00:00:00Z'), outcome: 'unresolved' }, // over a year before T
    { episodeType: 'campaign', channel: 'email', openedAt: at('2025-09-01T00:00:00Z'), closedAt: null, outcome: null },
    { episodeType: 'case', channel: 'phone', openedAt: at('2026-01-10T00:00:00Z'), closedAt: null, outcome: null }, // after T
  ],
  interactions: [
    { episodeType: 'campaign', channel: 'email', direction: 'outbound', actorKind: 'staff', occurredAt: at('2025-09-01T00:00:00Z') },
    { episodeType: 'campaign', channel: 'email', direction: 'inbound', actorKind: 'customer', occurredAt: at('2025-09-02T00:00:00Z') },
    { episodeType: 'case', channel: 'phone', direction: 'inbound', actorKind: 'customer', occurredAt: at('2025-10-01T00:00:00Z') },
    { episodeType: 'case', channel: 'phone', direction: 'outbound', actorKind: 'staff', occurredAt: at('2025-12-02T00:00:00Z') },
    { episodeType: 'case', channel: 'phone', direction: 'inbound', actorKind: 'customer', occurredAt: at('2026-01-10T00:00:00Z') }, // after T
  ],
  spend: [
    { day: '2025-06-01', amount: 300 },
    { day: '2025-11-21', amount: 500 },
    { day: '2026-02-01', amount: 900 }, // after T
  ],
  ...over,
});

const byName = (values: number[] | null) => Object.fromEntries(CHURN_FEATURE_NAMES.map((n, j) => [n, values?.[j]]));

describe('churn features as of T', () => {
  it('computes every feature from the facts dated by T only, worked by hand', () => {
    const f = byName(churnFeatures(facts(), T));
    expect(f).toMatchObject({
      recency_days: 41, // 2025-11-21 → 2026-01-01
      purchase_occasions: 2, // 2025-06-01 (twice) and 2025-11-21; the cancelled and the later one do not count
      occasions_last_180d: 1, // 2025-06-01 is 214 days before T
      spend_last_365d: 800, // minor units of the reporting currency
      average_spend_per_occasion: 400,
      tenure_days: 579, // from the case of 2024-06-01, before the registration (imported history)
      cases_last_365d: 2, // the case of October and the return of December
      unresolved_cases_last_365d: 1,
      open_cases: 1, // the return, open at T
      campaign_touches_last_365d: 1,
      campaign_responses_last_365d: 1,
      inbound_contacts_last_180d: 1, // the October call (the campaign response is not a contact the customer started)
      days_since_last_interaction: 30, // 2025-12-02
      interactions_phone_last_180d: 2,
      interactions_email_last_180d: 2, // the campaign e-mail and its answer, 121–122 days before T
      interactions_sms_last_180d: 0,
    });
  });

  it('is null for a customer who had not bought by T (churn is defined for buyers only)', () => {
    expect(churnFeatures(facts(), at('2025-05-01T00:00:00Z'))).toBeNull();
    expect(churnLabel(facts(), at('2025-05-01T00:00:00Z'), 90)).toBeNull();
  });

  it('begins the relationship at the first dated fact when history was imported before registration', () => {
    const f = byName(churnFeatures(facts({ registeredAt: at('2025-12-31T00:00:00Z'), episodes: [] }), T));
    expect(f.tenure_days).toBe(214); // the first order, 2025-06-01T09:00 counted from its day
  });

  it('labels churn by the orders in (T, T + window] that still stand at its end', () => {
    expect(churnLabel(facts(), T, 90)).toBe(0); // 2026-02-01 is 31 days after T
    expect(churnLabel(facts(), T, 30)).toBe(1);
    const cancelledLater = facts();
    cancelledLater.orders[4] = { orderDate: at('2026-02-01T10:00:00Z'), cancelledAt: at('2026-02-03T00:00:00Z') };
    expect(churnLabel(cancelledLater, T, 90)).toBe(1);
  });

  it('counts an order cancelled after T as a purchase as of T', () => {
    const f = facts();
    f.orders[3] = { orderDate: at('2025-12-20T10:00:00Z'), cancelledAt: at('2026-01-05T00:00:00Z') };
    expect(purchaseOccasions(f, T.getTime())).toHaveLength(3);
    expect(byName(churnFeatures(f, T)).recency_days).toBe(12);
  });
});
