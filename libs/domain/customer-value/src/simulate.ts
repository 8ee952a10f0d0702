import type { BgNbdParams } from './bgnbd';
import type { GammaGammaParams } from './gamma-gamma';

/**
 * Draws customers from the BG/NBD purchase story and (optionally) the Gamma-Gamma spend story,
 * with a seeded generator so tests and the benchmark see the same data every run. Not used to
 * answer any request: it is the models' own generative description, for checking the fits.
 */
export interface SimulatedCustomer {
  x: number;
  tx: number;
  T: number;
  /** Mean value of the x repeat transactions (0 when x = 0). */
  m: number;
}

export interface SimulationOptions {
  customers: number;
  seed: number;
  /** Each customer's observation length T is uniform in [minT, maxT] (model units). */
  minT?: number;
  maxT?: number;
  spend?: GammaGammaParams;
}

export function simulateCustomers(params: BgNbdParams, options: SimulationOptions): SimulatedCustomer[] {
  const random = mulberry32(options.seed);
  const minT = options.minT ?? 10;
  const maxT = options.maxT ?? 52;
  const out: SimulatedCustomer[] = [];
  for (let i = 0; i < options.customers; i++) {
    const T = minT + (maxT - minT) * random();
    const lambda = gammaVariate(params.r, random) / params.alpha;
    const p = betaVariate(params.a, params.b, random);
    let t = 0;
    let x = 0;
    let tx = 0;
    for (;;) {
      t += -Math.log(1 - random()) / lambda;
      if (t > T) break;
      x++;
      tx = t;
      // Drops out right after this purchase with probability p.
      if (random() < p) break;
    }
    let m = 0;
    if (options.spend && x > 0) {
      // ν ~ Gamma(q, rate γ); each value ~ Gamma(p, rate ν); m is their mean.
      const nu = gammaVariate(options.spend.q, random) / options.spend.gamma;
      let sum = 0;
      for (let k = 0; k < x; k++) sum += gammaVariate(options.spend.p, random) / nu;
      m = sum / x;
    }
    out.push({ x, tx, T, m });
  }
  return out;
}

/** A small, fast, seedable uniform generator on [0, 1) (mulberry32). */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Gamma(shape, scale 1) by Marsaglia & Tsang (2000), boosted for shape < 1. */
export function gammaVariate(shape: number, random: () => number): number {
  if (shape < 1) return gammaVariate(shape + 1, random) * Math.pow(random(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let z: number;
    let v: number;
    do {
      z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
      v = 1 + c * z;
    } while (v <= 0);
    v = v * v * v;
    const u = random();
    if (Math.log(u) < 0.5 * z * z + d - d * v + d * Math.log(v)) return d * v;
  }
}

export function betaVariate(a: number, b: number, random: () => number): number {
  const x = gammaVariate(a, random);
  return x / (x + gammaVariate(b, random));
}
