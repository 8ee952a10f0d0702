import { readFileSync } from 'node:fs';
import path from 'node:path';
import { conditionalExpectedPurchases, expectedPurchases, fitBgNbd, probabilityAlive } from './bgnbd';
import { customerLifetimeValue } from './clv';
import { conditionalExpectedSpend, fitGammaGamma } from './gamma-gamma';

// Fixture written by fixtures/generate.py with the Python package lifetimes 0.11.3 (customers drawn
// from the two models, fitted by lifetimes, with its per-customer predictions). See fixtures/README.md.
interface Fixture {
  fitted: {
    bgnbd: { r: number; alpha: number; a: number; b: number };
    gammaGamma: { p: number; q: number; gamma: number };
    logLikelihood: { bgnbd: number; gammaGamma: number };
  };
  horizon: number;
  clv: { months: number; discountRate: number; weeksPerMonth: number };
  unconditionalExpectedPurchases: Record<string, number>;
  customers: { x: number; tx: number; T: number; m: number; pAlive: number; expectedPurchases: number; expectedSpend: number; clv: number }[];
}
const fixture: Fixture = JSON.parse(readFileSync(path.join(__dirname, '..', 'fixtures', 'lifetimes-crosscheck.json'), 'utf8'));

// Tolerances: both fits stop at their optimisers' tolerances (lifetimes: scipy's BFGS on rescaled
// time, tol 1e-7). Measured: parameters agree to 1e-7 relative, predictions to 4e-7 (2026-11-26);
// the bounds leave a margin of 25x for optimiser noise, and would catch any formula difference.
const PARAM_TOLERANCE = 1e-5;
const PREDICTION_TOLERANCE = 1e-5;
const relative = (ours: number, theirs: number) => Math.abs(ours - theirs) / Math.max(Math.abs(theirs), 1e-9);

describe('cross-check against lifetimes on generated data', () => {
  const customers = fixture.customers;
  const bg = fitBgNbd(customers);
  const gg = fitGammaGamma(customers.filter((c) => c.x > 0));

  it(`fits the same BG/NBD and Gamma-Gamma parameters (relative ${PARAM_TOLERANCE}) and log-likelihoods`, () => {
    for (const key of ['r', 'alpha', 'a', 'b'] as const) expect(relative(bg.params[key], fixture.fitted.bgnbd[key])).toBeLessThan(PARAM_TOLERANCE);
    for (const key of ['p', 'q', 'gamma'] as const) expect(relative(gg.params[key], fixture.fitted.gammaGamma[key])).toBeLessThan(PARAM_TOLERANCE);
    // Ours is a maximum at least as high as lifetimes'.
    expect(bg.logLikelihood).toBeGreaterThanOrEqual(fixture.fitted.logLikelihood.bgnbd - 1e-6);
    expect(bg.logLikelihood).toBeCloseTo(fixture.fitted.logLikelihood.bgnbd, 3);
    expect(gg.logLikelihood).toBeCloseTo(fixture.fitted.logLikelihood.gammaGamma, 3);
  });

  it(`predicts P(alive), expected purchases, expected spend and CLV per customer as lifetimes does (relative ${PREDICTION_TOLERANCE})`, () => {
    let worst = { pAlive: 0, purchases: 0, spend: 0, clv: 0 };
    for (const c of customers) {
      const spend = conditionalExpectedSpend(gg.params, c);
      const clv = customerLifetimeValue(bg.params, c, spend, {
        periods: fixture.clv.months,
        periodLength: fixture.clv.weeksPerMonth,
        discountRate: fixture.clv.discountRate,
        margin: 1,
      });
      worst = {
        pAlive: Math.max(worst.pAlive, relative(probabilityAlive(bg.params, c), c.pAlive)),
        purchases: Math.max(worst.purchases, relative(conditionalExpectedPurchases(bg.params, c, fixture.horizon), c.expectedPurchases)),
        spend: Math.max(worst.spend, relative(spend, c.expectedSpend)),
        clv: Math.max(worst.clv, relative(clv, c.clv)),
      };
    }
    expect(worst.pAlive).toBeLessThan(PREDICTION_TOLERANCE);
    expect(worst.purchases).toBeLessThan(PREDICTION_TOLERANCE);
    expect(worst.spend).toBeLessThan(PREDICTION_TOLERANCE);
    expect(worst.clv).toBeLessThan(PREDICTION_TOLERANCE);
  });

  it('with lifetimes’ own parameters, the formulas agree to 1e-9', () => {
    const params = fixture.fitted.bgnbd;
    for (const c of customers.slice(0, 200)) {
      expect(relative(probabilityAlive(params, c), c.pAlive)).toBeLessThan(1e-9);
    }
    for (const [t, expected] of Object.entries(fixture.unconditionalExpectedPurchases)) {
      expect(relative(expectedPurchases(params, Number(t)), expected)).toBeLessThan(1e-9);
    }
  });
});
