import { errorFunction } from 'simple-statistics';

/**
 * Intervals for rates and for the difference of two rates, by score methods: Wald's `p ± z·se` is
 * wrong exactly where campaigns live (rates near 0, small control groups) — it gives intervals
 * below zero and covers far less than it claims. Wilson's score interval (1927) and Newcombe's
 * hybrid score interval for a difference (1998, method 10) keep their coverage there.
 */

/** Two-sided normal quantiles for the confidence levels offered (exact to double precision, not a table lookup). */
const Z: Record<ConfidenceLevel, number> = { 0.9: 1.6448536269514722, 0.95: 1.959963984540054, 0.99: 2.5758293035489004 };
export const CONFIDENCE_LEVELS = [0.9, 0.95, 0.99] as const;
export type ConfidenceLevel = (typeof CONFIDENCE_LEVELS)[number];

export interface Interval {
  lower: number;
  upper: number;
}

/** Wilson score interval of `successes / trials`; undefined without trials. */
export function wilsonInterval(successes: number, trials: number, confidence: ConfidenceLevel = 0.95): Interval | undefined {
  assertCounts(successes, trials);
  if (trials === 0) return undefined;
  const z = Z[confidence];
  const p = successes / trials;
  const z2n = (z * z) / trials;
  const centre = (p + z2n / 2) / (1 + z2n);
  const half = (z / (1 + z2n)) * Math.sqrt((p * (1 - p)) / trials + (z * z) / (4 * trials * trials));
  // Rounding may put a bound a hair outside [0, 1] at p = 0 or 1.
  return { lower: Math.max(0, centre - half), upper: Math.min(1, centre + half) };
}

/**
 * Newcombe's hybrid score interval for `p1 − p2` (method 10): each side combines the two Wilson
 * intervals' distances on the side that moves the difference that way.
 */
export function differenceInterval(
  successes1: number,
  trials1: number,
  successes2: number,
  trials2: number,
  confidence: ConfidenceLevel = 0.95,
): (Interval & { difference: number }) | undefined {
  const w1 = wilsonInterval(successes1, trials1, confidence);
  const w2 = wilsonInterval(successes2, trials2, confidence);
  if (!w1 || !w2) return undefined;
  const p1 = successes1 / trials1;
  const p2 = successes2 / trials2;
  const difference = p1 - p2;
  return {
    difference,
    lower: difference - Math.sqrt((p1 - w1.lower) ** 2 + (w2.upper - p2) ** 2),
    upper: difference + Math.sqrt((w1.upper - p1) ** 2 + (p2 - w2.lower) ** 2),
  };
}

/**
 * Two-sided p-value of the pooled two-proportion z test (are two variants' rates different?);
 * undefined when either group is empty or the pooled rate is 0 or 1 (no variance: nothing to test).
 */
export function twoProportionPValue(successes1: number, trials1: number, successes2: number, trials2: number): number | undefined {
  assertCounts(successes1, trials1);
  assertCounts(successes2, trials2);
  if (trials1 === 0 || trials2 === 0) return undefined;
  const pooled = (successes1 + successes2) / (trials1 + trials2);
  if (pooled === 0 || pooled === 1) return undefined;
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / trials1 + 1 / trials2));
  const z = Math.abs(successes1 / trials1 - successes2 / trials2) / se;
  // 2·(1 − Φ(|z|)) = 1 − erf(|z|/√2)
  return Math.min(1, Math.max(0, 1 - errorFunction(z / Math.SQRT2)));
}

function assertCounts(successes: number, trials: number): void {
  if (!Number.isSafeInteger(successes) || !Number.isSafeInteger(trials) || successes < 0 || trials < 0 || successes > trials)
    throw new RangeError(`counts must be integers with 0 ≤ successes (${successes}) ≤ trials (${trials})`);
}
