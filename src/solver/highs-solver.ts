import type * as HighsModule from 'highs';
import type {
  LinearModel,
  LinearSolver,
  SolveOptions,
  SolveOutcome,
} from '../core/planner/solver.js';

// The package's types describe a CommonJS module while Node loads its ES build; both agree
// on the loader being the `default` member of the namespace.
type Highs = Awaited<ReturnType<(typeof HighsModule)['default']>>;

let loading: Promise<Highs> | undefined;

/**
 * Loads the HiGHS WebAssembly module once per process, and its JavaScript only then: a
 * command that never solves exactly (`plan --solver fast`) does not pay for it.
 */
function loadHighs(): Promise<Highs> {
  loading ??= import('highs').then((module) => module.default());
  return loading;
}

/**
 * The `LinearSolver` port on HiGHS (WebAssembly, single-threaded). Deterministic: same model
 * and options, same answer. Loads the module on first use.
 */
export async function createHighsSolver(): Promise<LinearSolver> {
  const highs = await loadHighs();
  const finite = (values: Float64Array) =>
    Float64Array.from(values, (v) =>
      v === Infinity ? highs.infinity : v === -Infinity ? -highs.infinity : v,
    );

  function solve(model: LinearModel, options: SolveOptions): SolveOutcome {
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
        };
      }
      const hasSolution = Number(instance.info.get('primal_solution_status')) === 2; /* feasible */
      if (status === codes.infeasible) {
        return { status: 'infeasible', message: 'the model is infeasible' };
      }
      if (status !== codes.optimal && status !== codes.timeLimit) {
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
      return {
        status: status === codes.optimal ? 'optimal' : 'time-limit',
        values: Float64Array.from(instance.getSolution().colValue),
        objective,
        bound: Number.isFinite(bound) ? bound : -Infinity,
      };
    } finally {
      instance.dispose();
    }
  }

  return { name: 'HiGHS', solve };
}
