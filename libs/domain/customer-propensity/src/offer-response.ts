/**
 * Offer-response propensity: how likely a customer is to respond to the next campaign of a type,
 * from its past touches and responses, shrunk toward the type's overall rate (empirical Bayes with
 * a Beta prior).
 *
 * A customer's response probability p is taken as drawn from Beta(α, β) shared by all customers of
 * a campaign type; its responses r in n touches are Binomial(n, p). The posterior mean is
 *
 *   (r + α) / (n + α + β) = (r + κ·m) / (n + κ),   m = α / (α + β), κ = α + β,
 *
 * so a customer touched once who responded is not scored 100%: with κ = 10 and m = 5% it scores
 * (1 + 0.5) / 11 ≈ 13.6%, and moves toward its own rate as touches accumulate.
 *
 * m and κ are estimated from the customers of the type by the method of moments for the
 * beta-binomial (weighted by touches): with N = Σnᵢ, k customers, m = Σrᵢ / N and
 * S = Σ nᵢ (rᵢ/nᵢ − m)², E[S] = m(1−m)[ρ(N − Σnᵢ²/N) + (1−ρ)(k−1)] for the intra-customer
 * correlation ρ = 1 / (κ + 1). Solving for ρ gives κ. When the rates vary no more than binomial
 * noise (ρ ≤ 0), customers are indistinguishable and κ is capped (`maxStrength`): everyone gets m.
 */

export interface ResponseHistory {
  /** Touches (offers made). */
  touches: number;
  /** Responses to them (≤ touches). */
  responses: number;
}

export interface BetaPrior {
  /** The type's overall response rate m. */
  mean: number;
  /** κ = α + β: how many touches the prior weighs like. */
  strength: number;
  alpha: number;
  beta: number;
  /** Customers with at least one touch the prior was estimated from. */
  customers: number;
  touches: number;
  responses: number;
}

export interface PriorOptions {
  /** κ when the data show no more spread than chance, and its upper bound. Default 1000. */
  maxStrength?: number;
  /** κ's lower bound: a prior weighing less than this is mostly noise. Default 1. */
  minStrength?: number;
  /** κ used when too few customers (< 3) or no spread can be estimated. Default 10. */
  fallbackStrength?: number;
}

/** Estimates a campaign type's Beta prior from its customers' histories (those with no touch are ignored). */
export function fitBetaPrior(histories: readonly ResponseHistory[], options: PriorOptions = {}): BetaPrior {
  const maxStrength = options.maxStrength ?? 1000;
  const minStrength = options.minStrength ?? 1;
  const fallback = options.fallbackStrength ?? 10;
  const seen = histories.filter((h) => h.touches > 0);
  for (const h of seen) if (h.responses < 0 || h.responses > h.touches) throw new RangeError('responses must be between 0 and touches');
  const k = seen.length;
  const touches = seen.reduce((s, h) => s + h.touches, 0);
  const responses = seen.reduce((s, h) => s + h.responses, 0);
  const mean = touches ? responses / touches : 0;
  let strength = fallback;
  if (k >= 3 && mean > 0 && mean < 1) {
    const s = seen.reduce((acc, h) => acc + h.touches * (h.responses / h.touches - mean) ** 2, 0);
    const sumSq = seen.reduce((acc, h) => acc + h.touches ** 2, 0);
    const denominator = touches - sumSq / touches - (k - 1);
    if (denominator > 0) {
      const rho = (s / (mean * (1 - mean)) - (k - 1)) / denominator;
      strength = rho <= 0 ? maxStrength : Math.min(maxStrength, Math.max(minStrength, 1 / rho - 1));
    }
    // denominator ≤ 0: every customer touched once — spread cannot be told from noise; keep the fallback.
  }
  return { mean, strength, alpha: strength * mean, beta: strength * (1 - mean), customers: k, touches, responses };
}

/** The posterior mean response probability of one customer under the type's prior. */
export function responsePropensity(history: ResponseHistory, prior: BetaPrior): number {
  const total = history.touches + prior.strength;
  return total > 0 ? (history.responses + prior.alpha) / total : prior.mean;
}
