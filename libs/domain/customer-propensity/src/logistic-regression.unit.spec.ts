import fixtures from '../fixtures/logistic-fixtures.json';
import { explain, fitLogistic, predictProbability, solveSpd, standardisation } from './logistic-regression';

const FEATURES = ['recency', 'frequency', 'cases'];

describe('L2 logistic regression', () => {
  it.each(fixtures.fits)('matches scikit-learn with l2 = $l2 (coefficients, intercept, probabilities)', (expected) => {
    const model = fitLogistic(FEATURES, fixtures.x, fixtures.y, { l2: expected.l2 });
    expect(model.converged).toBe(true);
    expect(model.intercept).toBeCloseTo(expected.intercept, 6);
    model.coefficients.forEach((c, j) => expect(c).toBeCloseTo(expected.coefficients[j], 6));
    fixtures.x.forEach((row, i) => expect(predictProbability(model, row)).toBeCloseTo(expected.probabilities[i], 6));
  });

  it('shrinks the weights as the penalty grows', () => {
    const norm = (l2: number) => Math.hypot(...fitLogistic(FEATURES, fixtures.x, fixtures.y, { l2 }).coefficients);
    expect(norm(0.1)).toBeGreaterThan(norm(1));
    expect(norm(1)).toBeGreaterThan(norm(10));
    expect(norm(1e6)).toBeLessThan(1e-3);
  });

  it('stays finite on perfectly separable data and matches scikit-learn there too', () => {
    const { x, y, fit } = fixtures.separable;
    const model = fitLogistic(['x'], x, y, { l2: 1 });
    expect(model.converged).toBe(true);
    expect(Number.isFinite(model.coefficients[0])).toBe(true);
    expect(model.coefficients[0]).toBeCloseTo(fit.coefficients[0], 6);
    expect(model.intercept).toBeCloseTo(fit.intercept, 6);
  });

  it('is deterministic and gives a constant feature no weight', () => {
    const x = fixtures.x.map((r) => [...r, 7]);
    const a = fitLogistic([...FEATURES, 'constant'], x, fixtures.y);
    const b = fitLogistic([...FEATURES, 'constant'], x, fixtures.y);
    expect(a).toEqual(b);
    expect(Math.abs(a.coefficients[3])).toBeLessThan(1e-20);
    expect(a.sds[3]).toBe(1);
  });

  it('rejects bad input', () => {
    expect(() => fitLogistic(FEATURES, [], [])).toThrow(RangeError);
    expect(() => fitLogistic(FEATURES, [[1, 2, 3]], [2])).toThrow(/0 or 1/);
    expect(() => fitLogistic(FEATURES, [[1, 2]], [1])).toThrow(/not 3/);
    expect(() => fitLogistic(FEATURES, [[1, 2, 3]], [1, 0])).toThrow(/labels/);
  });

  it('explains a score with contributions coefficient × standardised value, largest push first, named for people', () => {
    const model = { ...fitLogistic(FEATURES, fixtures.x, fixtures.y), means: [100, 10, 1], sds: [50, 5, 1], intercept: 0, coefficients: [1, -0.5, 0.2] };
    const reasons = explain(model, [200, 5, 1], 3, { recency: 'days since the last purchase' });
    // recency: 1 × (200−100)/50 = 2; frequency: −0.5 × (5−10)/5 = 0.5; cases: 0.2 × 0 = 0
    expect(reasons).toEqual([
      { feature: 'recency', label: 'days since the last purchase', value: 200, contribution: 2 },
      { feature: 'frequency', label: 'frequency', value: 5, contribution: 0.5 },
      { feature: 'cases', label: 'cases', value: 1, contribution: 0 },
    ]);
    expect(explain(model, [200, 5, 1], 1)).toHaveLength(1);
    // the log-odds are the intercept plus the contributions
    expect(predictProbability(model, [200, 5, 1])).toBeCloseTo(1 / (1 + Math.exp(-2.5)), 12);
  });

  it('standardises with population standard deviations, and treats a spread of rounding noise as none', () => {
    expect(standardisation([[1], [3]])).toEqual({ means: [2], sds: [1] });
    expect(standardisation([[0.1], [0.2], [0.4]]).sds[0]).toBeCloseTo(Math.sqrt(((0.1 - 0.7 / 3) ** 2 + (0.2 - 0.7 / 3) ** 2 + (0.4 - 0.7 / 3) ** 2) / 3), 15);
    // 0.1 + 0.2 ≠ 0.3 in floating point: the "spread" of a constant column computed in fractions is not real
    expect(standardisation([[0.3], [0.1 + 0.2], [0.3]]).sds).toEqual([1]);
  });

  it('solves a positive definite system and refuses one that is not', () => {
    expect(
      solveSpd(
        [
          [4, 2],
          [2, 3],
        ],
        [2, 1],
      ).map((v) => Number(v.toFixed(12))),
    ).toEqual([0.5, 0]);
    expect(() =>
      solveSpd(
        [
          [1, 2],
          [2, 1],
        ],
        [1, 1],
      ),
    ).toThrow(/positive definite/);
  });
});
