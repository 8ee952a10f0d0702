import { DomainRuleViolation } from '@crm/kernel';
import { convertOn, type ExchangeRates } from './exchange-rates';

/**
 * The sales forecast (issue 10 §6): per month or quarter, what the opportunities are expected to
 * bring, in one reporting currency, in four categories decided by the probability in force (the
 * opportunity's override, or its stage's default) — there is no separate category field:
 *
 * - `pipeline`: every open opportunity expected to close in the period;
 * - `bestCase`: those of them with a probability ≥ `bestCaseFrom` (default 40 %);
 * - `commit`: those with a probability ≥ `commitFrom` (default 70 %) — commit ⊆ best case ⊆ pipeline;
 * - `closed`: the opportunities won in the period (by the day they were closed), worth what the win
 *   recorded (its value, else the amount).
 *
 * Open ones fall in the period of their expected close date (none: in no period). Every amount is
 * converted to the reporting currency on its own (exact, rounded half away from zero to the minor
 * unit, see exchange-rates.ts), the weighted amount is that converted amount × probability / 100
 * rounded the same way, and the sums add these up. An amount in a currency without a rate on the
 * rates' day is never guessed: it is left out of the sums and listed under `unconverted`.
 */

export const FORECAST_PERIODS = ['month', 'quarter'] as const;
export type ForecastPeriod = (typeof FORECAST_PERIODS)[number];
export const FORECAST_GROUPS = ['owner', 'team', 'pipeline'] as const;
export type ForecastGroup = (typeof FORECAST_GROUPS)[number];
export const DEFAULT_BEST_CASE_FROM = 40;
export const DEFAULT_COMMIT_FROM = 70;

export type ForecastCategory = 'pipeline' | 'bestCase' | 'commit';

export interface ForecastThresholds {
  bestCaseFrom: number;
  commitFrom: number;
}

/** The categories of an open opportunity with this probability (always `pipeline`; then best case and commit by threshold). */
export function categoriesOf(
  probability: number,
  t: ForecastThresholds = { bestCaseFrom: DEFAULT_BEST_CASE_FROM, commitFrom: DEFAULT_COMMIT_FROM },
): ForecastCategory[] {
  if (t.bestCaseFrom > t.commitFrom) throw new DomainRuleViolation('thresholds-order', 'bestCaseFrom cannot be above commitFrom');
  const out: ForecastCategory[] = ['pipeline'];
  if (probability >= t.bestCaseFrom) out.push('bestCase');
  if (probability >= t.commitFrom) out.push('commit');
  return out;
}

/** The period a day (`YYYY-MM-DD`) falls in: `2026-03` for a month, `2026-Q1` for a quarter. */
export function periodOf(day: string, period: ForecastPeriod): string {
  const [year, month] = [day.slice(0, 4), Number(day.slice(5, 7))];
  return period === 'month' ? day.slice(0, 7) : `${year}-Q${Math.ceil(month / 3)}`;
}

