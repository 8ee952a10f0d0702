/**
 * The KPIs of the analytical CRM (issue 11 §5), in the four perspectives of the brief, as pure
 * functions of dated facts (kpi-facts.projection.ts) and a period. Each definition is written out
 * in docs/analytics.md#kpis; the unit specs check each against hand-computed values. A KPI whose
 * source the CRM does not record yet is declared `unavailable` with the reason — never estimated.
 */
import type { KpiFactKind } from './kpi-facts.projection';

export interface KpiFact {
  kind: KpiFactKind;
  customerId: string;
  episodeId: string | null;
  ref: string | null;
  link: string | null;
  actor: string | null;
  detail: string | null;
  currency: string | null;
  amount: number | null;
  /** ISO instant. */
  occurredAt: string;
}

/**
 * A clock of a case's service level as analytics' SLA clocks recorded it by `asOf` (one metric —
 * first response, next response, resolution — in one cycle; services/analytics/src/service-levels).
 */
export interface SlaClockFact {
  episodeId: string;
  metric: string;
  cycle: number;
  /** The customer's value tier and the case's team (null: none) as of the case's latest event. */
  tier: string;
  team: string | null;
  /** ISO instants; dueAt null while a pause without an end stops the clock. */
  dueAt: string | null;
  stoppedAt: string | null;
  /** Met in time (only once stopped). */
  met: boolean | null;
}

/** What the KPIs are computed from besides the dated facts. */
export interface KpiSources {
  slaClocks: readonly SlaClockFact[];
  /** ISO instant the KPIs are asked as of. */
  asOf: string;
}

/** A period by its first and last calendar day (UTC), inclusive. */
export interface KpiPeriod {
  period: string;
  start: string;
  end: string;
}

export type Perspective = 'customer' | 'financial' | 'process' | 'people';
export type KpiUnit = 'ratio' | 'minor-units' | 'days' | 'count' | 'score';

/** Met and breached SLA clocks of one group, and the share met (absent when there were none). */
export interface Attainment {
  met: number;
  breached: number;
  attainment?: number;
}

/** A KPI's figure for one period. `value` null: nothing to measure in it (e.g. no case closed). */
export interface KpiFigure {
  value: number | null;
  /** What the ratio or mean was taken over (its denominator), so a reader can judge it. */
  basis?: number;
  byCurrency?: Record<string, number>;
  byOwner?: Record<string, number>;
  /** SLA attainment per metric, per team (`(none)`: no team) and per customer value tier. */
  byMetric?: Record<string, Attainment>;
  byTeam?: Record<string, Attainment>;
  byTier?: Record<string, Attainment>;
}

export interface KpiDefinition {
  key: string;
  perspective: Perspective;
  name: string;
  unit: KpiUnit;
  compute(facts: readonly KpiFact[], period: KpiPeriod, previous: KpiPeriod, sources: KpiSources): KpiFigure;
}

export interface UnavailableKpi {
  key: string;
  perspective: Perspective;
  name: string;
  reason: string;
}

const dayOf = (instant: string) => instant.slice(0, 10);
const within = (f: KpiFact, p: KpiPeriod) => {
  const d = dayOf(f.occurredAt);
  return d >= p.start && d <= p.end;
};
const cancelledOrders = (facts: readonly KpiFact[]) => new Set(facts.filter((f) => f.kind === 'order-cancelled').map((f) => f.ref));

/** Orders placed in the period and never cancelled (by the facts given: those recorded by asOf). */
export function ordersIn(facts: readonly KpiFact[], p: KpiPeriod): KpiFact[] {
  const cancelled = cancelledOrders(facts);
  return facts.filter((f) => f.kind === 'order-placed' && within(f, p) && !cancelled.has(f.ref));
}

/** Customers with at least one order (not cancelled) in the period. */
export const purchasersIn = (facts: readonly KpiFact[], p: KpiPeriod) => new Set(ordersIn(facts, p).map((f) => f.customerId));

/** Retention: of the customers who bought in the previous period, the share who bought again in this one. */
export function retention(facts: readonly KpiFact[], p: KpiPeriod, previous: KpiPeriod): KpiFigure {
  const before = purchasersIn(facts, previous);
  if (before.size === 0) return { value: null, basis: 0 };
  const now = purchasersIn(facts, p);
  return { value: [...before].filter((c) => now.has(c)).length / before.size, basis: before.size };
}

/** Churn: of the customers who bought in the previous period, the share who did not buy in this one (1 − retention). */
export function churn(facts: readonly KpiFact[], p: KpiPeriod, previous: KpiPeriod): KpiFigure {
  const r = retention(facts, p, previous);
  return { value: r.value === null ? null : 1 - r.value, basis: r.basis };
}

