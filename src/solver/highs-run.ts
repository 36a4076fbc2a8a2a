import { setFlagsFromString } from 'node:v8';
import type * as HighsModule from 'highs';
import type { LinearModel, SolveOptions, SolveOutcome } from '../core/planner/solver.js';

/**
 * One solve on a loaded HiGHS: the solver thread's work (highs-worker.ts). Only that thread
 * loads HiGHS; the thread that plans never does.
 */

// The package's types describe a CommonJS module while Node loads its ES build; both agree
// on the loader being the `default` member of the namespace.
export type Highs = Awaited<ReturnType<(typeof HighsModule)['default']>>;

/**
 * V8 runs a WebAssembly function first as baseline code and compiles it optimised (on a
 * background thread) only once it has run for a while. The fast planner's sub-MIPs are many
 * short solves, most of them over before HiGHS's hot functions are optimised: asking for
 * optimised code from a function's first call took a `gang-heavy` 400 × 60 × 36 plan (seed 2)
 * from 2.82–3.22 s to 2.27–2.55 s whole command (2026-12-06, five runs each). It is only for
 * those: a long solve is much slower with it, HiGHS's exact plan of the same portfolio 100–105 s
 * against 57–59 s, the small `gang-heavy` seed 3 7.3–11.5 s against 6.4–7.4 s, and the fast
 * plan of `mixed` seed 2 10.6–13.3 s against 7.8–9.4 s (docs/planner.md, the latest family
 * table). The setting is V8's, for the whole process: every thread and every WebAssembly module,
 * and once set it stays. It changes how fast WebAssembly runs, never what it computes. A V8
 * without the flag ignores it, saying so on stderr.
 */
const TIER_UP_AT_FIRST_CALL = '--wasm-tiering-budget=1';

export interface LoadOptions {
  /** Optimised code from each function's first call: for many short solves only (above). */
  readonly manyShortSolves: boolean;
}

/** Loads the HiGHS WebAssembly module: its JavaScript, compiled, instantiated. */
export async function loadHighs(options: LoadOptions): Promise<Highs> {
  if (options.manyShortSolves) setFlagsFromString(TIER_UP_AT_FIRST_CALL);
  const module = await import('highs');
  return module.default();
}

/** Runs one solve on a loaded HiGHS; deterministic: same model and options, same answer. */
export function runHighs(highs: Highs, model: LinearModel, options: SolveOptions): SolveOutcome {
  const finite = (values: Float64Array) =>
    Float64Array.from(values, (v) =>
      v === Infinity ? highs.infinity : v === -Infinity ? -highs.infinity : v,
    );
  const relax = options.relax === true || !model.integer.includes(1);
  const instance = highs.createModel({
    numCols: model.numCols,
    numRows: model.numRows,
    offset: model.offset,
    colCost: model.colCost,
    colLower: finite(model.colLower),
    colUpper: finite(model.colUpper),
    rowLower: finite(model.rowLower),
    rowUpper: finite(model.rowUpper),
    matrix: {
      format: 'csr',
      numRows: model.numRows,
      numCols: model.numCols,
      starts: model.rowStarts,
      indices: model.rowIndex,
      values: model.rowValue,
    },
    ...(relax ? {} : { integrality: Int32Array.from(model.integer) }),
  });
  try {
    instance.options.set({
      output_flag: false,
      random_seed: 0,
      mip_rel_gap: options.relativeGap ?? 1e-6,
      ...(options.timeLimitSeconds === undefined ? {} : { time_limit: options.timeLimitSeconds }),
      ...(options.presolve === false ? { presolve: 'off' } : {}),
      ...(options.maxNodes === undefined ? {} : { mip_max_nodes: options.maxNodes }),
    });
    if (options.start && !relax) instance.setSolution({ colValue: options.start });
    instance.run();
    const status = instance.getModelStatus();
    const codes = highs.constants.modelStatus;
    // A model without columns (nothing eligible, no commitments) is not solved at all: its
    // optimum is the offset, and HiGHS reports it as empty rather than optimal.
    if (status === codes.empty) {
      return {
        status: 'optimal',
        values: new Float64Array(model.numCols),
        objective: model.offset,
        bound: model.offset,
        ...(options.duals === true ? { rowDuals: new Float64Array(model.numRows) } : {}),
      };
    }
    const hasSolution = Number(instance.info.get('primal_solution_status')) === 2; /* feasible */
    if (status === codes.infeasible) {
      return { status: 'infeasible', message: 'the model is infeasible' };
    }
    // A node limit (`maxNodes`) ends the search as a time limit does: with its best plan.
    const limited =
      status === codes.timeLimit ||
      (options.maxNodes !== undefined && status === codes.solutionLimit);
    if (status !== codes.optimal && !limited) {
      return { status: 'error', message: `HiGHS stopped with model status ${status}` };
    }
    if (!hasSolution) {
      return { status: 'no-solution', message: 'no feasible solution within the time limit' };
    }
    const objective = instance.getObjectiveValue();
    const bound = relax
      ? status === codes.optimal
        ? objective
        : -Infinity
      : Number(instance.info.get('mip_dual_bound'));
    const solution = instance.getSolution();
    const withDuals =
      relax &&
      options.duals === true &&
      status === codes.optimal &&
      (options.anyDuals === true ||
        Number(instance.info.get('dual_solution_status')) === 2); /* feasible */
    return {
      status: status === codes.optimal ? 'optimal' : 'time-limit',
      values: Float64Array.from(solution.colValue),
      objective,
      bound: Number.isFinite(bound) ? bound : -Infinity,
      ...(withDuals ? { rowDuals: Float64Array.from(solution.rowDual) } : {}),
    };
  } finally {
    instance.dispose();
  }
}
