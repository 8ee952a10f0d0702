import type { LpSolver } from './lp-solver';

/**
 * Data envelopment analysis (Charnes, Cooper & Rhodes 1978; Banker, Charnes & Cooper 1984), the
 * input-oriented envelopment form: how far could a unit shrink all its inputs at once and still
 * produce its outputs, if it worked like a combination of the others?
 *
 *   phase 1  min θ  s.t.  Σⱼ λⱼ xᵢⱼ ≤ θ xᵢₒ (each input i),  Σⱼ λⱼ yᵣⱼ ≥ yᵣₒ (each output r),  λ ≥ 0
 *            BCC (variable returns to scale) adds Σⱼ λⱼ = 1.
 *   phase 2  θ fixed at θ*:  max Σ s⁻ + Σ s⁺  s.t.  Σⱼ λⱼ xᵢⱼ + s⁻ᵢ = θ* xᵢₒ,  Σⱼ λⱼ yᵣⱼ − s⁺ᵣ = yᵣₒ  (the same convexity row)
 *
 * Targets (the projection on the frontier): x̂ = θ* x − s⁻, ŷ = y + s⁺. A unit is efficient
 * (Pareto–Koopmans) when θ* = 1 and every slack is 0; θ* = 1 with a slack is only weakly efficient.
 * Peers are the units with λ > 0 in phase 2's solution.
 *
 * Each input and output is divided by its largest value before solving (θ, λ and the peers do not
 * change — DEA is units-invariant — but a cost in cents beside a head count would otherwise make the
 * LP badly scaled); slacks and targets are given back in the caller's units.
 */

export type DeaModel = 'ccr' | 'bcc';

export interface DecisionMakingUnit {
  readonly name: string;
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
}

export interface DeaUnitResult {
  readonly name: string;
  /** Input-oriented efficiency, 0 < θ ≤ 1 (1: on the frontier). */
  readonly theta: number;
  /** θ = 1 and no slack. */
  readonly efficient: boolean;
  /** The units the target is a combination of, with their weights (λ > 0), largest first. */
  readonly peers: readonly { name: string; lambda: number }[];
  readonly inputSlacks: readonly number[];
  readonly outputSlacks: readonly number[];
  /** θ x − s⁻: what the unit would use on the frontier. */
  readonly inputTargets: readonly number[];
  /** y + s⁺. */
  readonly outputTargets: readonly number[];
}

export interface ScaleEfficiency {
  readonly name: string;
  readonly ccr: number;
  readonly bcc: number;
  /** CCR θ / BCC θ: 1 when the unit works at its most productive size. */
  readonly scale: number;
}

/** A unit set DEA cannot evaluate; `field` names what is wrong (`units.2.inputs.1`). */
export class DeaInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

/**
 * Limits that bound one evaluation: 2 LPs per unit, each about 20 ms in HiGHS-WASM at 200 units
 * (a fresh solver per solve), so 100 units under one model take about 2–4 s of one core.
 */
export const DEA_LIMITS = { maxUnits: 100, maxInputs: 10, maxOutputs: 10 } as const;

const TOLERANCE = 1e-7;

export function validateUnits(units: readonly DecisionMakingUnit[]): void {
  if (units.length === 0) throw new DeaInputError('units', 'at least one unit is needed');
  if (units.length > DEA_LIMITS.maxUnits) throw new DeaInputError('units', `at most ${DEA_LIMITS.maxUnits} units`);
  const m = units[0].inputs.length;
  const s = units[0].outputs.length;
  if (m === 0) throw new DeaInputError('units.0.inputs', 'at least one input');
  if (s === 0) throw new DeaInputError('units.0.outputs', 'at least one output');
  if (m > DEA_LIMITS.maxInputs) throw new DeaInputError('units.0.inputs', `at most ${DEA_LIMITS.maxInputs} inputs`);
  if (s > DEA_LIMITS.maxOutputs) throw new DeaInputError('units.0.outputs', `at most ${DEA_LIMITS.maxOutputs} outputs`);
  const names = new Set<string>();
  units.forEach((u, j) => {
    if (names.has(u.name)) throw new DeaInputError(`units.${j}.name`, `"${u.name}" is named twice`);
    names.add(u.name);
    if (u.inputs.length !== m) throw new DeaInputError(`units.${j}.inputs`, `every unit has the same ${m} inputs`);
    if (u.outputs.length !== s) throw new DeaInputError(`units.${j}.outputs`, `every unit has the same ${s} outputs`);
    u.inputs.forEach((v, i) => checkValue(v, `units.${j}.inputs.${i}`));
    u.outputs.forEach((v, r) => checkValue(v, `units.${j}.outputs.${r}`));
    // θ x ≥ Σ λ x cannot say anything about a unit that uses nothing.
    if (u.inputs.every((v) => v === 0)) throw new DeaInputError(`units.${j}.inputs`, 'a unit needs at least one input above 0');
  });
}

function checkValue(v: number, field: string): void {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new DeaInputError(field, 'must be a finite number');
  if (v < 0) throw new DeaInputError(field, 'must not be negative');
}

