import { solveExact } from './exact.js';
import { planFast } from './fast.js';
import type { FastOptions } from './fast.js';
import { finishPlan } from './finish.js';
import { formatUSD, toCents } from '../money.js';
import type { Plan } from './plan.js';
import type { PlacementProblem } from './problem.js';
import type { LinearSolver } from './solver.js';

export type PlannerChoice = 'auto' | 'exact' | 'fast';

/**
 * What a plan is for, which decides what `auto` picks:
 *
 * - `plan`: the plan of a scenario file, to act on (`stargate plan`, `ledger`, `risk`). The fast
 *   planner answers, but for the smallest problems (at most {@link EXACT_PLAN_TRIPLE_LIMIT}
 *   triples), where HiGHS proves the optimum in a blink. Measured in `npm run bench:families`
 *   (docs/planner.md, "Families"): no size tells an easy model from a hard one — HiGHS needs
 *   0.03 s on one 959-triple portfolio and 7 s on a 1,331-triple one, all of it at the root —
 *   while the fast planner answered every small family in at most 0.11 s in process, within
 *   0.01 % of HiGHS's proven optimum, and every proven medium one within 0.1 %.
 * - `compare`: a plan to be compared with the plan of a changed scenario (`diff`, `value`,
 *   clause prices, what-if answers) — and the server's stored plans, which what-ifs and the
 *   re-solves of the decision jobs are compared with. There a difference of two proven optima
 *   is exact where a difference of two fast plans is an interval as wide as their gaps, so
 *   HiGHS answers up to {@link EXACT_TRIPLE_LIMIT} triples, and the fast planner above.
 */
export type PlanPurpose = 'plan' | 'compare';

/** Up to this many eligible (workload, pool, month) triples, `auto` plans exactly to act on. */
export const EXACT_PLAN_TRIPLE_LIMIT = 200;

/** Up to this many triples, `auto` plans exactly to compare (about a second for HiGHS on most). */
export const EXACT_TRIPLE_LIMIT = 2_000;

export interface PlannerOptions {
  /** The planner, as `choosePlanner` picked it. */
  readonly planner: 'exact' | 'fast';
  /**
   * The exact solver; needed unless `planner` is `fast`. The fast planner solves its sub-MIPs
   * over the gang runs on it where it is given (`FastOptions.solver`); give one that loads on
   * first use (HiGHS's `lazy`), so that a fast plan without them does not load it.
   */
  readonly solver?: LinearSolver;
  readonly timeLimitSeconds?: number;
  /** For the fast planner: a clock and progress reports, both from the shell. */
  readonly fast?: FastOptions;
}

/** Which planner `auto` picks for a problem, given what the plan is for. */
export function choosePlanner(
  problem: PlacementProblem,
  choice: PlannerChoice,
  purpose: PlanPurpose,
): 'exact' | 'fast' {
  if (choice !== 'auto') return choice;
  const limit = purpose === 'plan' ? EXACT_PLAN_TRIPLE_LIMIT : EXACT_TRIPLE_LIMIT;
  return problem.triples.count <= limit ? 'exact' : 'fast';
}

/**
 * Plans a problem with the exact or the fast planner. Both return a feasible plan with a
 * proven lower bound; the exact one proves optimality within its gap.
 *
 * When the exact solver stops at its time limit, its plan may be poor (it may not have
 * begun its search), so the fast planner runs too and the cheaper plan is given, with the
 * higher of the two proven bounds. When the exact solver overran its limit and was stopped,
 * the fast planner's plan is given. Either way `solver.exact` says what HiGHS did and
 * `solver.note` says why the plan is the fast planner's.
 */
export function planProblem(problem: PlacementProblem, options: PlannerOptions): Plan {
  const { solver } = options;
  if (options.planner === 'fast') {
    return planFastly(problem, { ...options.fast, ...(solver ? { solver } : {}) });
  }
  if (!solver) throw new Error('the exact planner needs a solver');
  const limit = options.timeLimitSeconds;
  // When the fast planner answers for HiGHS, the time is spent already: it runs to its end
  // without a deadline, so its placements are those `--solver fast` gives.
  const { iterations, onProgress } = options.fast ?? {};
  const fastOptions: FastOptions = {
    ...(iterations === undefined ? {} : { iterations }),
    ...(onProgress === undefined ? {} : { onProgress }),
    solver,
  };
  const outcome = solveExact(
    problem,
    solver,
    limit === undefined ? {} : { timeLimitSeconds: limit },
  );
  if (outcome.status === 'overran' || outcome.status === 'failed') {
    const fast = planFastly(problem, fastOptions);
    const why = outcome.status === 'failed' ? `HiGHS failed: ${outcome.message}` : outcome.message;
    return {
      ...fast,
      solver: {
        ...fast.solver,
        note: `${why}; this is the fast planner's plan`,
        exact: { status: outcome.status },
      },
    };
  }
  const exact = outcome.plan;
  if (exact.solver.status !== 'time-limit') return exact;
  const fast = planFastly(problem, fastOptions);
  const bound = fast.lowerBound > exact.lowerBound ? fast : exact;
  if (exact.objective.total <= fast.objective.total) {
    return {
      ...exact,
      lowerBound: bound.lowerBound,
      solver: { ...exact.solver, boundSource: bound.solver.boundSource },
    };
  }
  return {
    ...fast,
    lowerBound: bound.lowerBound,
    solver: {
      ...fast.solver,
      boundSource: bound.solver.boundSource,
      note: `HiGHS stopped at its ${limit ?? 0} s time limit with a plan costing ${formatUSD(toCents(exact.objective.total))}; this is the fast planner's plan, which costs less`,
      exact: { status: 'time-limit', total: exact.objective.total },
    },
  };
}

function planFastly(problem: PlacementProblem, options: FastOptions): Plan {
  const result = planFast(problem, options);
  return finishPlan(problem, result.placements, {
    method: 'fast',
    status: result.stoppedByDeadline ? 'time-limit' : 'feasible',
    boundSource: 'lagrangian',
    bound: result.bound,
  });
}
