import {
  BgNbdLikelihood,
  type BgNbdParams,
  bgnbdLogLikelihood,
  bgnbdTotalLogLikelihood,
  conditionalExpectedPurchases,
  expectedPurchases,
  fitBgNbd,
  probabilityAlive,
} from './bgnbd';
import { simulateCustomers } from './simulate';

// FHL 2005's CDNOW estimates (weeks). The expected values were computed from the paper's
// equations (6), (9), (10), (11) in their direct (non-log) form with mpmath at 40 digits.
const PAPER: BgNbdParams = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
const KNOWN = [
  { c: { x: 0, tx: 0, T: 38.86 }, logLikelihood: -0.55471327643815845, pAlive: 1, expected39: 0.19509805201126264 },
  { c: { x: 2, tx: 30.43, T: 38.86 }, logLikelihood: -9.4586063070662712, pAlive: 0.72657857008067291, expected39: 1.2260281747671444 },
  { c: { x: 14, tx: 37.5, T: 38.86 }, logLikelihood: -32.897835827587049, pAlive: 0.92506047491400062, expected39: 9.2861957774535536 },
  { c: { x: 1, tx: 1.71, T: 20 }, logLikelihood: -4.2702812029329196, pAlive: 0.35415608592208625, expected39: 0.54867599764406615 },
];

describe('BG/NBD formulas against known values', () => {
  it.each(KNOWN)('log-likelihood of %p', ({ c, logLikelihood }) => {
    expect(bgnbdLogLikelihood(PAPER, c)).toBeCloseTo(logLikelihood, 11);
  });

  it.each(KNOWN)('P(alive) of %p', ({ c, pAlive }) => {
    expect(probabilityAlive(PAPER, c)).toBeCloseTo(pAlive, 12);
  });

  it.each(KNOWN)('expected purchases in the next 39 weeks of %p', ({ c, expected39 }) => {
    expect(conditionalExpectedPurchases(PAPER, c, 39)).toBeCloseTo(expected39, 10);
  });

  it.each([
    [1, 0.05326789117165828],
    [39, 1.1967231933208168],
    [78, 1.8605190579427685],
  ])('E[X(%p)] of a new customer is %p', (t, expected) => {
    expect(expectedPurchases(PAPER, t)).toBeCloseTo(expected, 10);
  });

  it('the summed likelihood (grouped by x) equals the sum of the individual ones', () => {
    const customers = KNOWN.map((k) => k.c);
    expect(bgnbdTotalLogLikelihood(PAPER, customers)).toBeCloseTo(
      KNOWN.reduce((s, k) => s + k.logLikelihood, 0),
      10,
    );
  });

  it('its analytic gradient matches central finite differences', () => {
    const customers = [...KNOWN.map((k) => k.c), { x: 3, tx: 10, T: 30 }, { x: 0, tx: 0, T: 5 }];
    const likelihood = new BgNbdLikelihood(customers);
    const grad = [0, 0, 0, 0];
    likelihood.valueAndGradient(PAPER, grad);
    const keys = ['r', 'alpha', 'a', 'b'] as const;
    keys.forEach((key, i) => {
      const h = 1e-6 * PAPER[key];
      const up = likelihood.value({ ...PAPER, [key]: PAPER[key] + h });
      const down = likelihood.value({ ...PAPER, [key]: PAPER[key] - h });
      expect(grad[i]).toBeCloseTo((up - down) / (2 * h), 5);
    });
  });

  it('P(alive) falls the longer a frequent buyer has been silent, and survives overflow-sized exponents', () => {
    const recent = probabilityAlive(PAPER, { x: 10, tx: 38, T: 39 });
    const silent = probabilityAlive(PAPER, { x: 10, tx: 5, T: 39 });
    expect(silent).toBeLessThan(recent);
    const p = probabilityAlive(PAPER, { x: 5000, tx: 1, T: 1000 });
    expect(p).toBeGreaterThanOrEqual(0);
    expect(p).toBeLessThan(1e-100);
  });

  it('expected purchases grow with the horizon and are 0 for an empty one', () => {
    const c = { x: 2, tx: 30.43, T: 38.86 };
    expect(conditionalExpectedPurchases(PAPER, c, 0)).toBe(0);
    expect(conditionalExpectedPurchases(PAPER, c, 10)).toBeLessThan(conditionalExpectedPurchases(PAPER, c, 20));
    // A customer with hundreds of purchases: stdlib's 2F1 overflows, the series answers.
    expect(Number.isFinite(conditionalExpectedPurchases(PAPER, { x: 300, tx: 38, T: 39 }, 2000))).toBe(true);
  });
});

