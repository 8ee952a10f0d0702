import type { LpSolver } from './lp-solver';

/**
 * HiGHS (University of Edinburgh, compiled to WebAssembly; npm `highs`) as the LP solver. The
 * module is compiled once per process (the first call) and every solve runs on a fresh native
 * instance, so concurrent requests share nothing but the compiled code. The .wasm sits beside the
 * package's loader and is found by it under Node (no `locateFile` needed; tested under Jest).
 */
let loading: Promise<LpSolver> | undefined;

export function loadHighsSolver(): Promise<LpSolver> {
  loading ??= (async () => {
    const highs = await (await import('highs')).default();
    return {
      solve(lp: string) {
        const r = highs.solve(lp);
        const values: Record<string, number> = {};
        for (const [name, column] of Object.entries(r.Columns ?? {})) {
          const primal = (column as { Primal?: number }).Primal;
          if (typeof primal === 'number') values[name] = primal;
        }
        return { status: r.Status, objective: r.ObjectiveValue, values };
      },
    };
  })().catch((error: unknown) => {
    loading = undefined; // a failed load is retried by the next caller rather than remembered
    throw error;
  });
  return loading;
}
