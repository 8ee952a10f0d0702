import { fitBetaPrior, responsePropensity } from './offer-response';
import { seededRandom } from './random';

describe('offer-response propensity (Beta prior, empirical Bayes)', () => {
  it('shrinks toward the type rate by the posterior mean (r + κm) / (n + κ)', () => {
    const prior = { mean: 0.05, strength: 10, alpha: 0.5, beta: 9.5, customers: 0, touches: 0, responses: 0 };
    expect(responsePropensity({ touches: 1, responses: 1 }, prior)).toBeCloseTo(1.5 / 11, 15);
    expect(responsePropensity({ touches: 0, responses: 0 }, prior)).toBeCloseTo(0.05, 15);
    expect(responsePropensity({ touches: 1000, responses: 500 }, prior)).toBeCloseTo(500.5 / 1010, 15);
  });

  it('estimates the prior by moments, worked by hand', () => {
    // Three customers, 10 touches each, 0, 5 and 10 responses: m = 15/30 = 0.5
    // S = 10·(0.25 + 0 + 0.25) = 5; S / m(1−m) = 20; N − Σn²/N = 30 − 300/30 = 20; k − 1 = 2
    // ρ = (20 − 2) / (20 − 2) = 1 → κ = 1/ρ − 1 = 0, raised to the minimum strength 1
    const extreme = fitBetaPrior([10, 5, 0].map((r) => ({ touches: 10, responses: r })));
    expect(extreme).toMatchObject({ mean: 0.5, strength: 1, customers: 3, touches: 30, responses: 15 });
    // 4, 5, 6 of 10: S = 10·(0.01 + 0 + 0.01) = 0.2 → 0.8; ρ = (0.8 − 2) / 18 < 0: no more spread than chance → the cap
    expect(fitBetaPrior([4, 5, 6].map((r) => ({ touches: 10, responses: r }))).strength).toBe(1000);
    // 2, 5, 8 of 10: S = 10·(0.09 + 0 + 0.09) = 1.8 → 7.2; ρ = (7.2 − 2) / 18 = 0.2888… → κ = 1/ρ − 1 = 18/5.2 − 1
    const moderate = fitBetaPrior([2, 5, 8].map((r) => ({ touches: 10, responses: r })));
    expect(moderate.strength).toBeCloseTo(18 / 5.2 - 1, 12);
    expect(moderate.alpha).toBeCloseTo(moderate.strength / 2, 12);
  });

  it('recovers a known prior from simulated customers', () => {
    // p ~ Beta(2, 18) (m = 0.1, κ = 20), 2000 customers with 5–30 touches each.
    const random = seededRandom(7);
    const gamma = (shape: number): number => {
      // Marsaglia–Tsang for shape ≥ 1
      const d = shape - 1 / 3;
      const c = 1 / Math.sqrt(9 * d);
      for (;;) {
        let x: number;
        let v: number;
        do {
          const u1 = random();
          const u2 = random();
          x = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
          v = 1 + c * x;
        } while (v <= 0);
        v = v ** 3;
        if (Math.log(random()) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
      }
    };
    const histories = Array.from({ length: 2000 }, () => {
      const a = gamma(2);
      const p = a / (a + gamma(18));
      const touches = 5 + Math.floor(random() * 26);
      let responses = 0;
      for (let t = 0; t < touches; t++) if (random() < p) responses++;
      return { touches, responses };
    });
    const prior = fitBetaPrior(histories);
    expect(prior.mean).toBeGreaterThan(0.09);
    expect(prior.mean).toBeLessThan(0.11);
    expect(prior.strength).toBeGreaterThan(14);
    expect(prior.strength).toBeLessThan(28);
  });

  it('falls back when the spread cannot be estimated, and rejects impossible histories', () => {
    expect(fitBetaPrior([{ touches: 3, responses: 1 }]).strength).toBe(10);
    expect(
      fitBetaPrior(
        [
          { touches: 1, responses: 1 },
          { touches: 1, responses: 0 },
          { touches: 1, responses: 0 },
        ],
        { fallbackStrength: 4 },
      ).strength,
    ).toBe(4);
    expect(fitBetaPrior([]).mean).toBe(0);
    expect(() => fitBetaPrior([{ touches: 1, responses: 2 }])).toThrow(RangeError);
  });
});
