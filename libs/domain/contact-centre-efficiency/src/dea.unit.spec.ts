import { DeaInputError, evaluateEfficiency, scaleEfficiencies, validateUnits, type DecisionMakingUnit, type LpSolver } from './index';
import { loadHighsSolver } from './highs-solver';

let solver: LpSolver;
beforeAll(async () => {
  solver = await loadHighsSolver();
});

/**
 * The five-firm example of Coelli, Rao, O'Donnell & Battese, "An Introduction to Efficiency and
 * Productivity Analysis", 2nd ed. (Springer 2005), ch. 6 (Table 6.1 data, Table 6.2 CRS results;
 * also DEAP 2.1's EG1 example): one output y, two inputs x1, x2.
 *
 *   firm  y  x1  x2    published CRS TE   peers (λ)
 *   1     1  2   5     0.500              2 (0.5)          input slack x2 = 0.5
 *   2     2  2   4     1.000              2
 *   3     3  6   6     0.833              2 (1.0), 5 (0.5)
 *   4     1  3   2     0.714              2 (0.214), 5 (0.286)
 *   5     2  6   2     1.000              5
 *
 * By hand: firm 1 at θ = 0.5 uses (1, 2.5); half of firm 2 produces 1 from (1, 2) — radial θ 0.5
 * and 0.5 of x2 left over. Firm 3: λ2 = 1, λ5 = 0.5 produce 3 from (5, 5) = 5/6 of (6, 6).
 * Firm 4: λ2 = a, λ5 = 0.5 − a produce 1 from (3 − 4a, 1 + 2a); equal shares of (3, 2) at
 * a = 3/14: θ = (1 + 6/14)/2 = 5/7 = 0.714.
 */
const coelli: DecisionMakingUnit[] = [
  { name: '1', outputs: [1], inputs: [2, 5] },
  { name: '2', outputs: [2], inputs: [2, 4] },
  { name: '3', outputs: [3], inputs: [6, 6] },
  { name: '4', outputs: [1], inputs: [3, 2] },
  { name: '5', outputs: [2], inputs: [6, 2] },
];

describe('DEA, input-oriented CCR (constant returns to scale)', () => {
  it('gives the published technical efficiencies of Coelli et al. (2005) ch. 6', () => {
    const r = evaluateEfficiency(coelli, 'ccr', solver);
    expect(r.map((u) => u.theta)).toEqual([0.5, 1, expect.closeTo(0.833, 3), expect.closeTo(0.714, 3), 1]);
    expect(r.map((u) => u.efficient)).toEqual([false, true, false, false, true]);
  });

  it('names the peers with their weights', () => {
    const r = evaluateEfficiency(coelli, 'ccr', solver);
    expect(r[0].peers).toEqual([{ name: '2', lambda: expect.closeTo(0.5, 9) }]);
    expect(r[2].peers).toEqual([
      { name: '2', lambda: expect.closeTo(1, 9) },
      { name: '5', lambda: expect.closeTo(0.5, 9) },
    ]);
    expect(r[3].peers).toEqual([
      { name: '5', lambda: expect.closeTo(2 / 7, 9) },
      { name: '2', lambda: expect.closeTo(3 / 14, 9) },
    ]);
    // an efficient unit is its own peer
    expect(r[1].peers).toEqual([{ name: '2', lambda: 1 }]);
  });

  it('finds the slack a radial contraction leaves (phase 2) and projects on the frontier', () => {
    const [firm1, , firm3] = evaluateEfficiency(coelli, 'ccr', solver);
    expect(firm1.inputSlacks).toEqual([0, expect.closeTo(0.5, 9)]);
    expect(firm1.outputSlacks).toEqual([0]);
    expect(firm1.inputTargets).toEqual([expect.closeTo(1, 9), expect.closeTo(2, 9)]);
    expect(firm1.outputTargets).toEqual([1]);
    expect(firm3.inputTargets).toEqual([expect.closeTo(5, 9), expect.closeTo(5, 9)]);
    expect(firm3.inputSlacks).toEqual([0, 0]);
  });

  it('does not depend on the units the figures are in (a cost in cents beside a head count)', () => {
    const cents = coelli.map((u) => ({ ...u, inputs: [u.inputs[0], u.inputs[1] * 1_000_000] }));
    const r = evaluateEfficiency(cents, 'ccr', solver);
    expect(r.map((u) => u.theta)).toEqual([0.5, 1, expect.closeTo(5 / 6, 9), expect.closeTo(5 / 7, 9), 1]);
    expect(r[0].inputSlacks[1]).toBeCloseTo(500_000, 3);
  });
});

