import { Inject, Injectable } from '@nestjs/common';
import type { Clock } from '@crm/kernel';
import type { ReadModelVersions } from '@crm/projections';
import { convertOn } from '@crm/relationship';
import { ExchangeRateCommands, READ_MODELS, type ReadModelRunners } from '@crm/relationship-api';
import { chooseModel, forecast, minimumObservations, rollingOriginBacktest, type ForecastErrors, type ModelSpec } from '@crm/sales-forecasting';
import { CLOCK } from '@crm/service-kit';
import { KPI_FACTS } from '../kpis/kpi-facts.projection';
import { READ_MODEL_VERSIONS } from '../read-models/read-model-versions.provider';
import { nextSeriesPeriod, salesSeries, SEASON_LENGTH, seriesPeriodOf, type SalesForecastPeriod, type SeriesPeriod } from './sales-series';

export interface SalesForecastView {
  period: SalesForecastPeriod;
  currency: string;
  asOf: string;
  horizon: number;
  /** Complete periods of net sales, minor units of `currency`. */
  history: (SeriesPeriod & { amount: number })[];
  unconverted: { currency: string; amount: number; facts: number }[];
  /** null when the history is too short for any model (`reason` says so). */
  model: (ModelSpec & { alpha: number; beta: number; gamma: number; sse: number; candidates: { trend: string; seasonality: string; aic: number }[] }) | null;
  forecast: (SeriesPeriod & { amount: number })[];
  /** One-step rolling-origin back-test of the chosen model (null when there is nothing to test on). */
  backtest: (ForecastErrors & { initialWindow: number }) | null;
  reason?: string;
}

/**
 * `GET /forecast/sales`: the order history (facts of the serving analytics.kpi-facts version,
 * recorded by asOf) as net sales per period in one currency, a Holt–Winters model chosen by AIC,
 * its forecast and its one-step back-test error.
 */
@Injectable()
export class SalesForecastHandler {
  constructor(
    @Inject(READ_MODEL_VERSIONS) private readonly versions: ReadModelVersions,
    @Inject(READ_MODELS) private readonly readModels: ReadModelRunners,
    private readonly rates: ExchangeRateCommands,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async handle(q: { period: SalesForecastPeriod; currency: string; horizon?: number; asOf?: Date }): Promise<SalesForecastView> {
    const asOf = q.asOf ?? this.clock.now();
    const horizon = q.horizon ?? (q.period === 'month' ? 12 : 13);
    const serving = await this.versions.serving(KPI_FACTS);
    const rows = (await this.readModels.dataSource.query(
      `SELECT kind, ref, currency, amount::text AS amount, occurred_at FROM ${serving.tables.facts}
        WHERE recorded_at <= $1 AND kind IN ('order-placed', 'order-returned', 'order-cancelled')`,
      [asOf],
    )) as { kind: 'order-placed' | 'order-returned' | 'order-cancelled'; ref: string; currency: string; amount: string; occurred_at: Date | string }[];
    // The rates as recorded by asOf (as the sales forecast reads them), each amount at its own day's rate.
    const table = await this.rates.table(q.asOf);
    const series = salesSeries(
      rows.map((r) => ({
        kind: r.kind,
        customerId: '',
        episodeId: null,
        ref: r.ref,
        link: null,
        actor: null,
        detail: null,
        currency: r.currency,
        amount: Number(r.amount),
        occurredAt: new Date(r.occurred_at).toISOString(),
      })),
      q.period,
      asOf,
      (amount, currency, day) => {
        const converted = convertOn(table, amount, currency, q.currency, day);
        return converted === undefined ? undefined : Number(converted);
      },
    );
    const base = { period: q.period, currency: q.currency, asOf: asOf.toISOString(), horizon, history: series.periods, unconverted: series.unconverted };
    const values = series.periods.map((p) => p.amount);
    const seasonLength = SEASON_LENGTH[q.period];
    if (values.length < 3)
      return {
        ...base,
        model: null,
        forecast: [],
        backtest: null,
        reason: `${values.length} complete ${q.period}s of order history; a forecast needs at least 3`,
      };
    const { model, candidates } = chooseModel(values, seasonLength);
    const running = seriesPeriodOf(asOf.toISOString().slice(0, 10), q.period);
    const periods: SeriesPeriod[] = [running];
    while (periods.length < horizon) periods.push(nextSeriesPeriod(periods[periods.length - 1], q.period));
    // The running period is the next after the history (the history ends with the last complete one).
    const predicted = forecast(model, horizon);
    const initialWindow = Math.max(minimumObservations(model.spec), Math.ceil(values.length / 2));
    const backtest = values.length > initialWindow ? { ...rollingOriginBacktest(values, model.spec, { initialWindow }), initialWindow } : null;
    return {
      ...base,
      model: {
        ...model.spec,
        ...model.params,
        sse: model.sse,
        candidates: candidates.map((c) => ({ trend: c.spec.trend, seasonality: c.spec.seasonality, aic: c.aic })),
      },
      forecast: periods.map((p, i) => ({ ...p, amount: Math.round(predicted[i]) })),
      backtest: backtest && {
        mae: backtest.mae,
        rmse: backtest.rmse,
        mape: backtest.mape,
        smape: backtest.smape,
        points: backtest.points,
        initialWindow,
      },
    };
  }
}