/**
 * Revenue per currency (minor units, never added across currencies): the totals of orders dated in
 * the period that were not cancelled, minus the returns dated in the period (of such orders).
 */
export function revenue(facts: readonly KpiFact[], p: KpiPeriod): KpiFigure {
  const cancelled = cancelledOrders(facts);
  const byCurrency: Record<string, number> = {};
  for (const f of facts) {
    if (!within(f, p) || cancelled.has(f.ref) || f.currency === null || f.amount === null) continue;
    if (f.kind === 'order-placed') byCurrency[f.currency] = (byCurrency[f.currency] ?? 0) + f.amount;
    if (f.kind === 'order-returned') byCurrency[f.currency] = (byCurrency[f.currency] ?? 0) - f.amount;
  }
  const currencies = Object.keys(byCurrency);
  // One currency: the value is that amount; several: no single number (they are not added).
  return { value: currencies.length === 1 ? byCurrency[currencies[0]] : null, byCurrency, basis: ordersIn(facts, p).length };
}

/**
 * First-contact resolution: of the cases closed as `resolved` in the period, the share with at most
 * one interaction recorded before their closing (solved at the first contact) and not reopened
 * after it (`CaseReopened`, recorded by `asOf`): a case the customer had to come back about was not
 * solved at the first contact, whenever the reopening came.
 */
export function firstContactResolution(facts: readonly KpiFact[], p: KpiPeriod): KpiFigure {
  const cases = new Set(facts.filter((f) => f.kind === 'episode-opened' && f.detail === 'case').map((f) => f.episodeId));
  const resolved = facts.filter((f) => f.kind === 'episode-closed' && f.detail === 'resolved' && cases.has(f.episodeId) && within(f, p));
  if (resolved.length === 0) return { value: null, basis: 0 };
  const reopened = (closing: KpiFact) =>
    facts.some((f) => f.kind === 'case-reopened' && f.episodeId === closing.episodeId && f.occurredAt >= closing.occurredAt);
  const atFirst = resolved.filter(
    (closing) =>
      !reopened(closing) &&
      facts.filter((f) => f.kind === 'interaction' && f.episodeId === closing.episodeId && f.occurredAt <= closing.occurredAt).length <= 1,
  );
  return { value: atFirst.length / resolved.length, basis: resolved.length };
}

/**
 * Reopen rate: of the cases closed as `resolved` in the period, the share reopened after that
 * closing (`CaseReopened`, whenever it came, as recorded by `asOf`).
 */
export function reopenRate(facts: readonly KpiFact[], p: KpiPeriod): KpiFigure {
  const cases = new Set(facts.filter((f) => f.kind === 'episode-opened' && f.detail === 'case').map((f) => f.episodeId));
  const resolved = facts.filter((f) => f.kind === 'episode-closed' && f.detail === 'resolved' && cases.has(f.episodeId) && within(f, p));
  if (resolved.length === 0) return { value: null, basis: 0 };
  const reopened = resolved.filter((closing) =>
    facts.some((f) => f.kind === 'case-reopened' && f.episodeId === closing.episodeId && f.occurredAt >= closing.occurredAt),
  );
  return { value: reopened.length / resolved.length, basis: resolved.length };
}

const answersIn = (facts: readonly KpiFact[], p: KpiPeriod) => facts.filter((f) => f.kind === 'satisfaction-rated' && f.amount !== null && within(f, p));

/** Satisfaction (CSAT): of the satisfaction answers (`CaseSatisfactionRated`, 1–5) given in the period, the share scoring 4 or 5. */
export function satisfaction(facts: readonly KpiFact[], p: KpiPeriod): KpiFigure {
  const answers = answersIn(facts, p);
  if (answers.length === 0) return { value: null, basis: 0 };
  return { value: answers.filter((a) => a.amount! >= 4).length / answers.length, basis: answers.length };
}

/** Average satisfaction score: the mean score (1–5) of the answers given in the period. */
export function satisfactionScore(facts: readonly KpiFact[], p: KpiPeriod): KpiFigure {
  const answers = answersIn(facts, p);
  if (answers.length === 0) return { value: null, basis: 0 };
  return { value: answers.reduce((sum, a) => sum + a.amount!, 0) / answers.length, basis: answers.length };
}

/** Quote-to-order time: the median of days from a quote's first draft to the order placed from it, over orders dated in the period. */
export function quoteToOrderDays(facts: readonly KpiFact[], p: KpiPeriod): KpiFigure {
  const drafted = new Map(facts.filter((f) => f.kind === 'quote-drafted').map((f) => [f.ref, f.occurredAt]));
  const days = ordersIn(facts, p)
    .filter((o) => o.link !== null && drafted.has(o.link))
    .map((o) => (Date.parse(o.occurredAt) - Date.parse(drafted.get(o.link)!)) / 86_400_000);
  return { value: median(days), basis: days.length };
}

