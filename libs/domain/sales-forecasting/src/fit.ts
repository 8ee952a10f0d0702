import { assertFittable, initialState, smooth, type FittedModel, type InitialState, type ModelSpec, type SmoothingParams } from './holt-winters';
import { nelderMead } from './nelder-mead';

/** The grid the search starts from: every combination of these values for each free parameter. */
const GRID = [0.05, 0.2, 0.4, 0.6, 0.8, 0.95];

/** Which smoothing parameters a spec estimates (β only with a trend, γ only with a season). */
function freeParameters(spec: ModelSpec): (keyof SmoothingParams)[] {
  return ['alpha', ...(spec.trend === 'none' ? [] : (['beta'] as const)), ...(spec.seasonality === 'none' ? [] : (['gamma'] as const))];
}

/**
 * Fits a Holt–Winters model: the smoothing parameters in [0, 1] that minimise the one-step sum of
 * squared errors from the classic starting state. A coarse grid finds the basin (SSE surfaces of
 * exponential smoothing often have several), Nelder–Mead refines the best grid point.
 */
export function fitHoltWinters(series: readonly number[], spec: ModelSpec, initial: InitialState = initialState(series, spec)): FittedModel {
  assertFittable(series, spec);
  const free = freeParameters(spec);
  const toParams = (x: readonly number[]): SmoothingParams => {
    const p: SmoothingParams = { alpha: 0, beta: 0, gamma: 0 };
    free.forEach((name, i) => (p[name] = x[i]));
    return p;
  };
  const sse = (x: readonly number[]) => {
    const value = smooth(series, spec, toParams(x), initial).sse;
    // A multiplicative season can divide by a level that crossed zero: such parameters are unusable.
    return Number.isFinite(value) ? value : Number.MAX_VALUE;
  };
  let best = { x: free.map(() => GRID[0]), value: Infinity };
  for (const x of grid(free.length)) {
    const value = sse(x);
    if (value < best.value) best = { x, value };
  }
  const refined = nelderMead(sse, best.x, { lower: free.map(() => 0), upper: free.map(() => 1), step: 0.05 });
  const x = refined.value <= best.value ? refined.x : best.x;
  return smooth(series, spec, toParams(x), initial);
}

function* grid(dimensions: number): Generator<number[]> {
  if (dimensions === 0) {
    yield [];
    return;
  }
  for (const head of GRID) for (const tail of grid(dimensions - 1)) yield [head, ...tail];
}
