/**
 * L2-regularised (ridge) logistic regression on standardised features, fitted by Newton's method
 * (iteratively reweighted least squares) with a backtracking line search.
 *
 * The objective is the one scikit-learn's `LogisticRegression(C=1/l2)` minimises with an
 * unpenalised intercept:
 *
 *   −Σᵢ [yᵢ log pᵢ + (1 − yᵢ) log(1 − pᵢ)] + (l2 / 2) Σⱼ wⱼ²,   pᵢ = σ(b + Σⱼ wⱼ zᵢⱼ)
 *
 * where zᵢⱼ = (xᵢⱼ − meanⱼ) / sdⱼ. It is strictly convex for l2 > 0, so Newton converges to the one
 * minimum, and the penalty keeps the weights finite even when the classes are perfectly separable
 * (where the unpenalised maximum likelihood runs off to infinity).
 */

export interface LogisticFitOptions {
  /** Ridge strength λ (scikit-learn's 1/C). > 0 keeps separable data finite. Default 1. */
  l2?: number;
  /** Stop when the largest change of a coefficient in one step is below this. Default 1e-10. */
  tolerance?: number;
  /** Default 100; Newton on this convex objective usually needs fewer than 15. */
  maxIterations?: number;
}

export interface LogisticModel {
  /** The features' names, in column order. */
  features: string[];
  /** Means and (population) standard deviations the features were standardised with; sd 0 is kept as 1 (a constant feature then weighs nothing). */
  means: number[];
  sds: number[];
  intercept: number;
  /** Per standardised feature. */
  coefficients: number[];
  l2: number;
  iterations: number;
  converged: boolean;
  /** The penalised negative log-likelihood at the optimum. */
  objective: number;
}

/** A feature's push on one score: coefficient × standardised value (on the log-odds scale). */
export interface Reason {
  feature: string;
  /** Human-readable name, when the caller gave one. */
  label: string;
  value: number;
  contribution: number;
}

const sigmoid = (t: number): number => (t >= 0 ? 1 / (1 + Math.exp(-t)) : Math.exp(t) / (1 + Math.exp(t)));

/** log(1 + e^t) without overflow. */
const softplus = (t: number): number => (t > 0 ? t + Math.log1p(Math.exp(-t)) : Math.log1p(Math.exp(t)));

/**
 * Means and population standard deviations per column. A column whose spread is rounding noise
 * (sd ≤ 1e-9 × its magnitude) is constant: its sd is kept as 1, so it standardises to 0 instead of
 * to amplified noise.
 */
export function standardisation(x: readonly (readonly number[])[]): { means: number[]; sds: number[] } {
  const n = x.length;
  const k = x[0]?.length ?? 0;
  const sums = new Array<number>(k).fill(0);
  for (const row of x) for (let j = 0; j < k; j++) sums[j] += row[j];
  // Sum, then divide: exact for integer data, unlike adding fractions.
  const means = sums.map((s) => s / n);
  const variances = new Array<number>(k).fill(0);
  for (const row of x) for (let j = 0; j < k; j++) variances[j] += (row[j] - means[j]) ** 2 / n;
  return { means, sds: variances.map((v, j) => (Math.sqrt(v) > 1e-9 * Math.max(1, Math.abs(means[j])) ? Math.sqrt(v) : 1)) };
}

/** Solves A·x = b for a symmetric positive definite A (Cholesky). Throws if A is not. */
export function solveSpd(a: readonly (readonly number[])[], b: readonly number[]): number[] {
  const n = b.length;
  const l = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i][j];
      for (let k = 0; k < j; k++) s -= l[i][k] * l[j][k];
      if (i === j) {
        if (!(s > 0)) throw new Error('matrix is not positive definite');
        l[i][i] = Math.sqrt(s);
      } else l[i][j] = s / l[j][j];
    }
  }
  const y = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i][k] * y[k];
    y[i] = s / l[i][i];
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < n; k++) s -= l[k][i] * x[k];
    x[i] = s / l[i][i];
  }
  return x;
}

/**
 * Fits the model. `x`: one row per example, `y`: 1 or 0. Deterministic: the same data give the same
 * coefficients bit for bit.
 */
