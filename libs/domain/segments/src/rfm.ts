import type { CustomerFacts } from './facts';
import { DAY_MS } from './rule';

/**
 * RFM scores for segment rules, by analytics' rules (docs/analytics.md "RFM"): purchase occasions
 * (a customer's orders on one UTC day, net of returns; cancelled and fully returned orders count
 * nowhere), R = whole days from the last occasion to now's UTC day, F = occasions and M = net money
 * in the `periodDays` days ending on now's day, each scored 1–5 by mid-rank quintile among every
 * customer who bought. Analytics' scoring lives in its service (a service cannot be imported), so the
 * mid-rank rule is restated here in integer arithmetic — the very formula the SQL compiler runs, so
 * the two never disagree at a quintile's edge. Marketing scores only orders in one currency (the
 * reporting currency) and does not convert others: see docs/marketing.md.
 */
export interface RfmScores {
  r: number;
  f: number;
  m: number;
  recencyDays: number;
  frequency: number;
  monetary: number;
}

/** Score 1..5 of each value by mid-rank: 1 + ⌊5 × (2·below + equal) ÷ (2·n)⌋, at most 5. */
export function midRankScores(values: readonly number[]): number[] {
  const n = values.length;
  const sorted = [...values].sort((a, b) => a - b);
  const scoreOf = new Map<number, number>();
  for (let i = 0; i < n;) {
    let j = i;
    while (j < n && sorted[j] === sorted[i]) j++;
    scoreOf.set(sorted[i], Math.min(5, 1 + Math.floor((5 * (2 * i + (j - i))) / (2 * n))));
    i = j;
  }
  return values.map((v) => scoreOf.get(v)!);
}

const utcDay = (instantMs: number) => Math.floor(instantMs / DAY_MS);

/** Every buying customer's RFM at `now` over `periodDays`, orders in `currency` only. */
export function rfmScores(population: readonly CustomerFacts[], now: Date, periodDays: number, currency: string): Map<string, RfmScores> {
  const end = utcDay(now.getTime());
  const start = end - periodDays + 1;
  const inputs: { customerId: string; recencyDays: number; frequency: number; monetary: number }[] = [];
  for (const c of population) {
    if (c.mergedInto) continue;
    const days = new Map<number, number>();
    for (const o of c.orders) {
      const at = Date.parse(o.orderDate);
      const net = o.total - o.returned;
      if (o.cancelled || o.fullyReturned || o.currency !== currency || at > now.getTime() || net <= 0) continue;
      const day = utcDay(at);
      days.set(day, (days.get(day) ?? 0) + net);
    }
    if (days.size === 0) continue;
    let last = -Infinity;
    let frequency = 0;
    let monetary = 0;
    for (const [day, amount] of days) {
      last = Math.max(last, day);
      if (day >= start) {
        frequency += 1;
        monetary += amount;
      }
    }
    inputs.push({ customerId: c.customerId, recencyDays: end - last, frequency, monetary });
  }
  const r = midRankScores(inputs.map((i) => -i.recencyDays));
  const f = midRankScores(inputs.map((i) => i.frequency));
  const m = midRankScores(inputs.map((i) => i.monetary));
  return new Map(inputs.map((i, k) => [i.customerId, { ...i, r: r[k], f: f[k], m: m[k] }]));
}
