import betaln from '@stdlib/math-base-special-betaln';
import digamma from '@stdlib/math-base-special-digamma';
import gammaln from '@stdlib/math-base-special-gammaln';
import { LogParameterBox, minimiseBfgs, minimiseNelderMead } from './optimise';
import { logAddExp, logHyp2f1 } from './special';

/**
 * The BG/NBD model (Fader, Hardie & Lee 2005, "Counting your customers the easy way: an
 * alternative to the Pareto/NBD model", Marketing Science 24(2)). While alive a customer buys as a
 * Poisson process with rate λ ~ Gamma(r, α); after each purchase it drops out with probability
 * p ~ Beta(a, b). Times are in one unit (days or weeks) throughout: α is in that unit.
 */
export interface BgNbdParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

/** One customer's calibration summary: x repeat purchase occasions, the last at t_x, observed for T (same unit). */
export interface FrequencyRecency {
  x: number;
  tx: number;
  T: number;
}

/**
 * The individual log-likelihood, FHL 2005 eq. (6) in logs:
 *   ℓ = ln Γ(r+x) − ln Γ(r) + r ln α + ln B(a, b+x) − ln B(a, b)
 *       + ln( (α+T)^−(r+x) + [x>0] a/(b+x−1) (α+t_x)^−(r+x) )
 * (B(a+1, b+x−1)/B(a, b+x) = a/(b+x−1)); the last sum by log-sum-exp.
 */
export function bgnbdLogLikelihood(params: BgNbdParams, c: FrequencyRecency): number {
  const { r, alpha, a, b } = params;
  const { x, tx, T } = c;
  const common = gammaln(r + x) - gammaln(r) + r * Math.log(alpha) + betaln(a, b + x) - betaln(a, b);
  const alive = -(r + x) * Math.log(alpha + T);
  if (x === 0) return common + alive;
  const dropped = Math.log(a) - Math.log(b + x - 1) - (r + x) * Math.log(alpha + tx);
  return common + logAddExp(alive, dropped);
}

export function bgnbdTotalLogLikelihood(params: BgNbdParams, customers: readonly FrequencyRecency[]): number {
  return new BgNbdLikelihood(customers).value(params);
}

/**
 * The summed log-likelihood and its gradient over many customers. The terms that depend on x only
 * (log-gamma, log-beta, digamma) are computed once per distinct x per evaluation; per customer only
 * two logarithms and one exponential remain, which is what makes 100,000 customers cheap.
 */
/** Up to this many repeat purchases the x-only terms are summed as products (see valueAndGradient). */
const MAX_X_FOR_PRODUCTS = 1_000_000;

export class BgNbdLikelihood {
  private readonly x: Float64Array;
  private readonly tx: Float64Array;
  private readonly T: Float64Array;
  /** Index of each customer's x in `distinctX`. */
  private readonly xIndex: Uint32Array;
  private readonly distinctX: number[];
  private readonly countByX: number[];

  constructor(customers: readonly FrequencyRecency[]) {
    const n = customers.length;
    this.x = new Float64Array(n);
    this.tx = new Float64Array(n);
    this.T = new Float64Array(n);
    this.xIndex = new Uint32Array(n);
    const index = new Map<number, number>();
    this.distinctX = [];
    this.countByX = [];
    customers.forEach((c, i) => {
      this.x[i] = c.x;
      this.tx[i] = c.tx;
      this.T[i] = c.T;
      let k = index.get(c.x);
      if (k === undefined) {
        k = this.distinctX.length;
        index.set(c.x, k);
        this.distinctX.push(c.x);
        this.countByX.push(0);
      }
      this.countByX[k]++;
      this.xIndex[i] = k;
    });
  }

  value(params: BgNbdParams): number {
    return this.valueAndGradient(params, null);
  }

