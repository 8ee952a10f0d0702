import { LogParameterBox, minimiseBfgs, minimiseNelderMead } from './optimise';

// Known functions with known minima: if either optimiser regresses, these move.
const rosenbrock = (v: readonly number[], grad?: number[]): number => {
  const [x, y] = v;
  if (grad) {
    grad[0] = -2 * (1 - x) - 400 * x * (y - x * x);
    grad[1] = 200 * (y - x * x);
  }
  return (1 - x) ** 2 + 100 * (y - x * x) ** 2;
};

/** Sum of (xᵢ − i)² scaled differently per axis: minimum at (1, 2, 3, 4), value 0. */
const badlyScaledQuadratic = (v: readonly number[], grad?: number[]): number => {
  let s = 0;
  v.forEach((x, i) => {
    const w = 10 ** i;
    s += w * (x - (i + 1)) ** 2;
    if (grad) grad[i] = 2 * w * (x - (i + 1));
  });
  return s;
};

/** Himmelblau's function has four minima of value 0; from (0, 0) descent ends at (3, 2). */
const himmelblau = (v: readonly number[], grad?: number[]): number => {
  const [x, y] = v;
  const p = x * x + y - 11;
  const q = x + y * y - 7;
  if (grad) {
    grad[0] = 4 * x * p + 2 * q;
    grad[1] = 2 * p + 4 * y * q;
  }
  return p * p + q * q;
};

describe('minimiseBfgs', () => {
  it('finds the Rosenbrock minimum (1, 1) from the classic start (-1.2, 1)', () => {
    const result = minimiseBfgs((v, g) => rosenbrock(v, g), [-1.2, 1]);
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 6);
    expect(result.x[1]).toBeCloseTo(1, 6);
    expect(result.value).toBeLessThan(1e-12);
  });

  it('solves a badly scaled 4-d quadratic', () => {
    const result = minimiseBfgs((v, g) => badlyScaledQuadratic(v, g), [0, 0, 0, 0]);
    expect(result.converged).toBe(true);
    result.x.forEach((x, i) => expect(x).toBeCloseTo(i + 1, 6));
  });

  it('finds the Himmelblau minimum at (3, 2) from the origin', () => {
    const result = minimiseBfgs((v, g) => himmelblau(v, g), [0, 0]);
    expect(result.x[0]).toBeCloseTo(3, 6);
    expect(result.x[1]).toBeCloseTo(2, 6);
  });

  it('treats non-finite values as a failed step and backs off instead of stepping into them', () => {
    // −log(x) + x has its minimum at x = 1 and is undefined (NaN) for x ≤ 0.
    const f = (v: readonly number[], g: number[]): number => {
      g[0] = -1 / v[0] + 1;
      return v[0] > 0 ? -Math.log(v[0]) + v[0] : NaN;
    };
    const result = minimiseBfgs(f, [0.01]);
    expect(result.x[0]).toBeCloseTo(1, 6);
  });

  it('reports no convergence when the iteration budget is too small', () => {
    expect(minimiseBfgs((v, g) => rosenbrock(v, g), [-1.2, 1], { maxIterations: 3 }).converged).toBe(false);
  });
});

describe('minimiseNelderMead', () => {
  it('finds the Rosenbrock minimum (1, 1) from (-1.2, 1)', () => {
    const result = minimiseNelderMead((v) => rosenbrock(v), [-1.2, 1]);
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 4);
    expect(result.x[1]).toBeCloseTo(1, 4);
  });

  it('solves a badly scaled 4-d quadratic', () => {
    const result = minimiseNelderMead((v) => badlyScaledQuadratic(v), [0, 0, 0, 0], { maxEvaluations: 20000 });
    result.x.forEach((x, i) => expect(x).toBeCloseTo(i + 1, 4));
  });

  it('finds the Himmelblau minimum at (3, 2) from (1, 1)', () => {
    const result = minimiseNelderMead((v) => himmelblau(v), [1, 1]);
    expect(result.x[0]).toBeCloseTo(3, 4);
    expect(result.x[1]).toBeCloseTo(2, 4);
  });

  it('stops at the evaluation budget and says so', () => {
    const result = minimiseNelderMead((v) => rosenbrock(v), [-1.2, 1], { maxEvaluations: 20 });
    expect(result.converged).toBe(false);
    expect(result.evaluations).toBeLessThanOrEqual(22);
  });
});

describe('LogParameterBox', () => {
  const box = new LogParameterBox([0, Math.log(5)]);
  const B = Math.log(1e6);

  it('maps any u into the box around its centres, and back', () => {
    for (const u of [
      [0, Math.log(5)],
      [3, -2],
      [1e6, -1e6],
    ]) {
      const v = box.toLog(u);
      expect(Math.abs(v[0])).toBeLessThanOrEqual(B);
      expect(Math.abs(v[1] - Math.log(5))).toBeLessThanOrEqual(B);
    }
    const v = [0.7, Math.log(5) - 3];
    const back = box.toLog(box.fromLog(v));
    expect(back[0]).toBeCloseTo(0.7, 12);
    expect(back[1]).toBeCloseTo(Math.log(5) - 3, 12);
    expect(box.toLog([0, Math.log(5)])).toEqual([0, Math.log(5)]);
    expect(box.atBoundary(box.toLog([1e6, Math.log(5)]))).toBe(true);
    expect(box.atBoundary([0.7, Math.log(5) - 3])).toBe(false);
  });

  it('wraps an objective with its gradient by the chain rule (checked against finite differences)', () => {
    const f = (v: readonly number[], grad: number[]) => {
      grad[0] = 2 * (v[0] - 1);
      grad[1] = 4 * (v[1] - 2) ** 3;
      return (v[0] - 1) ** 2 + (v[1] - 2) ** 4;
    };
    const wrapped = box.wrap(f);
    const u = [0.4, 3.1];
    const grad = [0, 0];
    wrapped(u, grad);
    for (const i of [0, 1]) {
      const h = 1e-6;
      const up = [...u];
      const down = [...u];
      up[i] += h;
      down[i] -= h;
      expect(grad[i]).toBeCloseTo((wrapped(up, [0, 0]) - wrapped(down, [0, 0])) / (2 * h), 5);
    }
    // an interior minimum is found where it is
    const r = minimiseBfgs(wrapped, box.fromLog([0, Math.log(5)]));
    expect(box.toLog(r.x)[0]).toBeCloseTo(1, 4);
  });

  it('stops a minimum at infinity at the wall', () => {
    // decreasing forever in v[0]: the box holds it at centre + B
    const wrapped = box.wrap((v, grad) => {
      grad[0] = -1;
      grad[1] = 2 * (v[1] - Math.log(5));
      return -v[0] + (v[1] - Math.log(5)) ** 2;
    });
    const r = minimiseBfgs(wrapped, [0, Math.log(5)], { maxIterations: 200 });
    const v = box.toLog(r.x);
    expect(v[0]).toBeLessThanOrEqual(B);
    expect(box.atBoundary(v)).toBe(true);
  });
});
