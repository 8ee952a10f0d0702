/**
 * Holt–Winters exponential smoothing: a level, an additive trend (or none) and a seasonal pattern
 * (additive, multiplicative or none), in the error-correction form statsmodels'
 * `ExponentialSmoothing` uses, so a fit can be checked against it number for number:
 *
 *   additive season:        ŷ_t = l_{t−1} + b_{t−1} + s_{t−m}
 *                           l_t = α (y_t − s_{t−m}) + (1 − α)(l_{t−1} + b_{t−1})
 *                           s_t = γ (y_t − l_{t−1} − b_{t−1}) + (1 − γ) s_{t−m}
 *   multiplicative season:  ŷ_t = (l_{t−1} + b_{t−1}) · s_{t−m}
 *                           l_t = α y_t / s_{t−m} + (1 − α)(l_{t−1} + b_{t−1})
 *                           s_t = γ y_t / (l_{t−1} + b_{t−1}) + (1 − γ) s_{t−m}
 *   trend (both):           b_t = β (l_t − l_{t−1}) + (1 − β) b_{t−1}
 *
 * Without a trend b ≡ 0 and β is unused; without a season s ≡ 0 (additive) and γ is unused.
 */

export type Seasonality = 'additive' | 'multiplicative' | 'none';
export type Trend = 'additive' | 'none';

export interface ModelSpec {
  trend: Trend;
  seasonality: Seasonality;
  /** Periods per season (12 for months in a year, 52 for weeks); ignored without a season. */
  seasonLength: number;
}

export interface SmoothingParams {
  alpha: number;
  beta: number;
  gamma: number;
}

/** The state before the first observation: l_0, b_0 and the m seasonal indices s_{1−m} … s_0. */
export interface InitialState {
  level: number;
  trend: number;
  seasonals: number[];
}

export interface FittedModel {
  spec: ModelSpec;
  params: SmoothingParams;
  initial: InitialState;
  /** One-step-ahead predictions ŷ_1 … ŷ_n. */
  fitted: number[];
  /** Σ (y_t − ŷ_t)². */
  sse: number;
  /** The state after the last observation, what forecasts start from. */
  level: number;
  trend: number;
  /** The last m seasonal indices, oldest first (s_{n−m+1} … s_n). */
  seasonals: number[];
  observations: number;
}

export class ForecastInputError extends Error {}

/** The number of seasonal indices a spec carries (0 without a season). */
export const seasonsOf = (spec: ModelSpec) => (spec.seasonality === 'none' ? 0 : spec.seasonLength);

/** The fewest observations a spec can be fitted to: two full seasons (one to start from, one to learn), or 3 without a season. */
export function minimumObservations(spec: ModelSpec): number {
  return spec.seasonality === 'none' ? 3 : 2 * spec.seasonLength;
}

/** Checks a series and spec can be fitted; throws `ForecastInputError` naming what is wrong. */
export function assertFittable(series: readonly number[], spec: ModelSpec): void {
  if (series.some((y) => !Number.isFinite(y))) throw new ForecastInputError('the series holds a value that is not a finite number');
  if (spec.seasonality !== 'none' && (!Number.isInteger(spec.seasonLength) || spec.seasonLength < 2))
    throw new ForecastInputError(`a season needs at least 2 periods, not ${spec.seasonLength}`);
  const needed = minimumObservations(spec);
  if (series.length < needed) throw new ForecastInputError(`${series.length} observations; this model needs at least ${needed}`);
  if (spec.seasonality === 'multiplicative' && series.some((y) => y <= 0))
    throw new ForecastInputError('a multiplicative season needs every observation above zero');
}

/**
 * The classic starting state (Hyndman & Athanasopoulos, §8.3): the level is the mean of the first
 * season, the trend the mean per-period change between the first two seasons, and each seasonal
 * index the first season's deviation from (or ratio to) that level. Without a season the level is
 * the first observation and the trend the first difference.
 */
export function initialState(series: readonly number[], spec: ModelSpec): InitialState {
  const m = seasonsOf(spec);
  if (m === 0) {
    return { level: series[0], trend: spec.trend === 'none' ? 0 : series[1] - series[0], seasonals: [] };
  }
  const first = mean(series.slice(0, m));
  const second = mean(series.slice(m, 2 * m));
  const seasonals = series.slice(0, m).map((y) => (spec.seasonality === 'multiplicative' ? y / first : y - first));
  return { level: first, trend: spec.trend === 'none' ? 0 : (second - first) / m, seasonals };
}

/** Runs the recursions over the series with the given parameters and starting state. */
export function smooth(series: readonly number[], spec: ModelSpec, params: SmoothingParams, initial: InitialState = initialState(series, spec)): FittedModel {
  const m = seasonsOf(spec);
  const { alpha, gamma } = params;
  const beta = spec.trend === 'none' ? 0 : params.beta;
  const multiplicative = spec.seasonality === 'multiplicative';
  // A ring of the last m seasonal indices: season[t mod m] is s_{t−m} when observation t is read.
  const season = [...initial.seasonals];
  let level = initial.level;
  let trend = spec.trend === 'none' ? 0 : initial.trend;
  const fitted: number[] = [];
  let sse = 0;
  for (let t = 0; t < series.length; t++) {
    const y = series[t];
    const base = level + trend;
    const s = m ? season[t % m] : multiplicative ? 1 : 0;
    const prediction = multiplicative ? base * s : base + s;
    fitted.push(prediction);
    sse += (y - prediction) ** 2;
    const nextLevel = multiplicative ? (alpha * y) / s + (1 - alpha) * base : alpha * (y - s) + (1 - alpha) * base;
    if (m) season[t % m] = multiplicative ? (gamma * y) / base + (1 - gamma) * s : gamma * (y - base) + (1 - gamma) * s;
    trend = beta * (nextLevel - level) + (1 - beta) * trend;
    level = nextLevel;
  }
  const n = series.length;
  // Oldest first: s_{n−m+1} … s_n sit at indices n mod m … n−1 mod m of the ring.
  const seasonals = m ? Array.from({ length: m }, (_, i) => season[(n + i) % m]) : [];
  return { spec, params: { alpha, beta, gamma: m ? gamma : 0 }, initial, fitted, sse, level, trend, seasonals, observations: n };
}

/** Forecasts h = 1 … horizon periods after the last observation: l_n + h·b_n, plus or times the season's index. */
export function forecast(model: FittedModel, horizon: number): number[] {
  if (!Number.isInteger(horizon) || horizon < 0) throw new ForecastInputError(`the horizon must be a whole number ≥ 0, not ${horizon}`);
  const m = model.seasonals.length;
  return Array.from({ length: horizon }, (_, i) => {
    const h = i + 1;
    const base = model.level + h * model.trend;
    if (!m) return base;
    const s = model.seasonals[(h - 1) % m];
    return model.spec.seasonality === 'multiplicative' ? base * s : base + s;
  });
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}
