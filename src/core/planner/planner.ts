import { planExact, SolverOverran } from './exact.js';
import { planFast } from './fast.js';
import type { FastOptions } from './fast.js';
import { finishPlan } from './finish.js';
import type { Plan } from './plan.js';
import type { PlacementProblem } from './problem.js';
import type { LinearSolver } from './solver.js';

export type PlannerChoice = 'auto' | 'exact' | 'fast';

/**
 * Up to this many eligible (workload, pool, month) triples, `auto` solves the mixed-integer
 * model exactly; above it, the fast planner answers. Measured in `npm run bench`: below this
 * size HiGHS proves optimality within seconds on a 2-core machine.
 */
export const EXACT_TRIPLE_LIMIT = 5_000;

export interface PlannerOptions {
  readonly planner: PlannerChoice;
  /** The exact solver; needed unless `planner` is `fast`. */
  readonly solver?: LinearSolver;
  readonly timeLimitSeconds?: number;
  /** For the fast planner: a clock and progress reports, both from the shell. */
  readonly fast?: FastOptions;
}

/** Which planner `auto` picks for a problem. */
export function choosePlanner(problem: PlacementProblem, choice: PlannerChoice): 'exact' | 'fast' {
  if (choice !== 'auto') return choice;
  return problem.triples.count <= EXACT_TRIPLE_LIMIT ? 'exact' : 'fast';
}

/**
 * Plans a problem with the exact or the fast planner. Both return a feasible plan with a
 * proven lower bound; the exact one proves optimality within its gap. When the exact solver
 * runs past its time limit and is stopped, the fast planner answers, and the plan's
 * `solver.note` says so.
 */
export function planProblem(problem: PlacementProblem, options: PlannerOptions): Plan {
  const method = choosePlanner(problem, options.planner);
  if (method === 'fast') return planFastly(problem, options.fast ?? {});
  if (!options.solver) throw new Error('the exact planner needs a solver');
  try {
    return planExact(problem, options.solver, {
      ...(options.timeLimitSeconds === undefined
        ? {}
        : { timeLimitSeconds: options.timeLimitSeconds }),
    });
  } catch (error) {
    if (!(error instanceof SolverOverran)) throw error;
    // The fast planner answers in seconds; with the time already spent it runs without a
    // deadline, so this plan is the one `--solver fast` gives, byte for byte. The report says
    // why it is not exact.
    const { iterations, onProgress } = options.fast ?? {};
    const fast: FastOptions = {
      ...(iterations === undefined ? {} : { iterations }),
      ...(onProgress === undefined ? {} : { onProgress }),
    };
    return planFastly(problem, fast, `${error.message}; this is the fast planner's plan`);
  }
}

function planFastly(problem: PlacementProblem, options: FastOptions, note?: string): Plan {
  const result = planFast(problem, options);
  return finishPlan(problem, result.placements, {
    method: 'fast',
    status: result.stoppedByDeadline ? 'time-limit' : 'feasible',
    boundSource: 'lagrangian',
    bound: result.bound,
    ...(note === undefined ? {} : { note }),
  });
}