export function fitLogistic(
  features: readonly string[],
  x: readonly (readonly number[])[],
  y: readonly number[],
  options: LogisticFitOptions = {},
): LogisticModel {
  const l2 = options.l2 ?? 1;
  const tolerance = options.tolerance ?? 1e-10;
  const maxIterations = options.maxIterations ?? 100;
  if (x.length === 0) throw new RangeError('no examples to fit');
  if (x.length !== y.length) throw new RangeError(`${x.length} rows but ${y.length} labels`);
  if (!(l2 >= 0)) throw new RangeError('l2 must be ≥ 0');
  const k = features.length;
  for (const row of x) if (row.length !== k) throw new RangeError(`a row has ${row.length} values, not ${k}`);
  for (const v of y) if (v !== 0 && v !== 1) throw new RangeError('labels must be 0 or 1');

  const { means, sds } = standardisation(x);
  // Design matrix with the intercept column first.
  const z = x.map((row) => [1, ...row.map((v, j) => (v - means[j]) / sds[j])]);
  const d = k + 1;
  const objective = (beta: readonly number[]): number => {
    let f = 0;
    for (let i = 0; i < z.length; i++) {
      let t = 0;
      for (let j = 0; j < d; j++) t += z[i][j] * beta[j];
      // −[y log σ(t) + (1−y) log(1−σ(t))] = softplus(t) − y·t
      f += softplus(t) - y[i] * t;
    }
    for (let j = 1; j < d; j++) f += (l2 / 2) * beta[j] ** 2;
    return f;
  };

  let beta = new Array<number>(d).fill(0);
  let f = objective(beta);
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    iterations++;
    const grad = new Array<number>(d).fill(0);
    const hess = Array.from({ length: d }, () => new Array<number>(d).fill(0));
    for (let i = 0; i < z.length; i++) {
      let t = 0;
      for (let j = 0; j < d; j++) t += z[i][j] * beta[j];
      const p = sigmoid(t);
      const w = Math.max(p * (1 - p), 1e-12);
      for (let a = 0; a < d; a++) {
        grad[a] += (p - y[i]) * z[i][a];
        for (let b = 0; b <= a; b++) hess[a][b] += w * z[i][a] * z[i][b];
      }
    }
    for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) hess[b][a] = hess[a][b];
    for (let j = 1; j < d; j++) {
      grad[j] += l2 * beta[j];
      hess[j][j] += l2;
    }
    // A tiny ridge on the intercept too keeps the system solvable when one class is absent.
    hess[0][0] += 1e-12;
    const step = solveSpd(hess, grad);
    // Backtracking: a full Newton step can overshoot far from the optimum; halve until it descends.
    let scale = 1;
    let next = beta.map((v, j) => v - scale * step[j]);
    let fNext = objective(next);
    while (fNext > f && scale > 1e-10) {
      scale /= 2;
      next = beta.map((v, j) => v - scale * step[j]);
      fNext = objective(next);
    }
    const change = Math.max(...next.map((v, j) => Math.abs(v - beta[j])));
    beta = next;
    f = fNext;
    if (change < tolerance) {
      converged = true;
      break;
    }
  }
  return { features: [...features], means, sds, intercept: beta[0], coefficients: beta.slice(1), l2, iterations, converged, objective: f };
}

/** The standardised values of one row. */
function standardised(model: LogisticModel, row: readonly number[]): number[] {
  if (row.length !== model.features.length) throw new RangeError(`a row has ${row.length} values, not ${model.features.length}`);
  return row.map((v, j) => (v - model.means[j]) / model.sds[j]);
}

/** P(y = 1) for one row of raw (not standardised) feature values. */
export function predictProbability(model: LogisticModel, row: readonly number[]): number {
  const z = standardised(model, row);
  return sigmoid(model.intercept + z.reduce((s, v, j) => s + v * model.coefficients[j], 0));
}

/**
 * Why a score is what it is: each feature's contribution coefficient × standardised value, largest
 * push towards y = 1 first (a contribution of +0.8 raises the log-odds by 0.8 against a customer
 * with average values). `top` of them; `labels` names the features for people.
 */
export function explain(model: LogisticModel, row: readonly number[], top = 3, labels: Readonly<Record<string, string>> = {}): Reason[] {
  const z = standardised(model, row);
  return model.features
    .map((feature, j) => ({ feature, label: labels[feature] ?? feature, value: row[j], contribution: model.coefficients[j] * z[j] }))
    .sort((a, b) => b.contribution - a.contribution || a.feature.localeCompare(b.feature))
    .slice(0, top);
}
