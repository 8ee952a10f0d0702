import fixture from '../fixtures/statsmodels-holt-winters.json';
import { chooseModel } from './choose-model';
import { fitHoltWinters } from './fit';
import { forecast, ForecastInputError, initialState, smooth, type ModelSpec, type Seasonality } from './holt-winters';

const spec = (seasonality: Seasonality, seasonLength = 12): ModelSpec => ({ trend: 'additive', seasonality, seasonLength });

describe('Holt–Winters recursions, by hand', () => {
  it('simple exponential smoothing (no trend, no season): ŷ_{t+1} = α y_t + (1 − α) ŷ_t', () => {
    // l0 = 10; y = 12 → l1 = 0.5·12 + 0.5·10 = 11; y = 8 → l2 = 0.5·8 + 0.5·11 = 9.5.
    const m = smooth(
      [12, 8],
      { trend: 'none', seasonality: 'none', seasonLength: 0 },
      { alpha: 0.5, beta: 0, gamma: 0 },
      { level: 10, trend: 0, seasonals: [] },
    );
    expect(m.fitted).toEqual([10, 11]);
    expect(m.sse).toBe(4 + 9);
    expect(forecast(m, 3)).toEqual([9.5, 9.5, 9.5]);
  });

  it("Holt's linear trend: level and slope updated, forecasts on the line l_n + h·b_n", () => {
    // l0 = 10, b0 = 2, α = 0.5, β = 0.5.
    // t1: ŷ = 12; y = 14 → l1 = 0.5·14 + 0.5·12 = 13; b1 = 0.5·(13 − 10) + 0.5·2 = 2.5.
    // t2: ŷ = 15.5; y = 15 → l2 = 0.5·15 + 0.5·15.5 = 15.25; b2 = 0.5·2.25 + 0.5·2.5 = 2.375.
    const m = smooth(
      [14, 15],
      { trend: 'additive', seasonality: 'none', seasonLength: 0 },
      { alpha: 0.5, beta: 0.5, gamma: 0 },
      { level: 10, trend: 2, seasonals: [] },
    );
    expect(m.fitted).toEqual([12, 15.5]);
    expect(m.level).toBe(15.25);
    expect(m.trend).toBe(2.375);
    expect(forecast(m, 2)).toEqual([17.625, 20]);
  });

  it('an additive season of 2: the index of the same phase is used and updated', () => {
    // l0 = 10, b0 = 0, s = [−1, +1], α = β = γ = 0.5.
    // t1: ŷ = 10 − 1 = 9; y = 10 → l1 = 0.5·(10 + 1) + 0.5·10 = 10.5; s1 = 0.5·(10 − 10) + 0.5·(−1) = −0.5; b1 = 0.25.
    // t2: ŷ = 10.75 + 1 = 11.75; y = 12 → l2 = 0.5·11 + 0.5·10.75 = 10.875; s2 = 0.5·(12 − 10.75) + 0.5 = 1.125; b2 = 0.5·0.375 + 0.125 = 0.3125.
    const m = smooth([10, 12], spec('additive', 2), { alpha: 0.5, beta: 0.5, gamma: 0.5 }, { level: 10, trend: 0, seasonals: [-1, 1] });
    expect(m.fitted).toEqual([9, 11.75]);
    expect(m.seasonals).toEqual([-0.5, 1.125]);
    expect(m.level).toBe(10.875);
    expect(m.trend).toBe(0.3125);
    // h = 1 takes the oldest phase (−0.5), h = 2 the newest, h = 3 the oldest again.
    expect(forecast(m, 3)).toEqual([10.875 + 0.3125 - 0.5, 10.875 + 0.625 + 1.125, 10.875 + 0.9375 - 0.5]);
  });

  it('a multiplicative season scales the level instead of shifting it', () => {
    // l0 = 100, b0 = 0, s = [0.8, 1.2], α = 1, β = 0, γ = 0: the level becomes y / s, indices stay.
    const m = smooth([88, 120], spec('multiplicative', 2), { alpha: 1, beta: 0, gamma: 0 }, { level: 100, trend: 0, seasonals: [0.8, 1.2] });
    expect(m.fitted[0]).toBeCloseTo(80, 12);
    expect(m.fitted[1]).toBeCloseTo(110 * 1.2, 12);
    expect(m.level).toBeCloseTo(100, 12);
    expect(forecast(m, 2).map((v) => Math.round(v * 1e9) / 1e9)).toEqual([80, 120]);
  });

  it('the classic starting state: mean of the first season, slope between the first two, deviations or ratios', () => {
    const y = [1, 3, 5, 7];
    expect(initialState(y, spec('additive', 2))).toEqual({ level: 2, trend: 2, seasonals: [-1, 1] });
    expect(initialState(y, spec('multiplicative', 2))).toEqual({ level: 2, trend: 2, seasonals: [0.5, 1.5] });
  });
});

