import { type BgNbdParams, type FrequencyRecency, conditionalExpectedPurchases } from './bgnbd';

export interface ClvOptions {
  /** Number of discounting periods in the horizon (e.g. 12 months). */
  periods: number;
  /** Length of one period in the model's time unit (a month is 30 days, or 4.345 weeks, as in lifetimes). */
  periodLength: number;
  /** Discount rate per period (0.01 = 1% a month). */
  discountRate: number;
  /** Share of spend that is profit (1 = revenue). */
  margin: number;
}

/**
 * Discounted customer lifetime value over a horizon, as lifetimes' `customer_lifetime_value`:
 *   CLV = Σᵢ₌₁..N margin · E[spend] · (E[Y(i·L)] − E[Y((i−1)·L)]) / (1+d)ⁱ
 * with E[Y(t)] the BG/NBD conditional expected purchases in (T, T+t] and E[spend] the Gamma-Gamma
 * conditional expected spend per purchase. Purchases within a period are discounted at its end.
 */
export function customerLifetimeValue(params: BgNbdParams, c: FrequencyRecency, expectedSpend: number, options: ClvOptions): number {
  const { periods, periodLength, discountRate, margin } = options;
  if (!(Number.isInteger(periods) && periods >= 0)) throw new RangeError(`periods must be a whole number >= 0 (got ${periods})`);
  if (!(periodLength > 0)) throw new RangeError(`periodLength must be > 0 (got ${periodLength})`);
  if (!(discountRate > -1)) throw new RangeError(`discountRate must be > -1 (got ${discountRate})`);
  let clv = 0;
  let previous = 0;
  for (let i = 1; i <= periods; i++) {
    const cumulative = conditionalExpectedPurchases(params, c, i * periodLength);
    clv += (margin * expectedSpend * (cumulative - previous)) / Math.pow(1 + discountRate, i);
    previous = cumulative;
  }
  return clv;
}
