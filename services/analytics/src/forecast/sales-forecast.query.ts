import { Inject, Injectable } from '@nestjs/common';
import type { Clock } from '@crm/kernel';
import { READ_MODELS, type ReadModelRunners } from '@crm/relationship-api';
import { chooseModel, forecast, minimumObservations, rollingOriginBacktest, type ForecastErrors, type ModelSpec } from '@crm/sales-forecasting';
import { CLOCK } from '@crm/service-kit';
import { loadPurchaseOccasions } from '../purchases/purchase-occasions';
import { nextSeriesPeriod, salesSeries, SEASON_LENGTH, seriesPeriodOf, type SalesForecastPeriod, type SeriesPeriod } from './sales-series';

export interface SalesForecastView {
  period: SalesForecastPeriod;
  reportingCurrency: string;
  asOf: string;
  horizon: number;
  /** Complete periods of net sales, minor units of the reporting currency. */
  history: (SeriesPeriod & { amount: number })[];
  /** Orders left out because their currency had no rate on their day (never added raw). */
  unconverted: { orders: number; currencies: string[] };
  /** null when the history is too short for any model (`reason` says so). */
  model: (ModelSpec & { alpha: number; beta: number; gamma: number; sse: number; candidates: { trend: string; seasonality: string; aic: number }[] }) | null;
  forecast: (SeriesPeriod & { amount: number })[];
  /** One-step rolling-origin back-test of the chosen model (null when there is nothing to test on). */
  backtest: (ForecastErrors & { initialWindow: number }) | null;
  reason?: string;
}

/**
 * `GET /forecast/sales`: the purchase occasions as of `asOf` (orders not cancelled, net of returns,
 * in one reporting currency: loadPurchaseOccasions) summed per period, a Holt–Winters model chosen
 * by AIC, its forecast and its one-step back-test error.
 */
@Injectable()
export class SalesForecastHandler {
  constructor(
    @Inject(READ_MODELS) private readonly readModels: ReadModelRunners,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async handle(q: { period: SalesForecastPeriod; currency?: string; horizon?: number; asOf?: Date }): Promise<SalesForecastView> {
    const asOf = q.asOf ?? this.clock.now();
    const horizon = q.horizon ?? (q.period === 'month' ? 12 : 13);
    const { reportingCurrency, occasions, unconverted } = await loadPurchaseOccasions(this.readModels.dataSource.manager, {
      asOf,
      reportingCurrency: q.currency,
    });
    const series = salesSeries(occasions, q.period, asOf);
    const base = { period: q.period, reportingCurrency, asOf: asOf.toISOString(), horizon, history: series.periods, unconverted };
    const values = series.periods.map((p) => p.amount);
    if (values.length < 3)
      return {
        ...base,
        model: null,
        forecast: [],
        backtest: null,
        reason: `${values.length} complete ${q.period}s of order history; a forecast needs at least 3`,
      };
    const { model, candidates } = chooseModel(values, SEASON_LENGTH[q.period]);
    // The history ends with the last complete period, so the running one is the first forecast.
    const periods: SeriesPeriod[] = [seriesPeriodOf(asOf.toISOString().slice(0, 10), q.period)];
    while (periods.length < horizon) periods.push(nextSeriesPeriod(periods[periods.length - 1], q.period));
    const predicted = forecast(model, horizon);
    const initialWindow = Math.max(minimumObservations(model.spec), Math.ceil(values.length / 2));
    const backtest = values.length > initialWindow ? rollingOriginBacktest(values, model.spec, { initialWindow }) : null;
    return {
      ...base,
      model: {
        ...model.spec,
        ...model.params,
        sse: model.sse,
        candidates: candidates.map((c) => ({ trend: c.spec.trend, seasonality: c.spec.seasonality, aic: c.aic })),
      },
      forecast: periods.map((p, i) => ({ ...p, amount: Math.round(predicted[i]) })),
      backtest: backtest && { mae: backtest.mae, rmse: backtest.rmse, mape: backtest.mape, smape: backtest.smape, points: backtest.points, initialWindow },
    };
  }
}