/** Campaign response: of the campaign touches (campaign episodes) opened in the period, the share with an inbound interaction (a response) by now. */
export function campaignResponse(facts: readonly KpiFact[], p: KpiPeriod): KpiFigure {
  const touches = facts.filter((f) => f.kind === 'episode-opened' && f.detail === 'campaign' && within(f, p)).map((f) => f.episodeId);
  if (touches.length === 0) return { value: null, basis: 0 };
  const responded = new Set(facts.filter((f) => f.kind === 'interaction' && f.detail === 'inbound').map((f) => f.episodeId));
  return { value: touches.filter((t) => responded.has(t)).length / touches.length, basis: touches.length };
}

/** Activities per owner: activities completed in the period, per person who completed them; the value is the mean over those people. */
export function activitiesPerOwner(facts: readonly KpiFact[], p: KpiPeriod): KpiFigure {
  const byOwner: Record<string, number> = {};
  for (const f of facts) if (f.kind === 'activity-completed' && within(f, p) && f.actor) byOwner[f.actor] = (byOwner[f.actor] ?? 0) + 1;
  const owners = Object.keys(byOwner).length;
  const total = Object.values(byOwner).reduce((a, b) => a + b, 0);
  return { value: owners ? total / owners : null, basis: owners, byOwner };
}

/**
 * When an SLA clock ended by `asOf`: met, at its stop; not met, at its due time once that has passed
 * (stopped late, or still running past it). Undefined: not ended (still within its target, or
 * stopped by a pause without an end).
 */
export function slaClockEndedAt(c: SlaClockFact, asOf: string): string | undefined {
  if (c.met === true) return c.stoppedAt ?? undefined;
  return c.dueAt !== null && c.dueAt <= asOf ? c.dueAt : undefined;
}

/**
 * SLA attainment: of the SLA clocks (every metric and cycle of every case: first response, each next
 * response, each resolution cycle) that ended in the period — met, at their stop; or breached, at
 * their due time — the share met in time. A clock still within its target at `asOf` is not counted
 * yet. Per metric, team and tier as well. Over the same clocks it is what the service's
 * `GET /service-levels/attainment` counts (met against breached, open ones left out); the service
 * groups by the cases' opening date, this by the day each clock ended.
 */
