import { CHANNELS } from '@crm/relationship';

/**
 * The behavioural features of the churn model, computed from one customer's dated facts as of an
 * instant T — only facts dated at or before T count, so training "as of T" sees exactly what was
 * known then and the label is read from what happened after. Pure: the loader
 * (customer-facts.ts) brings the facts, this turns them into numbers.
 */

const DAY_MS = 86_400_000;

export interface CustomerFacts {
  customerId: string;
  /** When the CRM registered the customer; null if the registration was never seen. */
  registeredAt: Date | null;
  orders: { orderDate: Date; cancelledAt: Date | null }[];
  /** Episodes: type, channel (a campaign's type), opening and closing. */
  episodes: { episodeType: string; channel: string | null; openedAt: Date; closedAt: Date | null; outcome: string | null }[];
  interactions: { episodeType: string; channel: string; direction: string; actorKind: string; occurredAt: Date }[];
  /**
   * Purchase occasions with their net amount in integer minor units of the reporting currency
   * (`loadPurchaseOccasions`, as of the instant the features are for). Orders whose currency had no
   * rate are missing here — never added raw — though they still count as purchases in `orders`.
   */
  spend: { day: string; amount: number }[];
}

/** Feature names (stable: stored with each model) and what they mean, for the reasons shown to people. */
export const CHURN_FEATURES: readonly { name: string; label: string }[] = [
  { name: 'recency_days', label: 'days since the last purchase' },
  { name: 'purchase_occasions', label: 'purchase occasions (days with an order) so far' },
  { name: 'occasions_last_180d', label: 'purchase occasions in the last 180 days' },
  { name: 'spend_last_365d', label: 'spend in the last 365 days (minor units of the reporting currency)' },
  { name: 'average_spend_per_occasion', label: 'average spend per purchase occasion (minor units of the reporting currency)' },
  { name: 'tenure_days', label: 'days since the relationship began' },
  { name: 'cases_last_365d', label: 'service cases and returns/repairs opened in the last 365 days' },
  { name: 'unresolved_cases_last_365d', label: 'cases closed unresolved in the last 365 days' },
  { name: 'open_cases', label: 'cases still open' },
  { name: 'campaign_touches_last_365d', label: 'campaigns that reached the customer in the last 365 days' },
  { name: 'campaign_responses_last_365d', label: 'campaign responses in the last 365 days' },
  { name: 'inbound_contacts_last_180d', label: 'contacts the customer started in the last 180 days' },
  { name: 'days_since_last_interaction', label: 'days since the last interaction' },
  ...CHANNELS.map((c) => ({ name: `interactions_${c}_last_180d`, label: `${c} interactions in the last 180 days` })),
];

export const CHURN_FEATURE_NAMES = CHURN_FEATURES.map((f) => f.name);
export const CHURN_FEATURE_LABELS: Readonly<Record<string, string>> = Object.fromEntries(CHURN_FEATURES.map((f) => [f.name, f.label]));

const CASE_TYPES = new Set(['case', 'return-repair']);

/** An order counts at `t` if it was placed by then and not cancelled by then. */
const standsAt = (o: CustomerFacts['orders'][number], t: number) => o.orderDate.getTime() <= t && (o.cancelledAt === null || o.cancelledAt.getTime() > t);

/** Calendar days (UTC) with at least one order standing at `t`: several orders on one day are one purchase occasion. */
export function purchaseOccasions(facts: CustomerFacts, t: number): number[] {
  const days = new Set(facts.orders.filter((o) => standsAt(o, t)).map((o) => Math.floor(o.orderDate.getTime() / DAY_MS)));
  return [...days].sort((a, b) => a - b);
}

/**
 * The feature vector as of `asOf` (in CHURN_FEATURE_NAMES order), or null when the customer had
 * bought nothing by then: churn (defection) is defined only for customers who bought.
 */
export function churnFeatures(facts: CustomerFacts, asOf: Date): number[] | null {
  const t = asOf.getTime();
  const occasions = purchaseOccasions(facts, t);
  if (occasions.length === 0) return null;
  // Whole days: a score moves at day boundaries, not with every millisecond of the clock.
  const days = (from: number) => Math.max(0, Math.floor((t - from) / DAY_MS));
  const within = (d: Date, windowDays: number) => d.getTime() <= t && d.getTime() > t - windowDays * DAY_MS;
  const today = Math.floor(t / DAY_MS);
  const interactions = facts.interactions.filter((i) => i.occurredAt.getTime() <= t);
  const recent = interactions.filter((i) => within(i.occurredAt, 180));
  const cases = facts.episodes.filter((e) => CASE_TYPES.has(e.episodeType) && e.openedAt.getTime() <= t);
  // The relationship began at registration, or at the first fact dated earlier (imported history).
  const firstFact = Math.min(
    facts.registeredAt?.getTime() ?? Infinity,
    occasions[0] * DAY_MS,
    ...facts.episodes.map((e) => e.openedAt.getTime()),
    ...interactions.map((i) => i.occurredAt.getTime()),
  );
  const lastInteraction = interactions.reduce((m, i) => Math.max(m, i.occurredAt.getTime()), -Infinity);
  const spend = facts.spend.filter((o) => Date.parse(`${o.day}T00:00:00Z`) <= t);
  const total = spend.reduce((sum, o) => sum + o.amount, 0);
  const campaigns = facts.episodes.filter((e) => e.episodeType === 'campaign' && within(e.openedAt, 365));
  const values: Record<string, number> = {
    recency_days: today - occasions[occasions.length - 1],
    purchase_occasions: occasions.length,
    occasions_last_180d: occasions.filter((d) => d > today - 180).length,
    spend_last_365d: spend.filter((o) => Date.parse(`${o.day}T00:00:00Z`) / DAY_MS > today - 365).reduce((sum, o) => sum + o.amount, 0),
    average_spend_per_occasion: spend.length ? total / spend.length : 0,
    tenure_days: days(firstFact),
    cases_last_365d: cases.filter((e) => within(e.openedAt, 365)).length,
    unresolved_cases_last_365d: cases.filter((e) => e.outcome === 'unresolved' && e.closedAt !== null && within(e.closedAt, 365)).length,
    open_cases: cases.filter((e) => e.closedAt === null || e.closedAt.getTime() > t).length,
    campaign_touches_last_365d: campaigns.length,
    campaign_responses_last_365d: interactions.filter((i) => i.episodeType === 'campaign' && i.direction === 'inbound' && within(i.occurredAt, 365)).length,
    inbound_contacts_last_180d: recent.filter((i) => i.direction === 'inbound' && i.episodeType !== 'campaign').length,
    // Never in touch: as long as the relationship.
    days_since_last_interaction: Number.isFinite(lastInteraction) ? days(lastInteraction) : days(firstFact),
  };
  for (const c of CHANNELS) values[`interactions_${c}_last_180d`] = recent.filter((i) => i.channel === c).length;
  return CHURN_FEATURE_NAMES.map((n) => values[n]);
}

/**
 * The churn label: 1 when the customer, having bought by `asOf`, places no order (standing at the
 * end of the window) in (asOf, asOf + windowDays]; 0 when it does; null when it had not bought by `asOf`.
 */
export function churnLabel(facts: CustomerFacts, asOf: Date, windowDays: number): 0 | 1 | null {
  const t = asOf.getTime();
  const end = t + windowDays * DAY_MS;
  if (purchaseOccasions(facts, t).length === 0) return null;
  return facts.orders.some((o) => o.orderDate.getTime() > t && standsAt(o, end)) ? 0 : 1;
}