/** θ, peers, slacks and targets of every unit under one model (input-oriented). */
export function evaluateEfficiency(units: readonly DecisionMakingUnit[], model: DeaModel, solver: LpSolver): DeaUnitResult[] {
  validateUnits(units);
  const m = units[0].inputs.length;
  const s = units[0].outputs.length;
  const inScale = Array.from({ length: m }, (_, i) => Math.max(...units.map((u) => u.inputs[i])) || 1);
  const outScale = Array.from({ length: s }, (_, r) => Math.max(...units.map((u) => u.outputs[r])) || 1);
  const X = units.map((u) => u.inputs.map((v, i) => v / inScale[i]));
  const Y = units.map((u) => u.outputs.map((v, r) => v / outScale[r]));
  return units.map((unit, o) => {
    const theta = solvePhaseOne(X, Y, o, model, solver);
    const { lambdas, inputSlacks, outputSlacks } = solvePhaseTwo(X, Y, o, theta, model, solver);
    const sMinus = inputSlacks.map((v, i) => clean(v * inScale[i]));
    const sPlus = outputSlacks.map((v, r) => clean(v * outScale[r]));
    const efficient = theta >= 1 - 1e-6 && [...inputSlacks, ...outputSlacks].every((v) => v <= 1e-6);
    return {
      name: unit.name,
      theta: clean(theta),
      efficient,
      peers: lambdas
        .map((lambda, j) => ({ name: units[j].name, lambda: clean(lambda) }))
        .filter((p) => p.lambda > 1e-9)
        .sort((a, b) => b.lambda - a.lambda),
      inputSlacks: sMinus,
      outputSlacks: sPlus,
      inputTargets: unit.inputs.map((x, i) => clean(theta * x - sMinus[i])),
      outputTargets: unit.outputs.map((y, r) => clean(y + sPlus[r])),
    };
  });
}

/** CCR and BCC θ of every unit and their ratio, the scale efficiency. */
export function scaleEfficiencies(units: readonly DecisionMakingUnit[], solver: LpSolver): ScaleEfficiency[] {
  const ccr = evaluateEfficiency(units, 'ccr', solver);
  const bcc = evaluateEfficiency(units, 'bcc', solver);
  return ccr.map((c, j) => ({ name: c.name, ccr: c.theta, bcc: bcc[j].theta, scale: clean(c.theta / bcc[j].theta) }));
}

function solvePhaseOne(X: number[][], Y: number[][], o: number, model: DeaModel, solver: LpSolver): number {
  const rows: string[] = [];
  X[o].forEach((xo, i) => {
    const terms = lambdaTerms(X.map((x) => x[i]));
    if (xo > 0) terms.push(`- ${num(xo)} theta`);
    if (terms.length > 0) rows.push(`in${i}: ${join(terms)} <= 0`);
  });
  Y[o].forEach((yo, r) => {
    const terms = lambdaTerms(Y.map((y) => y[r]));
    if (terms.length > 0) rows.push(`out${r}: ${join(terms)} >= ${num(yo)}`);
  });
  if (model === 'bcc') rows.push(`convexity: ${join(X.map((_, j) => `l${j}`))} = 1`);
  const lp = ['Minimize', ' obj: theta', 'Subject To', ...rows.map((r) => ` ${r}`), 'Bounds', ' theta >= 0', 'End', ''].join('\n');
  const r = solver.solve(lp);
  if (r.status !== 'Optimal') throw new Error(`DEA phase 1 for unit ${o}: the solver answered ${r.status}`);
  return Math.min(1, r.values['theta'] ?? 0);
}

function solvePhaseTwo(
  X: number[][],
  Y: number[][],
  o: number,
  theta: number,
  model: DeaModel,
  solver: LpSolver,
): { lambdas: number[]; inputSlacks: number[]; outputSlacks: number[] } {
  const m = X[o].length;
  const s = Y[o].length;
  const rows: string[] = [];
  for (let i = 0; i < m; i++) rows.push(`in${i}: ${join([...lambdaTerms(X.map((x) => x[i])), `sm${i}`])} = ${num(theta * X[o][i])}`);
  for (let r = 0; r < s; r++) rows.push(`out${r}: ${join([...lambdaTerms(Y.map((y) => y[r])), `- sp${r}`])} = ${num(Y[o][r])}`);
  if (model === 'bcc') rows.push(`convexity: ${join(X.map((_, j) => `l${j}`))} = 1`);
  const objective = join([...Array.from({ length: m }, (_, i) => `sm${i}`), ...Array.from({ length: s }, (_, r) => `sp${r}`)]);
  const lp = ['Maximize', ` obj: ${objective}`, 'Subject To', ...rows.map((r) => ` ${r}`), 'End', ''].join('\n');
  const r = solver.solve(lp);
  if (r.status !== 'Optimal') {
    // θ* from phase 1 makes phase 2 feasible (λ of phase 1 with the slacks it leaves); not solving
    // it is a solver fault, reported rather than answered with made-up targets.
    throw new Error(`DEA phase 2 for unit ${o}: the solver answered ${r.status}`);
  }
  const v = (name: string) => Math.max(0, r.values[name] ?? 0);
  return {
    lambdas: X.map((_, j) => v(`l${j}`)),
    inputSlacks: Array.from({ length: m }, (_, i) => (v(`sm${i}`) < TOLERANCE ? 0 : v(`sm${i}`))),
    outputSlacks: Array.from({ length: s }, (_, k) => (v(`sp${k}`) < TOLERANCE ? 0 : v(`sp${k}`))),
  };
}

/** `c lj` for every unit with a coefficient (a unit with 0 adds nothing to the row). */
function lambdaTerms(coefficients: number[]): string[] {
  return coefficients.flatMap((c, j) => (c === 0 ? [] : [`${num(c)} l${j}`]));
}

function join(terms: string[]): string {
  return terms.map((t, k) => (k === 0 || t.startsWith('- ') ? t : `+ ${t}`)).join(' ');
}

/** A coefficient as the LP format reads it (no exponent notation, 15 significant digits). */
function num(v: number): string {
  if (v === 0) return '0';
  const fixed = v.toFixed(15);
  return fixed.replace(/\.?0+$/, '');
}

/** Rounds away the solver's last digits (0.8333333333333334 stays, 0.99999999997 becomes 1). */
function clean(v: number): number {
  const r = Math.round(v * 1e9) / 1e9;
  return Object.is(r, -0) ? 0 : r;
}
