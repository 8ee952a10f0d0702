import { fitHoltWinters } from './fit';
import { forecast, ForecastInputError, minimumObservations, type ModelSpec } from './holt-winters';

export interface ForecastErrors {
  /** Mean absolute error, in the series' unit. */
  mae: number;
  /** Root mean squared error, in the series' unit. */
  rmse: number;
  /** Mean absolute percentage error (0.1 = 10 %) over the actuals that are not zero; null when every actual is zero. */
  mape: number | null;
  /** Symmetric MAPE, mean of 2|F − A| / (|A| + |F|) (0 when both are zero), in [0, 2]. */
  smape: number;
  /** How many forecasts were compared. */
  points: number;
}

/** Accuracy of forecasts against what happened, pairwise. */
export function forecastErrors(actual: readonly number[], predicted: readonly number[]): ForecastErrors {
  if (actual.length !== predicted.length) throw new ForecastInputError(`${actual.length} actuals against ${predicted.length} forecasts`);
  if (actual.length === 0) throw new ForecastInputError('no forecasts to compare');
  let abs = 0;
  let sq = 0;
  let pct = 0;
  let pctPoints = 0;
  let sym = 0;
  actual.forEach((a, i) => {
    const e = predicted[i] - a;
    abs += Math.abs(e);
    sq += e * e;
    if (a !== 0) {
      pct += Math.abs(e / a);
      pctPoints++;
    }
    const denominator = Math.abs(a) + Math.abs(predicted[i]);
    sym += denominator === 0 ? 0 : (2 * Math.abs(e)) / denominator;
  });
  const n = actual.length;
  return { mae: abs / n, rmse: Math.sqrt(sq / n), mape: pctPoints ? pct / pctPoints : null, smape: sym / n, points: n };
}

export interface BacktestOptions {
  /** Observations of the first training window (default: the model's minimum). */
  initialWindow?: number;
  /** Periods ahead each origin forecasts (default 1). */
  horizon?: number;
}

export interface Backtest extends ForecastErrors {
  /** Each origin: the observations it trained on, and the forecasts and actuals of the periods after. */
  origins: { trainedOn: number; forecast: number[]; actual: number[] }[];
}

/**
 * Rolling-origin evaluation (Tashman 2000): refit on observations 1…k, forecast k+1…k+h, compare
 * with what happened; k moves one period at a time from the initial window to the end. Every
 * forecast is made only from data before it, as the model would have been used.
 */
export function rollingOriginBacktest(series: readonly number[], spec: ModelSpec, options: BacktestOptions = {}): Backtest {
  const horizon = options.horizon ?? 1;
  const initialWindow = options.initialWindow ?? minimumObservations(spec);
  if (!Number.isInteger(horizon) || horizon < 1) throw new ForecastInputError(`the back-test horizon must be a whole number ≥ 1, not ${horizon}`);
  if (initialWindow < minimumObservations(spec)) throw new ForecastInputError(`an initial window of ${initialWindow} is too short for this model`);
  if (series.length <= initialWindow) throw new ForecastInputError(`${series.length} observations leave nothing to test after a window of ${initialWindow}`);
  const origins: Backtest['origins'] = [];
  for (let k = initialWindow; k < series.length; k++) {
    const actual = series.slice(k, k + horizon);
    const model = fitHoltWinters(series.slice(0, k), spec);
    origins.push({ trainedOn: k, forecast: forecast(model, actual.length), actual: [...actual] });
  }
  const errors = forecastErrors(
    origins.flatMap((o) => o.actual),
    origins.flatMap((o) => o.forecast),
  );
  return { ...errors, origins };
}
