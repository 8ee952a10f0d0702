/**
 * RFM scoring (issue 11 §1), pure: no framework, no database. From purchase occasions (several
 * orders on one day are one, in the reporting currency) to quintile scores, the combined cell and a
 * named segment. The rules, with the reasons, are in docs/analytics.md ("RFM").
 */

/** The default period F and M are counted over. */
export const DEFAULT_RFM_PERIOD_DAYS = 365;
export const MAX_RFM_PERIOD_DAYS = 36_500;

/** The named segments, from the best to the worst (the order lists and counts use). */
export const RFM_SEGMENTS = [
  'champions',
  'loyal',
  'potential-loyalist',
  'new',
  'promising',
  'need-attention',
  'about-to-sleep',
  'cant-lose',
  'at-risk',
  'hibernating',
  'lost',
] as const;
export type RfmSegment = (typeof RFM_SEGMENTS)[number];

export type Score = 1 | 2 | 3 | 4 | 5;

/** One purchase occasion as scoring needs it (`day` `YYYY-MM-DD`, `amount` integer minor units). */
export interface OccasionInput {
  customerId: string;
  day: string;
  amount: number;
}

/** One customer's RFM inputs as of a day. */
export interface RfmInputs {
  customerId: string;
  /** The last purchase occasion's day, at or before the as-of day. */
  lastPurchaseDay: string;
  /** Whole days from the last purchase occasion to the as-of day (0: bought that day). */
  recencyDays: number;
  /** Purchase occasions in the period. */
  frequency: number;
  /** Net money in the period, integer minor units of the reporting currency. */
  monetary: number;
}

export interface RfmScore extends RfmInputs {
  r: Score;
  f: Score;
  m: Score;
  /** `${r}${f}${m}`, e.g. "555". */
  cell: string;
  segment: RfmSegment;
}

const DAY_MS = 86_400_000;
// Histories repeat few distinct days (a few hundred a year) over many occasions: each is parsed once.
const dayNumbers = new Map<string, number>();
const dayNumber = (day: string): number => {
  let n = dayNumbers.get(day);
  if (n === undefined) {
    n = Date.parse(`${day}T00:00:00Z`) / DAY_MS;
    if (dayNumbers.size > 100_000) dayNumbers.clear();
    dayNumbers.set(day, n);
  }
  return n;
};

/** Whole days from `from` to `to` (both `YYYY-MM-DD`). */
export function daysBetween(from: string, to: string): number {
  return Math.round(dayNumber(to) - dayNumber(from));
}

/**
 * Each customer's inputs as of `asOfDay`: recency from the last occasion at or before it; frequency
 * and monetary over the period — the `periodDays` days ending on `asOfDay` (both ends included:
 * 365 days ending 2026-12-31 start on 2026-01-01). Occasions after `asOfDay` are ignored. A customer
 * appears once it has an occasion by `asOfDay` (who never bought has no RFM); one who bought only
 * before the period has frequency 0 and monetary 0.
 */
export function rfmInputs(occasions: readonly OccasionInput[], asOfDay: string, periodDays: number = DEFAULT_RFM_PERIOD_DAYS): RfmInputs[] {
  if (!Number.isInteger(periodDays) || periodDays < 1) throw new RangeError(`periodDays must be a whole number ≥ 1, not ${periodDays}`);
  const end = dayNumber(asOfDay);
  const start = end - periodDays + 1;
  const byCustomer = new Map<string, RfmInputs & { last: number }>();
  for (const o of occasions) {
    const d = dayNumber(o.day);
    if (d > end) continue;
    let c = byCustomer.get(o.customerId);
    if (!c) {
      c = { customerId: o.customerId, lastPurchaseDay: o.day, recencyDays: 0, frequency: 0, monetary: 0, last: d };
      byCustomer.set(o.customerId, c);
    }
    if (d >= c.last) {
      c.last = d;
      c.lastPurchaseDay = o.day;
    }
    if (d >= start) {
      c.frequency += 1;
      c.monetary += o.amount;
    }
  }
  return [...byCustomer.values()]
    .map(({ last, ...c }) => ({ ...c, recencyDays: Math.round(end - last) }))
    .sort((a, b) => (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0));
}

