/**
 * What DEA needs from a linear-programming solver: a model in CPLEX LP format in, the status, the
 * objective and the value of each variable out. HiGHS (highs-solver.ts) is the one the CRM uses;
 * tests may pass another.
 */
export interface LpSolution {
  /** `Optimal` when a solution was proved optimal (HiGHS' model status text). */
  readonly status: string;
  readonly objective: number;
  /** By variable name; a variable the solver left out of its answer (it appeared nowhere) is 0. */
  readonly values: Readonly<Record<string, number>>;
}

export interface LpSolver {
  solve(lp: string): LpSolution;
}
