import { forecastErrors, rollingOriginBacktest } from './backtest';
import { fitHoltWinters } from './fit';
import { forecast, ForecastInputError, type ModelSpec } from './holt-winters';
import { nelderMead } from './nelder-mead';

describe('forecast errors', () => {
  it('MAE, RMSE, MAPE and sMAPE of a hand-computed case', () => {
    // errors: +10, −10, +20 on actuals 100, 50, 200.
    const e = forecastErrors([100, 50, 200], [110, 40, 220]);
    expect(e.mae).toBeCloseTo(40 / 3, 12);
    expect(e.rmse).toBeCloseTo(Math.sqrt(600 / 3), 12);
    expect(e.mape).toBeCloseTo((0.1 + 0.2 + 0.1) / 3, 12);
    expect(e.smape).toBeCloseTo((20 / 210 + 20 / 90 + 40 / 420) / 3, 12);
    expect(e.points).toBe(3);
  });

  it('MAPE skips zero actuals (null when all are), sMAPE counts 0 for 0 against 0', () => {
    expect(forecastErrors([0, 100], [5, 90]).mape).toBeCloseTo(0.1, 12);
    expect(forecastErrors([0, 0], [0, 4])).toMatchObject({ mape: null, smape: 1, mae: 2 });
    expect(() => forecastErrors([1], [])).toThrow(ForecastInputError);
  });
});

describe('rolling-origin back-test', () => {
  const holt: ModelSpec = { trend: 'additive', seasonality: 'none', seasonLength: 0 };

  it('a straight line is forecast without error from every origin', () => {
    const line = Array.from({ length: 10 }, (_, i) => 100 + 5 * i);
    const b = rollingOriginBacktest(line, holt, { initialWindow: 4, horizon: 2 });
    expect(b.origins.map((o) => o.trainedOn)).toEqual([4, 5, 6, 7, 8, 9]);
    // The last origin has one period left to compare, not two.
    expect(b.origins[5].actual).toEqual([145]);
    expect(b.points).toBe(11);
    expect(b.mae).toBeLessThan(1e-6);
  });

  it('each origin forecasts from the data before it only (the same as fitting that prefix)', () => {
    const y = [12, 15, 14, 18, 21, 19, 24, 26, 25, 30];
    const b = rollingOriginBacktest(y, holt, { initialWindow: 6 });
    expect(b.origins[0].forecast).toEqual(forecast(fitHoltWinters(y.slice(0, 6), holt), 1));
    expect(b.origins[0].actual).toEqual([24]);
    const manual = b.origins.map((o) => Math.abs(o.forecast[0] - o.actual[0]));
    expect(b.mae).toBeCloseTo(manual.reduce((a, c) => a + c, 0) / manual.length, 12);
  });

  it('refuses a window too short for the model or a series with nothing left to test', () => {
    expect(() => rollingOriginBacktest([1, 2, 3, 4], holt, { initialWindow: 2 })).toThrow(/too short/);
    expect(() => rollingOriginBacktest([1, 2, 3], holt)).toThrow(/nothing to test/);
    expect(() => rollingOriginBacktest([1, 2, 3, 4, 5], holt, { horizon: 0 })).toThrow(/horizon/);
  });
});

describe('Nelder–Mead on a box', () => {
  it('finds the minimum of a quadratic inside the box', () => {
    const r = nelderMead(([x, y]) => (x - 0.3) ** 2 + 2 * (y - 0.7) ** 2, [0.9, 0.1], { lower: [0, 0], upper: [1, 1] });
    expect(r.x[0]).toBeCloseTo(0.3, 4);
    expect(r.x[1]).toBeCloseTo(0.7, 4);
  });

  it('stops on the bound when the minimum lies outside', () => {
    const r = nelderMead(([x]) => (x - 1.5) ** 2, [0.5], { lower: [0], upper: [1] });
    expect(r.x[0]).toBeCloseTo(1, 6);
  });
});