  /** Σℓ, and when `grad` is given ∂Σℓ/∂(r, α, a, b) written into it. */
  valueAndGradient(params: BgNbdParams, grad: number[] | null): number {
    const { r, alpha, a, b } = params;
    const lnAlpha = Math.log(alpha);
    // Per distinct x: the x-only part of ℓ, ln(a/(b+x−1)), and the digamma parts of the gradient.
    const m = this.distinctX.length;
    const constant = new Float64Array(m);
    const logDropWeight = new Float64Array(m);
    const dConstR = new Float64Array(m);
    const dConstA = new Float64Array(m);
    const dConstB = new Float64Array(m);
    let total = 0;
    const maxX = this.distinctX.reduce((mx, x) => Math.max(mx, x), 0);
    if (maxX <= MAX_X_FOR_PRODUCTS) {
      // For whole x, Γ(r+x)/Γ(r) = Π(r+k) and B(a, b+x)/B(a, b) = Π(b+k)/(a+b+k), k < x: summed in logs
      // they stay exact where differences of log-gammas of large arguments cancel to noise — as when a
      // and b grow without bound because every customer drops out with about the same probability
      // (the optimiser would otherwise climb on rounding errors). Digamma differences likewise.
      const lnRise = new Float64Array(maxX + 1);
      const lnBetaRatio = new Float64Array(maxX + 1);
      const sumR = new Float64Array(maxX + 1);
      const sumAB = new Float64Array(maxX + 1);
      const sumB = new Float64Array(maxX + 1);
      for (let k = 0; k < maxX; k++) {
        lnRise[k + 1] = lnRise[k] + Math.log(r + k);
        lnBetaRatio[k + 1] = lnBetaRatio[k] + Math.log((b + k) / (a + b + k));
        if (grad) {
          sumR[k + 1] = sumR[k] + 1 / (r + k);
          sumAB[k + 1] = sumAB[k] + 1 / (a + b + k);
          sumB[k + 1] = sumB[k] + 1 / (b + k);
        }
      }
      for (let k = 0; k < m; k++) {
        const x = this.distinctX[k];
        constant[k] = lnRise[x] + r * lnAlpha + lnBetaRatio[x];
        logDropWeight[k] = x > 0 ? Math.log(a) - Math.log(b + x - 1) : -Infinity;
        total += this.countByX[k] * constant[k];
        if (grad) {
          dConstR[k] = sumR[x] + lnAlpha;
          dConstA[k] = -sumAB[x];
          dConstB[k] = sumB[x] - sumAB[x];
        }
      }
    } else {
      const betaAB = betaln(a, b);
      const psiR = grad ? digamma(r) : 0;
      const psiAB = grad ? digamma(a + b) : 0;
      const psiB = grad ? digamma(b) : 0;
      for (let k = 0; k < m; k++) {
        const x = this.distinctX[k];
        constant[k] = gammaln(r + x) - gammaln(r) + r * lnAlpha + betaln(a, b + x) - betaAB;
        logDropWeight[k] = x > 0 ? Math.log(a) - Math.log(b + x - 1) : -Infinity;
        total += this.countByX[k] * constant[k];
        if (grad) {
          const psiABX = digamma(a + b + x);
          dConstR[k] = digamma(r + x) - psiR + lnAlpha;
          dConstA[k] = psiAB - psiABX;
          dConstB[k] = digamma(b + x) - psiB + psiAB - psiABX;
        }
      }
    }
    let gR = 0;
    let gAlpha = 0;
    let gA = 0;
    let gB = 0;
    const n = this.x.length;
    for (let i = 0; i < n; i++) {
      const k = this.xIndex[i];
      const x = this.x[i];
      const rx = r + x;
      const lnAT = Math.log(alpha + this.T[i]);
      const alive = -rx * lnAT;
      if (x === 0) {
        total += alive;
        if (grad) {
          gR += dConstR[k] - lnAT;
          gAlpha += r / alpha - rx / (alpha + this.T[i]);
          gA += dConstA[k];
          gB += dConstB[k];
        }
        continue;
      }
      const lnAtx = Math.log(alpha + this.tx[i]);
      const dropped = logDropWeight[k] - rx * lnAtx;
      const lse = logAddExp(alive, dropped);
      total += lse;
      if (grad) {
        // w: the share of the "dropped out after t_x" branch in the mixture.
        const w = Math.exp(dropped - lse);
        gR += dConstR[k] - (1 - w) * lnAT - w * lnAtx;
        gAlpha += r / alpha - (1 - w) * (rx / (alpha + this.T[i])) - w * (rx / (alpha + this.tx[i]));
        gA += dConstA[k] + w / a;
        gB += dConstB[k] - w / (b + x - 1);
      }
    }
    if (grad) {
      grad[0] = gR;
      grad[1] = gAlpha;
      grad[2] = gA;
      grad[3] = gB;
    }
    return total;
  }
}

