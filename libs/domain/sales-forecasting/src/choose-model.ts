import { fitHoltWinters } from './fit';
import { ForecastInputError, minimumObservations, seasonsOf, type FittedModel, type ModelSpec } from './holt-winters';

export interface ChosenModel {
  model: FittedModel;
  /** Akaike's criterion of each candidate that could be fitted, lowest chosen. */
  candidates: { spec: ModelSpec; aic: number }[];
}

/**
 * Chooses among the Holt–Winters variants the series is long enough for (a season needs two full
 * ones; multiplicative only for positive series) by AIC = n·ln(SSE/n) + 2k, k counting the
 * smoothing parameters and the starting state: a more flexible model must earn its parameters.
 */
export function chooseModel(series: readonly number[], seasonLength: number): ChosenModel {
  const specs: ModelSpec[] = [
    { trend: 'none', seasonality: 'none', seasonLength },
    { trend: 'additive', seasonality: 'none', seasonLength },
    { trend: 'additive', seasonality: 'additive', seasonLength },
    { trend: 'additive', seasonality: 'multiplicative', seasonLength },
  ];
  const usable = specs.filter(
    (s) =>
      series.length >= minimumObservations(s) &&
      (s.seasonality !== 'multiplicative' || series.every((y) => y > 0)) &&
      (s.seasonality === 'none' || seasonLength >= 2),
  );
  if (usable.length === 0) throw new ForecastInputError(`${series.length} observations are too few for any model (3 needed)`);
  const n = series.length;
  let best: { model: FittedModel; aic: number } | undefined;
  const candidates: ChosenModel['candidates'] = [];
  for (const spec of usable) {
    const model = fitHoltWinters(series, spec);
    const k = 1 + (spec.trend === 'none' ? 0 : 2) + (spec.seasonality === 'none' ? 0 : 1 + seasonsOf(spec)) + 1;
    // A perfect fit (SSE 0) would make ln(0): floor it so the criterion stays comparable.
    const aic = n * Math.log(Math.max(model.sse, 1e-12) / n) + 2 * k;
    candidates.push({ spec, aic });
    if (!best || aic < best.aic) best = { model, aic };
  }
  return { model: best!.model, candidates };
}
