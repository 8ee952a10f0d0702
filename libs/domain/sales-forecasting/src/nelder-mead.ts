/**
 * Nelder–Mead downhill simplex (Lagarias et al. 1998 coefficients: reflection 1, expansion 2,
 * contraction ½, shrink ½) on a box: every trial point is clamped into [lower, upper], which keeps
 * smoothing parameters in [0, 1] without a transform that would distort the search near the bounds.
 */
export interface NelderMeadOptions {
  lower: readonly number[];
  upper: readonly number[];
  /** Initial simplex step per coordinate (default 0.1). */
  step?: number;
  maxIterations?: number;
  /** Stops when the objective values of the simplex differ by less than this (default 1e-10, relative). */
  tolerance?: number;
}

export interface Minimum {
  x: number[];
  value: number;
  iterations: number;
}

export function nelderMead(f: (x: readonly number[]) => number, start: readonly number[], options: NelderMeadOptions): Minimum {
  const n = start.length;
  const clamp = (x: number[]) => x.map((v, i) => Math.min(options.upper[i], Math.max(options.lower[i], v)));
  const step = options.step ?? 0.1;
  const maxIterations = options.maxIterations ?? 500 * n;
  const tolerance = options.tolerance ?? 1e-10;
  let simplex: { x: number[]; value: number }[] = [];
  const at = (x: number[]) => {
    const c = clamp(x);
    return { x: c, value: f(c) };
  };
  simplex.push(at([...start]));
  for (let i = 0; i < n; i++) {
    const x = [...start];
    // Step inwards when the start sits on the upper bound, so the simplex never collapses there.
    x[i] = x[i] + step <= options.upper[i] ? x[i] + step : x[i] - step;
    simplex.push(at(x));
  }
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    simplex.sort((a, b) => a.value - b.value);
    const best = simplex[0].value;
    const worst = simplex[n].value;
    if (Math.abs(worst - best) <= tolerance * (Math.abs(best) + tolerance)) break;
    const centroid = Array.from({ length: n }, (_, j) => simplex.slice(0, n).reduce((s, p) => s + p.x[j], 0) / n);
    const towards = (coef: number) => at(centroid.map((c, j) => c + coef * (c - simplex[n].x[j])));
    const reflected = towards(1);
    if (reflected.value < simplex[0].value) {
      const expanded = towards(2);
      simplex[n] = expanded.value < reflected.value ? expanded : reflected;
    } else if (reflected.value < simplex[n - 1].value) {
      simplex[n] = reflected;
    } else {
      const contracted = reflected.value < simplex[n].value ? towards(0.5) : towards(-0.5);
      if (contracted.value < Math.min(reflected.value, simplex[n].value)) {
        simplex[n] = contracted;
      } else {
        const b = simplex[0].x;
        simplex = [simplex[0], ...simplex.slice(1).map((p) => at(p.x.map((v, j) => b[j] + 0.5 * (v - b[j]))))];
      }
    }
  }
  simplex.sort((a, b) => a.value - b.value);
  return { x: simplex[0].x, value: simplex[0].value, iterations };
}
