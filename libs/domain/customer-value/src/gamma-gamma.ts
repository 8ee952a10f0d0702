import digamma from '@stdlib/math-base-special-digamma';
import gammaln from '@stdlib/math-base-special-gammaln';
import { LogParameterBox, minimiseBfgs, minimiseNelderMead } from './optimise';

/**
 * The Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV: using iso-value curves for
 * customer base analysis", J. Marketing Research 42(4); Colombo & Jiang 1999). A customer's
 * transaction values are Gamma(p, ν); across customers ν ~ Gamma(q, γ). So the mean spend of a
 * customer with x transactions, z̄ = m, has the likelihood below, and E[Z] = pγ/(q−1) for q > 1.
 * Assumes spend is independent of the purchase process (check the correlation of x and m).
 */
export interface GammaGammaParams {
  p: number;
  q: number;
  gamma: number;
}

/** A repeat customer: x > 0 transactions whose mean value is m > 0 (the first purchase excluded, as in the paper). */
export interface FrequencySpend {
  x: number;
  m: number;
}

/**
 * Individual log-likelihood of the mean m of x transactions:
 *   ℓ = ln Γ(px+q) − ln Γ(px) − ln Γ(q) + q ln γ + (px−1) ln m + px ln x − (px+q) ln(γ + x m)
 */
export function gammaGammaLogLikelihood(params: GammaGammaParams, c: FrequencySpend): number {
  const { p, q, gamma } = params;
  const { x, m } = c;
  const px = p * x;
  return gammaln(px + q) - gammaln(px) - gammaln(q) + q * Math.log(gamma) + (px - 1) * Math.log(m) + px * Math.log(x) - (px + q) * Math.log(gamma + x * m);
}

export function gammaGammaTotalLogLikelihood(params: GammaGammaParams, customers: readonly FrequencySpend[]): number {
  return customers.reduce((s, c) => s + gammaGammaLogLikelihood(params, c), 0);
}

/** Σℓ and ∂Σℓ/∂(p, q, γ). */
export function gammaGammaValueAndGradient(params: GammaGammaParams, customers: readonly FrequencySpend[], grad: number[]): number {
  const { p, q, gamma } = params;
  const lnGamma = Math.log(gamma);
  const lgQ = gammaln(q);
  const psiQ = digamma(q);
  // Γ and ψ of px and px+q depend on x only: cache them per distinct x.
  const byX = new Map<number, { lg: number; dp: number; dq: number }>();
  let total = 0;
  let gp = 0;
  let gq = 0;
  let gg = 0;
  for (const { x, m } of customers) {
    let cached = byX.get(x);
    if (!cached) {
      const px = p * x;
      const psiPxQ = digamma(px + q);
      cached = { lg: gammaln(px + q) - gammaln(px) - lgQ, dp: x * (psiPxQ - digamma(px)) + x * Math.log(x), dq: psiPxQ - psiQ };
      byX.set(x, cached);
    }
    const px = p * x;
    const lnM = Math.log(m);
    const lnGXM = Math.log(gamma + x * m);
    total += cached.lg + q * lnGamma + (px - 1) * lnM + px * Math.log(x) - (px + q) * lnGXM;
    gp += cached.dp + x * lnM - x * lnGXM;
    gq += cached.dq + lnGamma - lnGXM;
    gg += q / gamma - (px + q) / (gamma + x * m);
  }
  grad[0] = gp;
  grad[1] = gq;
  grad[2] = gg;
  return total;
}

export interface GammaGammaFit {
  params: GammaGammaParams;
  logLikelihood: number;
  customers: number;
  iterations: number;
  converged: boolean;
  /** The likelihood was highest at the edge of the parameter range (see `BgNbdFit.atBoundary`). */
  atBoundary: boolean;
}

const toParams = (v: readonly number[]): GammaGammaParams => ({ p: Math.exp(v[0]), q: Math.exp(v[1]), gamma: Math.exp(v[2]) });

/** Maximum-likelihood fit of (p, q, γ) over repeat customers, on log-parameters (see fitBgNbd). */
export function fitGammaGamma(customers: readonly FrequencySpend[]): GammaGammaFit {
  if (customers.length === 0) throw new RangeError('fitGammaGamma needs at least one repeat customer');
  for (const c of customers) {
    if (!(Number.isInteger(c.x) && c.x > 0 && c.m > 0))
      throw new RangeError(`fitGammaGamma: invalid repeat customer x=${c.x}, m=${c.m} (need integer x > 0, m > 0)`);
  }
  const n = customers.length;
  const meanM = customers.reduce((s, c) => s + c.m, 0) / n;
  const objective = (v: readonly number[], grad: number[]): number => {
    const params = toParams(v);
    const g = [0, 0, 0];
    const ll = gammaGammaValueAndGradient(params, customers, g);
    grad[0] = (-g[0] * params.p) / n;
    grad[1] = (-g[1] * params.q) / n;
    grad[2] = (-g[2] * params.gamma) / n;
    return -ll / n;
  };
  // Starts: p = 1, q = 2 puts the population mean spend pγ/(q−1) at γ, so γ starts at the observed mean.
  const lnM = Math.log(meanM);
  const box = new LogParameterBox([0, 0, lnM]);
  const inBox = box.wrap(objective);
  const starts = [
    [0, Math.log(2), lnM],
    [Math.log(5), Math.log(4), lnM + Math.log(0.6)],
    [Math.log(0.5), Math.log(1.5), lnM + Math.log(0.25)],
  ];
  let best: { x: number[]; value: number; iterations: number; converged: boolean } | null = null;
  for (const start of starts) {
    const result = minimiseBfgs(inBox, box.fromLog(start), { gradientTolerance: 1e-9, maxIterations: 1000 });
    if (!best || (Number.isFinite(result.value) && result.value < best.value)) best = result;
  }
  if (!best!.converged) {
    const nm = minimiseNelderMead((u) => inBox(u, [0, 0, 0]), best!.x, { maxEvaluations: 20000 });
    if (nm.value < best!.value) best = { x: nm.x, value: nm.value, iterations: best!.iterations + nm.iterations, converged: nm.converged };
  }
  const v = box.toLog(best!.x);
  return {
    params: toParams(v),
    logLikelihood: -best!.value * n,
    customers: n,
    iterations: best!.iterations,
    converged: best!.converged,
    atBoundary: box.atBoundary(v),
  };
}

/**
 * E[Z | p, q, γ, m, x] = (p(γ + x m)) / (px + q − 1): a weighted mean of the population mean
 * pγ/(q−1) and the customer's own mean m, the weight on m growing with x. For x = 0 it is the
 * population mean. Needs q > 1 (otherwise the population mean spend is infinite).
 */
export function conditionalExpectedSpend(params: GammaGammaParams, c: { x: number; m: number }): number {
  const { p, q, gamma } = params;
  if (!(q > 1)) throw new RangeError(`conditionalExpectedSpend needs q > 1 (q=${q}): the population mean spend is infinite`);
  const m = c.x > 0 ? c.m : 0;
  return (p * (gamma + c.x * m)) / (p * c.x + q - 1);
}

/** The population mean spend per transaction, pγ/(q−1). */
export function populationMeanSpend(params: GammaGammaParams): number {
  return conditionalExpectedSpend(params, { x: 0, m: 0 });
}
