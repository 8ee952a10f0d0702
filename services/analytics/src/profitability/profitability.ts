import type { CustomerFacts } from '../propensity/churn-features';

/**
 * Customer profitability over a window (issue 11 §4): revenue − cost of goods − cost to serve, in
 * integer minor units of the reporting currency.
 *
 * - Revenue: the customer's purchase occasions dated in the window (net of returns, cancelled orders
 *   excluded, converted at each day's rate — `loadPurchaseOccasions`).
 * - Cost of goods: revenue × `goodsShare` (orders carry prices, not costs: one configured share).
 * - Cost to serve: service cases (cases and returns/repairs) opened in the window × `caseCost`, plus
 *   campaign touches (campaign episodes that reached the customer) opened in the window × `touchCost`.
 *
 * Rounding: the cost of goods is rounded once per customer, half away from zero; the rest is exact.
 */
export interface UnitCosts {
  /** Cost of goods as a share of revenue, 0..1. */
  goodsShare: number;
  /** Cost of one service case, minor units of the reporting currency. */
  caseCost: number;
  /** Cost of one campaign touch, minor units of the reporting currency. */
  touchCost: number;
}

/** Calendar days, both included (`YYYY-MM-DD`). */
export interface ProfitWindow {
  from: string;
  to: string;
}

export interface CustomerProfit {
  customerId: string;
  revenue: number;
  purchaseOccasions: number;
  costOfGoods: number;
  cases: { count: number; cost: number };
  campaignTouches: { count: number; cost: number };
  costToServe: number;
  profit: number;
}

const CASE_TYPES = new Set(['case', 'return-repair']);
const day = (at: Date) => at.toISOString().slice(0, 10);
const roundHalfAway = (x: number) => Math.sign(x) * Math.round(Math.abs(x));

export function customerProfit(facts: CustomerFacts, window: ProfitWindow, costs: UnitCosts): CustomerProfit {
  const inWindow = (d: string) => d >= window.from && d <= window.to;
  const occasions = facts.spend.filter((s) => inWindow(s.day));
  const revenue = occasions.reduce((sum, s) => sum + s.amount, 0);
  const episodes = facts.episodes.filter((e) => inWindow(day(e.openedAt)));
  const cases = episodes.filter((e) => CASE_TYPES.has(e.episodeType)).length;
  const touches = episodes.filter((e) => e.episodeType === 'campaign').length;
  const costOfGoods = roundHalfAway(revenue * costs.goodsShare);
  const costToServe = cases * costs.caseCost + touches * costs.touchCost;
  return {
    customerId: facts.customerId,
    revenue,
    purchaseOccasions: occasions.length,
    costOfGoods,
    cases: { count: cases, cost: cases * costs.caseCost },
    campaignTouches: { count: touches, cost: touches * costs.touchCost },
    costToServe,
    profit: revenue - costOfGoods - costToServe,
  };
}

export interface SegmentProfit {
  segment: string;
  customers: number;
  /** Of them, those whose profit in the window is below zero. */
  unprofitable: number;
  revenue: number;
  costOfGoods: number;
  costToServe: number;
  profit: number;
  /** profit / customers, rounded half away from zero. */
  profitPerCustomer: number;
}

/** Sums per segment, the most profitable segment first (ties by name). */
export function segmentProfit(rows: readonly { segment: string; profit: CustomerProfit }[]): SegmentProfit[] {
  const bySegment = new Map<string, SegmentProfit>();
  for (const { segment, profit: p } of rows) {
    const s = bySegment.get(segment) ?? { segment, customers: 0, unprofitable: 0, revenue: 0, costOfGoods: 0, costToServe: 0, profit: 0, profitPerCustomer: 0 };
    s.customers += 1;
    if (p.profit < 0) s.unprofitable += 1;
    s.revenue += p.revenue;
    s.costOfGoods += p.costOfGoods;
    s.costToServe += p.costToServe;
    s.profit += p.profit;
    bySegment.set(segment, s);
  }
  return [...bySegment.values()]
    .map((s) => ({ ...s, profitPerCustomer: roundHalfAway(s.profit / s.customers) }))
    .sort((a, b) => b.profit - a.profit || a.segment.localeCompare(b.segment));
}
