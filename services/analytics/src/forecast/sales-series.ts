/**
 * The order history as a time series for the sales forecast (issue 11 §5): per month or ISO week,
 * the orders placed (not cancelled) minus the returns dated in it, converted to one reporting
 * currency. Pure: the caller hands in the facts recorded by `asOf` and a conversion.
 */
import type { KpiFact } from '../kpis/kpi-definitions';

export const SALES_FORECAST_PERIODS = ['month', 'week'] as const;
export type SalesForecastPeriod = (typeof SALES_FORECAST_PERIODS)[number];

/** Periods per season: a year of months or of (ISO) weeks. */
export const SEASON_LENGTH: Record<SalesForecastPeriod, number> = { month: 12, week: 52 };

export interface SeriesPeriod {
  /** `2026-03` or `2026-W09` (ISO week). */
  period: string;
  start: string;
  end: string;
}

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The period a day falls in: its month, or its ISO week (Monday to Sunday, the week-year of its Thursday). */
export function seriesPeriodOf(day: string, period: SalesForecastPeriod): SeriesPeriod {
  const t = Date.parse(`${day}T00:00:00Z`);
  if (period === 'month') {
    const d = new Date(t);
    return { period: day.slice(0, 7), start: `${day.slice(0, 7)}-01`, end: iso(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)) };
  }
  const monday = t - ((new Date(t).getUTCDay() + 6) % 7) * DAY;
  const thursday = new Date(monday + 3 * DAY);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY)) + 1;
  return { period: `${year}-W${String(week).padStart(2, '0')}`, start: iso(monday), end: iso(monday + 6 * DAY) };
}

/** The period right after `p`. */
export function nextSeriesPeriod(p: SeriesPeriod, period: SalesForecastPeriod): SeriesPeriod {
  return seriesPeriodOf(iso(Date.parse(`${p.end}T00:00:00Z`) + DAY), period);
}

/** Converts minor units of `currency` on `day` to the reporting currency; undefined when no rate is known. */
export type Conversion = (amount: number, currency: string, day: string) => number | undefined;

export interface SalesSeries {
  periods: (SeriesPeriod & { amount: number })[];
  /** Amounts without a rate on their day: left out of the series, counted here (never added across currencies). */
  unconverted: { currency: string; amount: number; facts: number }[];
}

/**
 * The complete periods from the one of the first order to the last one that ended before `asOf`'s
 * day (the running period is not history yet: it is the first one forecast). Orders count on their
 * order date, returns on theirs; an order cancelled by `asOf` counts nowhere (nor do its returns).
 */
export function salesSeries(facts: readonly KpiFact[], period: SalesForecastPeriod, asOf: Date, convert: Conversion): SalesSeries {
  const cancelled = new Set(facts.filter((f) => f.kind === 'order-cancelled').map((f) => f.ref));
  const current = seriesPeriodOf(asOf.toISOString().slice(0, 10), period);
  const sums = new Map<string, number>();
  const unconverted = new Map<string, { amount: number; facts: number }>();
  let first: SeriesPeriod | undefined;
  for (const f of facts) {
    if ((f.kind !== 'order-placed' && f.kind !== 'order-returned') || cancelled.has(f.ref) || f.amount === null || f.currency === null) continue;
    const day = f.occurredAt.slice(0, 10);
    const p = seriesPeriodOf(day, period);
    if (p.start >= current.start) continue;
    if (f.kind === 'order-placed' && (!first || p.start < first.start)) first = p;
    const sign = f.kind === 'order-placed' ? 1 : -1;
    const converted = convert(f.amount, f.currency, day);
    if (converted === undefined) {
      const u = unconverted.get(f.currency) ?? { amount: 0, facts: 0 };
      unconverted.set(f.currency, { amount: u.amount + sign * f.amount, facts: u.facts + 1 });
      continue;
    }
    sums.set(p.period, (sums.get(p.period) ?? 0) + sign * converted);
  }
  const periods: SalesSeries['periods'] = [];
  for (let p = first; p && p.start < current.start; p = nextSeriesPeriod(p, period)) periods.push({ ...p, amount: sums.get(p.period) ?? 0 });
  return {
    periods,
    unconverted: [...unconverted.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([currency, u]) => ({ currency, ...u })),
  };
}