describe('against statsmodels ExponentialSmoothing (fixtures/statsmodels-holt-winters.json)', () => {
  for (const c of fixture.cases) {
    const s = spec(c.seasonality as Seasonality, fixture.seasonLength);
    it(`${c.seasonality} season, fixed parameters: the same one-step predictions, SSE and forecasts 1–11`, () => {
      expect(initialState(fixture.series, s)).toEqual(c.initial);
      const m = smooth(fixture.series, s, c.fixed.params, c.initial);
      m.fitted.forEach((v, i) => expect(v).toBeCloseTo(c.fixed.fitted[i], 8));
      expect(m.sse).toBeCloseTo(c.fixed.sse, 6);
      const f = forecast(m, 12);
      f.slice(0, 11).forEach((v, i) => expect(v).toBeCloseTo(c.fixed.forecast[i], 8));
      // h = m: the textbook (Hyndman & Athanasopoulos) takes s_n, the index updated by the last
      // observation; statsmodels' forecast overwrites it with s_{n−m} before predicting, so the
      // 12th forecast differs there, by design here.
      const base = m.level + 12 * m.trend;
      expect(f[11]).toBeCloseTo(c.seasonality === 'additive' ? base + m.seasonals[11] : base * m.seasonals[11], 10);
      expect(f[11]).not.toBeCloseTo(c.fixed.forecast[11], 2);
    });

    it(`${c.seasonality} season, fitted: an SSE no worse than statsmodels' optimiser from the same start`, () => {
      const m = fitHoltWinters(fixture.series, s, c.initial);
      expect(m.sse).toBeLessThanOrEqual(c.optimised.sse * 1.001);
      // …and well below the fixed parameters', so the search did move.
      expect(m.sse).toBeLessThan(c.fixed.sse);
      expect(m.sse).toBeGreaterThanOrEqual(c.optimised.sse * 0.95);
      for (const p of [m.params.alpha, m.params.beta, m.params.gamma]) expect(p >= 0 && p <= 1).toBe(true);
    });
  }

  it('the model chosen by AIC for the airline months has a season (they do have one)', () => {
    const { model, candidates } = chooseModel(fixture.series, 12);
    expect(candidates).toHaveLength(4);
    expect(model.spec.seasonality).not.toBe('none');
  });
});

describe('fitting refuses what it cannot fit, naming why', () => {
  it('too few observations, a non-finite value, a multiplicative season over zero', () => {
    expect(() => fitHoltWinters([1, 2, 3], spec('additive', 2))).toThrow(new ForecastInputError('3 observations; this model needs at least 4'));
    expect(() => fitHoltWinters([1, NaN, 3, 4], spec('additive', 2))).toThrow(/finite/);
    expect(() => fitHoltWinters([1, 0, 3, 4], spec('multiplicative', 2))).toThrow(/above zero/);
    expect(() => forecast(fitHoltWinters([1, 2, 3, 4], spec('none')), -1)).toThrow(/horizon/);
    expect(() => chooseModel([5, 6], 12)).toThrow(ForecastInputError);
  });

  it('a short series gets the models it is long enough for', () => {
    const { candidates } = chooseModel([5, 6, 7, 8, 9], 12);
    expect(candidates.map((c) => c.spec.seasonality)).toEqual(['none', 'none']);
  });
});