export interface BgNbdFit {
  params: BgNbdParams;
  /** Σℓ at the maximum. */
  logLikelihood: number;
  customers: number;
  iterations: number;
  converged: boolean;
  /**
   * The likelihood was highest at the edge of the parameter range (a parameter 10⁶ times its
   * starting scale or 10⁻⁶ of it): too few or too regular customers to pin the model down. The
   * parameters then stand for the limiting model (e.g. a, b → ∞: one drop-out probability for all).
   */
  atBoundary: boolean;
}

const toParams = (v: readonly number[]): BgNbdParams => ({ r: Math.exp(v[0]), alpha: Math.exp(v[1]), a: Math.exp(v[2]), b: Math.exp(v[3]) });

/**
 * Maximum-likelihood fit of (r, α, a, b) on their logarithms (so they stay positive), by BFGS with
 * the analytic gradient from several starting points, keeping the best; Nelder–Mead from the best
 * start when BFGS fails to converge. The default starts are r = a = b = 1 with α the mean T / 10
 * (the scale of the inter-purchase times) and two others around it.
 */
export function fitBgNbd(customers: readonly FrequencyRecency[]): BgNbdFit {
  if (customers.length === 0) throw new RangeError('fitBgNbd needs at least one customer');
  for (const c of customers) {
    if (!(c.x >= 0 && Number.isInteger(c.x) && c.tx >= 0 && c.T >= c.tx)) {
      throw new RangeError(`fitBgNbd: invalid summary x=${c.x}, tx=${c.tx}, T=${c.T} (need integer x >= 0, 0 <= tx <= T)`);
    }
    if (c.x > 0 && !(c.tx > 0)) throw new RangeError(`fitBgNbd: a customer with repeat purchases needs tx > 0 (x=${c.x}, tx=${c.tx})`);
  }
  const likelihood = new BgNbdLikelihood(customers);
  const n = customers.length;
  const meanT = customers.reduce((s, c) => s + c.T, 0) / n;
  // The objective is the mean negative log-likelihood (scale-free in n) in log-parameters.
  const objective = (v: readonly number[], grad: number[]): number => {
    const p = toParams(v);
    const g = [0, 0, 0, 0];
    const ll = likelihood.valueAndGradient(p, g);
    grad[0] = (-g[0] * p.r) / n;
    grad[1] = (-g[1] * p.alpha) / n;
    grad[2] = (-g[2] * p.a) / n;
    grad[3] = (-g[3] * p.b) / n;
    return -ll / n;
  };
  const scale = Math.log(Math.max(meanT / 10, 1e-6));
  const box = new LogParameterBox([0, scale, 0, 0]);
  const inBox = box.wrap(objective);
  const starts = [
    [0, scale, 0, 0],
    [Math.log(0.5), scale + Math.log(0.5), Math.log(0.5), Math.log(2)],
    [Math.log(2), scale + Math.log(2), Math.log(2), Math.log(5)],
  ];
  let best: { x: number[]; value: number; iterations: number; converged: boolean } | null = null;
  for (const start of starts) {
    const result = minimiseBfgs(inBox, box.fromLog(start), { gradientTolerance: 1e-9, maxIterations: 1000 });
    if (!best || (Number.isFinite(result.value) && result.value < best.value)) best = result;
  }
  if (!best!.converged) {
    const nm = minimiseNelderMead((u) => inBox(u, [0, 0, 0, 0]), best!.x, { maxEvaluations: 20000 });
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
 * P(alive | x, t_x, T), FHL 2005 eq. (11): 1 / (1 + [x>0] a/(b+x−1) ((α+T)/(α+t_x))^(r+x)).
 * A customer without repeat purchases is alive for sure in this model (it can only drop out right
 * after a purchase, and the first purchase starts the clock).
 */
export function probabilityAlive(params: BgNbdParams, c: FrequencyRecency): number {
  if (c.x === 0) return 1;
  const { r, alpha, a, b } = params;
  const logOdds = Math.log(a) - Math.log(b + c.x - 1) + (r + c.x) * (Math.log(alpha + c.T) - Math.log(alpha + c.tx));
  // 1 / (1 + e^z), computed without overflow for large z.
  return logOdds > 0 ? Math.exp(-logOdds) / (1 + Math.exp(-logOdds)) : 1 / (1 + Math.exp(logOdds));
}

/**
 * E[Y(t) | x, t_x, T]: expected purchases in (T, T+t], FHL 2005 eq. (10):
 *   (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) ₂F₁(r+x, b+x; a+b+x−1; t/(α+T+t))]
 *   / (1 + [x>0] a/(b+x−1) ((α+T)/(α+t_x))^(r+x))
 * For a = 1 the first factor is 0/0; a is nudged by 1e-9 (the limit is continuous in a).
 */
export function conditionalExpectedPurchases(params: BgNbdParams, c: FrequencyRecency, t: number): number {
  if (t <= 0) return 0;
  const { r, alpha, b } = params;
  const a = Math.abs(params.a - 1) < 1e-9 ? 1 + 1e-9 : params.a;
  const { x, tx, T } = c;
  const z = t / (alpha + T + t);
  const logHyp = logHyp2f1(r + x, b + x, a + b + x - 1, z);
  const second = -Math.expm1(logHyp + (r + x) * (Math.log(alpha + T) - Math.log(alpha + T + t)));
  const numerator = ((a + b + x - 1) / (a - 1)) * second;
  if (x === 0) return numerator;
  const logDenominatorTerm = Math.log(a) - Math.log(b + x - 1) + (r + x) * (Math.log(alpha + T) - Math.log(alpha + tx));
  return numerator / (1 + Math.exp(logDenominatorTerm));
}

/**
 * E[X(t)]: expected purchases in (0, t] of a customer picked at random when its first purchase
 * starts the clock, FHL 2005 eq. (9): (a+b−1)/(a−1) · [1 − (α/(α+t))^r ₂F₁(r, b; a+b−1; t/(α+t))].
 */
export function expectedPurchases(params: BgNbdParams, t: number): number {
  if (t <= 0) return 0;
  const { r, alpha, b } = params;
  const a = Math.abs(params.a - 1) < 1e-9 ? 1 + 1e-9 : params.a;
  const logHyp = logHyp2f1(r, b, a + b - 1, t / (alpha + t));
  return ((a + b - 1) / (a - 1)) * -Math.expm1(logHyp + r * (Math.log(alpha) - Math.log(alpha + t)));
}

/** Expected purchases of all customers in (T, T+t]: the sum of the conditional expectations. */
export function totalConditionalExpectedPurchases(params: BgNbdParams, customers: readonly FrequencyRecency[], t: number): number {
  return customers.reduce((s, c) => s + conditionalExpectedPurchases(params, c, t), 0);
}