/** Every period from the one of `from` to the one of `to`, in order, with its first and last day. */
export function periodsBetween(from: string, to: string, period: ForecastPeriod): { period: string; start: string; end: string }[] {
  const step = period === 'month' ? 1 : 3;
  let year = Number(from.slice(0, 4));
  let month = Number(from.slice(5, 7));
  if (period === 'quarter') month = Math.floor((month - 1) / 3) * 3 + 1;
  const out: { period: string; start: string; end: string }[] = [];
  const last = periodOf(to, period);
  for (;;) {
    const start = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-01`;
    const endDate = new Date(Date.UTC(year, month - 1 + step, 0));
    out.push({ period: periodOf(start, period), start, end: endDate.toISOString().slice(0, 10) });
    if (periodOf(start, period) === last) return out;
    month += step;
    if (month > 12) {
      month -= 12;
      year += 1;
    }
  }
}

/** One opportunity as the forecast reads it (its state in force at the instant asked about). */
export interface ForecastItem {
  pipelineId: string;
  owner: string;
  team: string | null;
  status: 'open' | 'won';
  probability: number;
  /** Minor units of `currency`; null: no amount (counted, worth nothing). */
  amount: number | null;
  currency: string | null;
  /** Open: the expected close day; won: the day it was closed. */
  day: string;
}

export interface ForecastFigures {
  count: number;
  /** Minor units of the reporting currency. */
  amount: number;
  /** Σ converted amount × probability / 100 (each rounded half away from zero). */
  weightedAmount: number;
}

export interface ForecastRow {
  period: string;
  start: string;
  end: string;
  owner?: string;
  team?: string | null;
  pipelineId?: string;
  pipeline: ForecastFigures;
  bestCase: ForecastFigures;
  commit: ForecastFigures;
  closed: Omit<ForecastFigures, 'weightedAmount'>;
  /** Amounts left out for want of a rate: per category and currency, in that currency's minor units. */
  unconverted: { category: ForecastCategory | 'closed'; currency: string; count: number; amount: number }[];
}

export interface ForecastOptions extends ForecastThresholds {
  period: ForecastPeriod;
  /** First and last day (inclusive) the forecast covers: every period touching them is listed, days outside are left out. */
  from: string;
  to: string;
  reportingCurrency: string;
  groupBy?: ForecastGroup;
  rates: ExchangeRates;
  /** The day whose rates convert (the day of asOf, or today). */
  ratesDay: string;
}

const weighted = (amount: bigint, probability: number): bigint => {
  const top = amount * BigInt(probability);
  return top >= 0n ? (top + 50n) / 100n : -((-top + 50n) / 100n);
};

const safe = (n: bigint): number => {
  if (n > BigInt(Number.MAX_SAFE_INTEGER) || n < BigInt(Number.MIN_SAFE_INTEGER))
    throw new DomainRuleViolation('amount-too-large', 'a forecast sum exceeds 2^53 − 1 minor units');
  return Number(n);
};

/**
 * The forecast: one row per period (and group, when asked), every period in the range listed even
 * when empty (without a group), groups only where they have something; by period, then group.
 */
export function buildForecast(items: readonly ForecastItem[], o: ForecastOptions): ForecastRow[] {
  if (o.bestCaseFrom > o.commitFrom) throw new DomainRuleViolation('thresholds-order', 'bestCaseFrom cannot be above commitFrom');
  const periods = periodsBetween(o.from, o.to, o.period);
  type Acc = {
    figures: Record<ForecastCategory | 'closed', { count: number; amount: bigint; weighted: bigint }>;
    unconverted: Map<string, { category: ForecastCategory | 'closed'; currency: string; count: number; amount: bigint }>;
  };
  const fresh = (): Acc => ({
    figures: {
      pipeline: { count: 0, amount: 0n, weighted: 0n },
      bestCase: { count: 0, amount: 0n, weighted: 0n },
      commit: { count: 0, amount: 0n, weighted: 0n },
      closed: { count: 0, amount: 0n, weighted: 0n },
    },
    unconverted: new Map(),
  });
  const groupOf = (i: ForecastItem): string | null | undefined =>
    o.groupBy === 'owner' ? i.owner : o.groupBy === 'team' ? i.team : o.groupBy === 'pipeline' ? i.pipelineId : undefined;
  const cells = new Map<string, Map<string | null | undefined, Acc>>(periods.map((p) => [p.period, new Map()]));
  if (!o.groupBy) for (const p of periods) cells.get(p.period)!.set(undefined, fresh());
  for (const item of items) {
    if (item.day < o.from || item.day > o.to) continue;
    const byGroup = cells.get(periodOf(item.day, o.period));
    if (!byGroup) continue;
    const group = groupOf(item);
    let acc = byGroup.get(group);
    if (!acc) byGroup.set(group, (acc = fresh()));
    const categories: (ForecastCategory | 'closed')[] = item.status === 'won' ? ['closed'] : categoriesOf(item.probability, o);
    const converted = item.amount === null || item.currency === null ? 0n : convertOn(o.rates, item.amount, item.currency, o.reportingCurrency, o.ratesDay);
    for (const category of categories) {
      const f = acc.figures[category];
      f.count += 1;
      if (converted === undefined) {
        const key = `${category} ${item.currency}`;
        const u = acc.unconverted.get(key) ?? { category, currency: item.currency!, count: 0, amount: 0n };
        u.count += 1;
        u.amount += BigInt(item.amount!);
        acc.unconverted.set(key, u);
        continue;
      }
      f.amount += converted;
      if (category !== 'closed') f.weighted += weighted(converted, item.probability);
    }
  }
  const rows: ForecastRow[] = [];
  for (const p of periods) {
    const groups = [...cells.get(p.period)!].sort(([a], [b]) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : String(a).localeCompare(String(b))));
    for (const [group, acc] of groups) {
      const figures = (c: ForecastCategory): ForecastFigures => ({
        count: acc.figures[c].count,
        amount: safe(acc.figures[c].amount),
        weightedAmount: safe(acc.figures[c].weighted),
      });
      rows.push({
        period: p.period,
        start: p.start,
        end: p.end,
        ...(o.groupBy === 'owner' && { owner: group as string }),
        ...(o.groupBy === 'team' && { team: (group as string | null) ?? null }),
        ...(o.groupBy === 'pipeline' && { pipelineId: group as string }),
        pipeline: figures('pipeline'),
        bestCase: figures('bestCase'),
        commit: figures('commit'),
        closed: { count: acc.figures.closed.count, amount: safe(acc.figures.closed.amount) },
        unconverted: [...acc.unconverted.values()].map((u) => ({ ...u, amount: safe(u.amount) })),
      });
    }
  }
  return rows;
}

/** The ISO 8601 week of a day (`YYYY-MM-DD`): `2026-W10`; the week-numbering year may differ from the day's (2027-01-01 is 2026-W53). */
export function isoWeekOf(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  const weekday = (d.getUTCDay() + 6) % 7; // Monday 0
  d.setUTCDate(d.getUTCDate() - weekday + 3); // the Thursday of its week decides the year
  const year = d.getUTCFullYear();
  const firstThursday = new Date(Date.UTC(year, 0, 4));
  firstThursday.setUTCDate(firstThursday.getUTCDate() - ((firstThursday.getUTCDay() + 6) % 7) + 3);
  const week = 1 + Math.round((d.getTime() - firstThursday.getTime()) / (7 * 86_400_000));
  return `${year}-W${String(week).padStart(2, '0')}`;
}
