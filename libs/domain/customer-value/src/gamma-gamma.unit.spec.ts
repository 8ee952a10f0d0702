import {
  conditionalExpectedSpend,
  fitGammaGamma,
  gammaGammaLogLikelihood,
  gammaGammaTotalLogLikelihood,
  gammaGammaValueAndGradient,
  type GammaGammaParams,
  populationMeanSpend,
} from './gamma-gamma';
import { simulateCustomers } from './simulate';

// FHL 2005 ("RFM and CLV") CDNOW estimates. Known values from the density of the mean of x
// Gamma(p, ν) values mixed over ν ~ Gamma(q, γ), in direct form with mpmath at 40 digits.
const PAPER: GammaGammaParams = { p: 6.25, q: 3.74, gamma: 15.44 };
const KNOWN = [
  { c: { x: 1, m: 11.77 }, logLikelihood: -3.73770967874084, expectedSpend: 18.916852057842047 },
  { c: { x: 3, m: 20 }, logLikelihood: -3.4760032829858398, expectedSpend: 21.940437412750116 },
  { c: { x: 10, m: 45.5 }, logLikelihood: -4.6107676607688314, expectedSpend: 45.0682096873084 },
];

describe('Gamma-Gamma formulas against known values', () => {
  it.each(KNOWN)('log-likelihood of %p', ({ c, logLikelihood }) => {
    expect(gammaGammaLogLikelihood(PAPER, c)).toBeCloseTo(logLikelihood, 11);
  });

  it.each(KNOWN)('conditional expected spend of %p', ({ c, expectedSpend }) => {
    expect(conditionalExpectedSpend(PAPER, c)).toBeCloseTo(expectedSpend, 11);
  });

  it('a customer without repeat purchases is expected to spend the population mean pγ/(q−1)', () => {
    expect(populationMeanSpend(PAPER)).toBeCloseTo(35.218978102189781, 11);
    expect(conditionalExpectedSpend(PAPER, { x: 0, m: 999 })).toBeCloseTo(35.218978102189781, 11);
  });

  it('the more purchases, the closer the expectation is to the customer’s own mean', () => {
    const few = conditionalExpectedSpend(PAPER, { x: 1, m: 100 });
    const many = conditionalExpectedSpend(PAPER, { x: 50, m: 100 });
    expect(Math.abs(many - 100)).toBeLessThan(Math.abs(few - 100));
  });

  it('refuses q <= 1, where the mean spend is infinite', () => {
    expect(() => conditionalExpectedSpend({ p: 1, q: 0.9, gamma: 1 }, { x: 1, m: 1 })).toThrow(/q > 1/);
  });

  it('its analytic gradient matches central finite differences', () => {
    const customers = KNOWN.map((k) => k.c);
    const grad = [0, 0, 0];
    gammaGammaValueAndGradient(PAPER, customers, grad);
    (['p', 'q', 'gamma'] as const).forEach((key, i) => {
      const h = 1e-6 * PAPER[key];
      const up = gammaGammaTotalLogLikelihood({ ...PAPER, [key]: PAPER[key] + h }, customers);
      const down = gammaGammaTotalLogLikelihood({ ...PAPER, [key]: PAPER[key] - h }, customers);
      expect(grad[i]).toBeCloseTo((up - down) / (2 * h), 5);
    });
  });
});

describe('fitGammaGamma', () => {
  it('recovers the spend parameters it simulated from', () => {
    const truth = { p: 6, q: 4, gamma: 15 };
    const repeaters = simulateCustomers({ r: 1, alpha: 3, a: 0.5, b: 5 }, { customers: 10_000, seed: 7, spend: truth }).filter((c) => c.x > 0);
    const fit = fitGammaGamma(repeaters);
    expect(fit.converged).toBe(true);
    // The population mean spend pγ/(q−1) = 30 is well identified; p, q, γ singly less so.
    expect(populationMeanSpend(fit.params)).toBeGreaterThan(28);
    expect(populationMeanSpend(fit.params)).toBeLessThan(32);
    expect(fit.params.p).toBeGreaterThan(5);
    expect(fit.params.p).toBeLessThan(7);
    for (const key of ['p', 'q', 'gamma'] as const) {
      expect(gammaGammaTotalLogLikelihood({ ...fit.params, [key]: fit.params[key] * 1.01 }, repeaters)).toBeLessThan(fit.logLikelihood);
      expect(gammaGammaTotalLogLikelihood({ ...fit.params, [key]: fit.params[key] * 0.99 }, repeaters)).toBeLessThan(fit.logLikelihood);
    }
  });

  it('refuses customers without repeat purchases or with no spend, naming them', () => {
    expect(() => fitGammaGamma([])).toThrow(/at least one/);
    expect(() => fitGammaGamma([{ x: 0, m: 0 }])).toThrow(/x=0/);
    expect(() => fitGammaGamma([{ x: 2, m: 0 }])).toThrow(/m=0/);
  });
});