/**
 * Quintile scores 1..5 of `values` (higher value, higher score), by mid-rank: a value's percentile
 * is (customers below it + half of those equal to it) / all, and its score 1 + ⌊5 × percentile⌋.
 * Ties always share a score; with distinct values each quintile holds a fifth (10 values: two of
 * each score). A value shared by many lands in the middle of the band the tie spans (60 % of
 * customers with one purchase score F = 2, not 1 and not 3).
 */
export function quintileScores(values: readonly number[]): Score[] {
  const n = values.length;
  if (n === 0) return [];
  const sorted = [...values].sort((a, b) => a - b);
  const scoreOf = new Map<number, Score>();
  for (let i = 0; i < n;) {
    let j = i;
    while (j < n && sorted[j] === sorted[i]) j++;
    // i values below, j − i equal.
    const percentile = (i + (j - i) / 2) / n;
    scoreOf.set(sorted[i], Math.min(5, 1 + Math.floor(5 * percentile)) as Score);
    i = j;
  }
  return values.map((v) => scoreOf.get(v)!);
}

/**
 * The named segment of an (R, F, M) cell. The widely used R × F map (the rows of R, the columns of
 * F), checked in this order:
 * - lost: R 1, F 1, M 1–2 (long gone, bought once, little)
 * - hibernating: R 1–2, F 1–2
 * - at-risk: R 1–2, F 3–4
 * - cant-lose: R 1–2, F 5
 * - about-to-sleep: R 3, F 1–2
 * - need-attention: R 3, F 3
 * - loyal: R 3–4, F 4–5
 * - promising: R 4, F 1
 * - new: R 5, F 1
 * - potential-loyalist: R 4–5, F 2–3
 * - champions: R 5, F 4–5
 * Every one of the 125 cells has exactly one segment.
 */
export function segmentOf(r: Score, f: Score, m: Score): RfmSegment {
  if (r === 1 && f === 1 && m <= 2) return 'lost';
  if (r <= 2) return f <= 2 ? 'hibernating' : f <= 4 ? 'at-risk' : 'cant-lose';
  if (r === 3) {
    if (f <= 2) return 'about-to-sleep';
    if (f === 3) return 'need-attention';
    return 'loyal';
  }
  if (f === 1) return r === 4 ? 'promising' : 'new';
  if (f <= 3) return 'potential-loyalist';
  return r === 4 ? 'loyal' : 'champions';
}

/**
 * Scores every customer against the others: R from recency (fewer days, higher score), F from
 * frequency, M from monetary, each by quintile over the customers given (those who bought by the
 * as-of day), then the cell and the segment. Same order as `inputs`.
 */
export function scoreRfm(inputs: readonly RfmInputs[]): RfmScore[] {
  const r = quintileScores(inputs.map((c) => -c.recencyDays));
  const f = quintileScores(inputs.map((c) => c.frequency));
  const m = quintileScores(inputs.map((c) => c.monetary));
  return inputs.map((c, i) => ({ ...c, r: r[i], f: f[i], m: m[i], cell: `${r[i]}${f[i]}${m[i]}`, segment: segmentOf(r[i], f[i], m[i]) }));
}

/** How many customers in each segment (every segment listed, zeros included). */
export function segmentCounts(scores: readonly RfmScore[]): Record<RfmSegment, number> {
  const counts = Object.fromEntries(RFM_SEGMENTS.map((s) => [s, 0])) as Record<RfmSegment, number>;
  for (const s of scores) counts[s.segment] += 1;
  return counts;
}

/** The 5 × 5 R × F grid: `grid[r − 1][f − 1]` customers. */
export function rfGrid(scores: readonly RfmScore[]): number[][] {
  const grid = Array.from({ length: 5 }, () => [0, 0, 0, 0, 0]);
  for (const s of scores) grid[s.r - 1][s.f - 1] += 1;
  return grid;
}
