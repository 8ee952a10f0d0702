import hyp2f1 from '@stdlib/math-base-special-hyp2f1';

/** log(e^a + e^b) without overflow or underflow (the x > 0 term of the BG/NBD likelihood). */
export function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const m = Math.max(a, b);
  return m + Math.log1p(Math.exp(-Math.abs(a - b)));
}

/**
 * log ₂F₁(a, b; c; z) by its power series, summed with the running log-scale so that terms far
 * beyond the double range (large a, b when a customer has many purchases) stay representable.
 * Only for 0 ≤ z < 1 with a, b, c > 0 — every term is then positive, so there is no cancellation,
 * and the terms decay like k^(a+b−c−1) zᵏ. When z is close to 1 Euler's transformation
 * ₂F₁(a,b;c;z) = (1−z)^(c−a−b) ₂F₁(c−a, c−b; c; z) is used where it gives a faster (and still
 * positive) series.
 */
export function logHyp2f1Series(a: number, b: number, c: number, z: number): number {
  if (!(z >= 0 && z < 1) || !(a > 0 && b > 0 && c > 0))
    throw new RangeError(`logHyp2f1Series needs 0 <= z < 1 and a, b, c > 0 (a=${a}, b=${b}, c=${c}, z=${z})`);
  if (z === 0) return 0;
  // Euler's transform is a positive series when c − a > 0 and c − b > 0; its terms decay like
  // k^(c−a−b−1) zᵏ against k^(a+b−c−1) zᵏ for the original, so it is the faster one when c < a + b.
  if (c - a > 0 && c - b > 0 && c < a + b) return (c - a - b) * Math.log1p(-z) + sumLogSeries(c - a, c - b, c, z);
  return sumLogSeries(a, b, c, z);
}

function sumLogSeries(a: number, b: number, c: number, z: number): number {
  // Sum of tₖ with t₀ = 1, tₖ₊₁ = tₖ (a+k)(b+k) z / ((c+k)(k+1)); kept as scale·Σ(tₖ/scale).
  let logScale = 0;
  let term = 1; // relative to e^logScale
  let sum = 1;
  for (let k = 0; k < 1_000_000; k++) {
    term *= ((a + k) * (b + k) * z) / ((c + k) * (k + 1));
    sum += term;
    if (sum > 1e250) {
      logScale += Math.log(sum);
      term /= sum;
      sum = 1;
    }
    // Once the terms decrease, the tail is bounded by a geometric series with the current ratio.
    const ratio = ((a + k + 1) * (b + k + 1) * z) / ((c + k + 1) * (k + 2));
    if (ratio < 1 && term / (1 - ratio) <= 1e-17 * sum) return logScale + Math.log(sum);
  }
  throw new Error(`logHyp2f1Series did not converge (a=${a}, b=${b}, c=${c}, z=${z})`);
}

/**
 * log ₂F₁(a, b; c; z) for the region the BG/NBD predictions use (a, b, c > 0, 0 ≤ z < 1).
 * stdlib's hyp2f1 (a port of Cephes) agrees with 30-digit mpmath values to ~4e-15 in this region
 * while its value is finite, but overflows to Infinity once a customer has a few hundred purchases
 * and z is near 1; the log-scaled series then takes over (special.unit.spec.ts checks both against
 * mpmath).
 */
export function logHyp2f1(a: number, b: number, c: number, z: number): number {
  if (z === 0) return 0;
  const v = hyp2f1(a, b, c, z);
  if (Number.isFinite(v) && v > 0) return Math.log(v);
  return logHyp2f1Series(a, b, c, z);
}
