import type { FrequencyRecency } from './bgnbd';

/** One purchase (or several on the same day): the customer, its calendar day (YYYY-MM-DD) and amount. */
export interface PurchaseOccasion {
  customerId: string;
  day: string;
  amount: number;
}

export type TimeUnit = 'day' | 'week';
export const UNIT_DAYS: Record<TimeUnit, number> = { day: 1, week: 7 };

export interface CustomerSummary extends FrequencyRecency {
  customerId: string;
  /** The first purchase day: the customer's time origin. */
  firstDay: string;
  /** Mean amount of the repeat occasions (the first excluded); 0 without repeat occasions. */
  monetary: number;
  /** Everything bought up to the calibration end, the first purchase included (historic value). */
  totalAmount: number;
}

const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 of a valid calendar day, or a RangeError naming it. */
export function dayNumber(day: string): number {
  const m = DAY_PATTERN.exec(day);
  if (!m) throw new RangeError(`not a calendar day (YYYY-MM-DD): ${day}`);
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (new Date(ms).toISOString().slice(0, 10) !== day) throw new RangeError(`not a calendar day: ${day}`);
  return ms / 86_400_000;
}

/**
 * The (x, t_x, T, m) summaries of the models from purchase occasions, as lifetimes'
 * `summary_data_from_transaction_data` with day-level occasions (`freq='D'`, and
 * `freq_multiplier=7` for weeks) — which is how FHL 2005 summarise CDNOW:
 * - occasions after `calibrationEnd` are ignored, and several on one day are one occasion (amounts added);
 * - x = occasions − 1 (repeat purchases); t_x = last − first; T = calibrationEnd − first, in the unit;
 * - monetary = mean amount of the repeat occasions (the first purchase is excluded because it is
 *   unlike the others: often a promotion or the trigger to become a customer).
 * Customers are returned in order of first appearance.
 */
export function summariseOccasions(occasions: Iterable<PurchaseOccasion>, calibrationEnd: string, unit: TimeUnit): CustomerSummary[] {
  const end = dayNumber(calibrationEnd);
  const unitDays = UNIT_DAYS[unit];
  if (!unitDays) throw new RangeError(`unknown unit: ${unit}`);
  const byCustomer = new Map<string, Map<number, number>>();
  for (const o of occasions) {
    const d = dayNumber(o.day);
    if (d > end) continue;
    let days = byCustomer.get(o.customerId);
    if (!days) byCustomer.set(o.customerId, (days = new Map()));
    days.set(d, (days.get(d) ?? 0) + o.amount);
  }
  const out: CustomerSummary[] = [];
  for (const [customerId, days] of byCustomer) {
    const sorted = [...days.keys()].sort((p, q) => p - q);
    const first = sorted[0];
    const last = sorted[sorted.length - 1];
    const x = sorted.length - 1;
    let repeatSpend = 0;
    for (let i = 1; i < sorted.length; i++) repeatSpend += days.get(sorted[i])!;
    out.push({
      customerId,
      firstDay: new Date(first * 86_400_000).toISOString().slice(0, 10),
      x,
      tx: (last - first) / unitDays,
      T: (end - first) / unitDays,
      monetary: x > 0 ? repeatSpend / x : 0,
      totalAmount: repeatSpend + days.get(first)!,
    });
  }
  return out;
}