describe('fitBgNbd', () => {
  it('recovers the parameters it simulated from (10,000 customers)', () => {
    const truth: BgNbdParams = { r: 0.5, alpha: 6, a: 0.9, b: 3 };
    const customers = simulateCustomers(truth, { customers: 10_000, seed: 12345 });
    const fit = fitBgNbd(customers);
    expect(fit.converged).toBe(true);
    // Sampling error at n = 10,000 is a few percent for r and α, more for a and b.
    expect(fit.params.r).toBeGreaterThan(0.44);
    expect(fit.params.r).toBeLessThan(0.56);
    expect(fit.params.alpha).toBeGreaterThan(5);
    expect(fit.params.alpha).toBeLessThan(7);
    expect(fit.params.a).toBeGreaterThan(0.6);
    expect(fit.params.a).toBeLessThan(1.3);
    // The fit is a maximum: nudging any parameter lowers the likelihood.
    for (const key of ['r', 'alpha', 'a', 'b'] as const) {
      expect(bgnbdTotalLogLikelihood({ ...fit.params, [key]: fit.params[key] * 1.01 }, customers)).toBeLessThan(fit.logLikelihood);
      expect(bgnbdTotalLogLikelihood({ ...fit.params, [key]: fit.params[key] * 0.99 }, customers)).toBeLessThan(fit.logLikelihood);
    }
  });

  it('does not depend on the time unit: the same customers in days give the same r, a, b, α × 7 and LL − Σx·ln 7', () => {
    const weeks = simulateCustomers({ r: 0.5, alpha: 6, a: 0.9, b: 3 }, { customers: 2_000, seed: 99 });
    const days = weeks.map((c) => ({ x: c.x, tx: c.tx * 7, T: c.T * 7 }));
    const w = fitBgNbd(weeks);
    const d = fitBgNbd(days);
    expect(d.params.r / w.params.r).toBeCloseTo(1, 5);
    expect(d.params.alpha / w.params.alpha).toBeCloseTo(7, 4);
    expect(d.params.a / w.params.a).toBeCloseTo(1, 4);
    expect(d.params.b / w.params.b).toBeCloseTo(1, 4);
    // The likelihood is a density in the x purchase times: each is 7 times denser in weeks.
    expect(w.logLikelihood - d.logLikelihood).toBeCloseTo(weeks.reduce((s, c) => s + c.x, 0) * Math.log(7), 4);
  });

  it('stays exact when the MLE runs off to a, b → ∞ (no heterogeneity in drop-out)', () => {
    // 30 customers on a regular schedule (value.e2e.spec.ts's): the likelihood keeps rising as a and b grow
    // with a/(a+b) fixed. With log-gamma differences of huge arguments the optimiser climbed on rounding
    // noise (LL −204.5 in weeks where the truth is −226.4, and r differing by unit); summed as products it does not.
    const schedule = (unitDays: number) =>
      Array.from({ length: 30 }, (_, i) => {
        const x = i % 6;
        const first = 1 + i * 3;
        const tx = x * (i % 2 === 0 ? 7 + i : 3 + i);
        return { x, tx: tx / unitDays, T: (304 - first) / unitDays };
      });
    const w = fitBgNbd(schedule(7));
    const d = fitBgNbd(schedule(1));
    // a and b stop at the edge of the box (10⁶ around their start), and the fit says so
    expect(w.params.a).toBeGreaterThan(2e5);
    expect(w.params.a).toBeLessThanOrEqual(1e6);
    expect([w.atBoundary, d.atBoundary]).toEqual([true, true]);
    expect(d.params.r / w.params.r).toBeCloseTo(1, 4);
    expect(w.logLikelihood - d.logLikelihood).toBeCloseTo(75 * Math.log(7), 3);
    expect(w.logLikelihood).toBeCloseTo(-226.37, 1);
  });

  it('keeps a tiny history from running the parameters off to 1e180: bounded, finite, and flagged at the boundary', () => {
    // Six customers as in the five-services infra test: unbounded, r and α went to 1e181 and the
    // "log-likelihood" to +5.7e168 (rounding noise of log-gamma differences at such arguments).
    const few = [
      { x: 2, tx: 21.6, T: 42.3 },
      { x: 1, tx: 12.7, T: 39.1 },
      { x: 0, tx: 0, T: 30.6 },
      { x: 0, tx: 0, T: 5 },
      { x: 1, tx: 8, T: 20 },
      { x: 3, tx: 30, T: 35 },
    ];
    const fit = fitBgNbd(few);
    const scale = few.reduce((s, c) => s + c.T, 0) / few.length / 10;
    for (const [key, centre] of [
      ['r', 1],
      ['alpha', scale],
      ['a', 1],
      ['b', 1],
    ] as const) {
      expect(fit.params[key]).toBeLessThanOrEqual(centre * 1e6 * (1 + 1e-9));
      expect(fit.params[key]).toBeGreaterThanOrEqual((centre / 1e6) * (1 - 1e-9));
    }
    expect(Number.isFinite(fit.logLikelihood)).toBe(true);
    // a log-likelihood of counts and densities this small is negative; the maximum beats the start
    expect(fit.logLikelihood).toBeLessThan(0);
    expect(fit.logLikelihood).toBeGreaterThanOrEqual(bgnbdTotalLogLikelihood({ r: 1, alpha: scale, a: 1, b: 1 }, few));
    expect(fit.logLikelihood).toBeCloseTo(bgnbdTotalLogLikelihood(fit.params, few), 6);
  });

  it('refuses impossible summaries, naming them', () => {
    expect(() => fitBgNbd([])).toThrow(/at least one/);
    expect(() => fitBgNbd([{ x: 1, tx: 5, T: 4 }])).toThrow(/tx=5/);
    expect(() => fitBgNbd([{ x: 1.5, tx: 1, T: 4 }])).toThrow(/x=1.5/);
  });
});