export function slaAttainment(clocks: readonly SlaClockFact[], p: KpiPeriod, asOf: string): KpiFigure {
  const byMetric: Record<string, Attainment> = {};
  const byTeam: Record<string, Attainment> = {};
  const byTier: Record<string, Attainment> = {};
  const total: Attainment = { met: 0, breached: 0 };
  const count = (groups: Record<string, Attainment>, key: string, met: boolean) => {
    const g = (groups[key] ??= { met: 0, breached: 0 });
    if (met) g.met++;
    else g.breached++;
  };
  for (const c of clocks) {
    const ended = slaClockEndedAt(c, asOf);
    if (ended === undefined || dayOf(ended) < p.start || dayOf(ended) > p.end) continue;
    const met = c.met === true;
    if (met) total.met++;
    else total.breached++;
    count(byMetric, c.metric, met);
    count(byTeam, c.team ?? '(none)', met);
    count(byTier, c.tier, met);
  }
  const share = (groups: Record<string, Attainment>) =>
    Object.fromEntries(
      Object.keys(groups)
        .sort()
        .map((k) => [k, { ...groups[k], attainment: groups[k].met / (groups[k].met + groups[k].breached) }]),
    );
  const basis = total.met + total.breached;
  return { value: basis ? total.met / basis : null, basis, byMetric: share(byMetric), byTeam: share(byTeam), byTier: share(byTier) };
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export const KPI_DEFINITIONS: readonly KpiDefinition[] = [
  { key: 'retention', perspective: 'customer', name: 'Customer retention', unit: 'ratio', compute: retention },
  { key: 'churn', perspective: 'customer', name: 'Customer churn', unit: 'ratio', compute: churn },
  {
    key: 'satisfaction',
    perspective: 'customer',
    name: 'Customer satisfaction (CSAT: share of answers 4–5)',
    unit: 'ratio',
    compute: (f, p) => satisfaction(f, p),
  },
  { key: 'satisfaction-score', perspective: 'customer', name: 'Average satisfaction score (1–5)', unit: 'score', compute: (f, p) => satisfactionScore(f, p) },
  { key: 'revenue', perspective: 'financial', name: 'Revenue net of returns', unit: 'minor-units', compute: (f, p) => revenue(f, p) },
  { key: 'first-contact-resolution', perspective: 'process', name: 'First-contact resolution', unit: 'ratio', compute: (f, p) => firstContactResolution(f, p) },
  { key: 'reopen-rate', perspective: 'process', name: 'Case reopen rate', unit: 'ratio', compute: (f, p) => reopenRate(f, p) },
  { key: 'quote-to-order-days', perspective: 'process', name: 'Quote-to-order time (median days)', unit: 'days', compute: (f, p) => quoteToOrderDays(f, p) },
  {
    key: 'sla-attainment',
    perspective: 'process',
    name: 'SLA attainment (share of SLA clocks ended in the period that were met in time)',
    unit: 'ratio',
    compute: (_f, p, _previous, sources) => slaAttainment(sources.slaClocks, p, sources.asOf),
  },
  { key: 'campaign-response', perspective: 'process', name: 'Campaign response rate', unit: 'ratio', compute: (f, p) => campaignResponse(f, p) },
  { key: 'activities-per-owner', perspective: 'people', name: 'Completed activities per owner', unit: 'count', compute: (f, p) => activitiesPerOwner(f, p) },
];

/** KPIs of the brief whose source the CRM does not record yet: answered with the reason, never with a number. */
export const UNAVAILABLE_KPIS: readonly UnavailableKpi[] = [
  {
    key: 'share-of-wallet',
    perspective: 'customer',
    name: 'Share of wallet',
    reason: "needs the customer's total spend in the category (at us and at competitors), which no event records: orders record only what they buy from us",
  },
  {
    key: 'clv',
    perspective: 'financial',
    name: 'Customer lifetime value',
    reason:
      'the CLV model (services/analytics/src/value) scores each customer as of its latest fit, not per period: it keeps no dated history a trend per period could be read from, and refitting it per period inside GET /kpis is not done — see the customer value routes (services/analytics/src/value)',
  },
  {
    key: 'profitability',
    perspective: 'financial',
    name: 'Profitability',
    reason:
      'the profitability module (services/analytics/src/profitability) (GET /profitability) computes margins over a window with configured unit costs; it is not fed into these dated KPI facts, so no per-period trend is computed here',
  },
];

export interface KpiPeriodValue extends KpiFigure {
  period: string;
  start: string;
  end: string;
  /** value − the previous period's value (null when either is null). */
  change: number | null;
  /** Per currency, for revenue: this period's amount minus the previous one's. */
  changeByCurrency?: Record<string, number>;
}

export type KpiResult =
  | { key: string; perspective: Perspective; name: string; unit: KpiUnit; available: true; periods: KpiPeriodValue[] }
  | { key: string; perspective: Perspective; name: string; available: false; reason: string };

/**
 * Every KPI for each reported period, with its trend against the period before. `context` are the
 * two periods before the first reported one: the trend of the first needs the previous period's
 * figure, and retention and churn of that previous period need the one before it.
 */
export function computeKpis(
  facts: readonly KpiFact[],
  periods: readonly KpiPeriod[],
  context: readonly [KpiPeriod, KpiPeriod],
  sources: KpiSources = { slaClocks: [], asOf: '9999-12-31T23:59:59.999Z' },
): KpiResult[] {
  const all = [...context, ...periods];
  const available: KpiResult[] = KPI_DEFINITIONS.map((d) => {
    // figures[i] is the figure of all[i + 1], measured against all[i].
    const figures = all.slice(1).map((p, i) => d.compute(facts, p, all[i], sources));
    return {
      key: d.key,
      perspective: d.perspective,
      name: d.name,
      unit: d.unit,
      available: true as const,
      periods: periods.map((p, i) => {
        const now = figures[i + 1];
        const before = figures[i];
        const change = now.value === null || before.value === null ? null : now.value - before.value;
        const out: KpiPeriodValue = { ...p, ...now, change };
        if (now.byCurrency) {
          const currencies = new Set([...Object.keys(now.byCurrency), ...Object.keys(before.byCurrency ?? {})]);
          out.changeByCurrency = Object.fromEntries([...currencies].sort().map((c) => [c, (now.byCurrency![c] ?? 0) - (before.byCurrency?.[c] ?? 0)]));
        }
        return out;
      }),
    };
  });
  const unavailable: KpiResult[] = UNAVAILABLE_KPIS.map((u) => ({ ...u, available: false as const }));
  const order: Perspective[] = ['customer', 'financial', 'process', 'people'];
  return [...available, ...unavailable].sort((a, b) => order.indexOf(a.perspective) - order.indexOf(b.perspective));
}