/**
 * One input, one output, by hand: A (x 2, y 1), B (4, 4), C (6, 5), D (5, 2).
 * CCR: the best ratio y/x is B's 1, so θ = (y/x) / 1: A 0.5, B 1, C 5/6, D 0.4.
 * BCC: the frontier is A–B–C (slopes 1.5 then 0.5: convex). D's output 2 is reached between A and
 * B at x = 2 + (2 − 1)/1.5 = 8/3, with λA = 2/3, λB = 1/3: θ = (8/3)/5 = 8/15; scale 0.4/(8/15) = 0.75.
 */
const handChecked: DecisionMakingUnit[] = [
  { name: 'A', inputs: [2], outputs: [1] },
  { name: 'B', inputs: [4], outputs: [4] },
  { name: 'C', inputs: [6], outputs: [5] },
  { name: 'D', inputs: [5], outputs: [2] },
];

describe('DEA, input-oriented BCC (variable returns to scale) and scale efficiency', () => {
  it('puts A and C on the variable-returns frontier though CCR does not', () => {
    const r = evaluateEfficiency(handChecked, 'bcc', solver);
    expect(r.map((u) => u.theta)).toEqual([1, 1, 1, expect.closeTo(8 / 15, 9)]);
    expect(r[3].peers).toEqual([
      { name: 'A', lambda: expect.closeTo(2 / 3, 9) },
      { name: 'B', lambda: expect.closeTo(1 / 3, 9) },
    ]);
    expect(r[3].inputTargets[0]).toBeCloseTo(8 / 3, 9);
  });

  it('scale efficiency is CCR θ / BCC θ', () => {
    const r = scaleEfficiencies(handChecked, solver);
    expect(r.map((u) => u.ccr)).toEqual([0.5, 1, expect.closeTo(5 / 6, 9), expect.closeTo(0.4, 9)]);
    expect(r.map((u) => u.scale)).toEqual([0.5, 1, expect.closeTo(5 / 6, 9), expect.closeTo(0.75, 9)]);
  });

  it('the convexity row makes every BCC θ at least the CCR θ (Coelli example)', () => {
    for (const u of scaleEfficiencies(coelli, solver)) expect(u.bcc).toBeGreaterThanOrEqual(u.ccr - 1e-9);
  });

  it('a slack with θ = 1: weakly efficient only (Farrell efficient, not Pareto–Koopmans)', () => {
    // Q uses as much of input 1 as P and more of input 2 for the same output: no radial contraction
    // helps (θ = 1), but 1 of input 2 is slack, and Q's target is P.
    const units = [
      { name: 'P', inputs: [1, 1], outputs: [1] },
      { name: 'Q', inputs: [1, 2], outputs: [1] },
    ];
    for (const model of ['ccr', 'bcc'] as const) {
      const q = evaluateEfficiency(units, model, solver)[1];
      expect(q.theta).toBe(1);
      expect(q.efficient).toBe(false);
      expect(q.inputSlacks).toEqual([0, expect.closeTo(1, 9)]);
      expect(q.inputTargets).toEqual([1, expect.closeTo(1, 9)]);
      expect(q.peers).toEqual([{ name: 'P', lambda: 1 }]);
    }
  });

  it('an output slack: the frontier produces more of one output at the same inputs', () => {
    // S matches R's inputs and first output but makes 1 less of the second.
    const units = [
      { name: 'R', inputs: [2], outputs: [2, 2] },
      { name: 'S', inputs: [2], outputs: [2, 1] },
    ];
    const s = evaluateEfficiency(units, 'ccr', solver)[1];
    expect(s.theta).toBe(1);
    expect(s.efficient).toBe(false);
    expect(s.outputSlacks).toEqual([0, expect.closeTo(1, 9)]);
    expect(s.outputTargets).toEqual([2, expect.closeTo(2, 9)]);
  });
});

describe('DEA refuses what it cannot evaluate, naming the field', () => {
  const field = (units: DecisionMakingUnit[]) => {
    try {
      validateUnits(units);
      return undefined;
    } catch (error) {
      return error instanceof DeaInputError ? error.field : String(error);
    }
  };
  it.each([
    ['no units', [], 'units'],
    ['mismatched inputs', [handChecked[0], { name: 'X', inputs: [1, 2], outputs: [1] }], 'units.1.inputs'],
    ['a negative output', [handChecked[0], { name: 'X', inputs: [1], outputs: [-1] }], 'units.1.outputs.0'],
    ['NaN', [{ name: 'X', inputs: [NaN], outputs: [1] }], 'units.0.inputs.0'],
    ['a unit that uses nothing', [handChecked[0], { name: 'X', inputs: [0], outputs: [1] }], 'units.1.inputs'],
    ['a name twice', [handChecked[0], handChecked[0]], 'units.1.name'],
  ] as [string, DecisionMakingUnit[], string][])('%s', (_, units, expected) => {
    expect(field(units)).toBe(expected);
  });
});
