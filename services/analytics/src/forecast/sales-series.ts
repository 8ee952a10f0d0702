/**
 * The order history as a time series for the sales forecast (issue 11 §5): per month or ISO week,
 * the purchase occasions in it (loadPurchaseOccasions: orders not cancelled, net of returns, in one
 * reporting currency). Pure: the caller hands in the occasions as of `asOf`.
 */

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

export interface SalesSeries {
  periods: (SeriesPeriod & { amount: number })[];
}

/**
 * Net sales per period from purchase occasions (one per customer and day, already net of returns
 * and in one currency): the complete periods from the one of the first occasion to the last one
 * that ended before `asOf`'s day (the running period is not history yet: it is the first one
 * forecast); periods without a purchase are zeros.
 */
export function salesSeries(occasions: readonly { day: string; amount: number }[], period: SalesForecastPeriod, asOf: Date): SalesSeries {
  const current = seriesPeriodOf(asOf.toISOString().slice(0, 10), period);
  const sums = new Map<string, number>();
  let first: SeriesPeriod | undefined;
  for (const o of occasions) {
    const p = seriesPeriodOf(o.day, period);
    if (p.start >= current.start) continue;
    if (!first || p.start < first.start) first = p;
    sums.set(p.period, (sums.get(p.period) ?? 0) + o.amount);
  }
  const periods: SalesSeries['periods'] = [];
  for (let p = first; p && p.start < current.start; p = nextSeriesPeriod(p, period)) periods.push({ ...p, amount: sums.get(p.period) ?? 0 });
  return { periods };
}
