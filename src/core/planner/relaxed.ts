import { fixGangChoices } from './capacity-value.js';
import { buildExactModel, readPlacements } from './exact.js';
import type { ExactModel } from './exact.js';
import { finishPlan } from './finish.js';
import type { Plan } from './plan.js';
import type { PlacementProblem } from './problem.js';
import type { LinearSolver } from './solver.js';

/** How far from a whole number an LP value may be and still count as one. */
const INTEGRAL_TOLERANCE = 1e-7;

/** The relative gap at which a plan counts as optimal: `planExact`'s default. */
const RELATIVE_GAP = 1e-6;

/**
 * An exact plan from two LPs instead of a branch and bound, when they prove one: the LP
 * relaxation gives a lower bound L; if its optimum is integral it is the plan. Otherwise
 * the LP with `hint`'s gang choices fixed is solved; if its optimum is integral it is a
 * feasible plan of cost C, and when C − L is within `planExact`'s relative gap (1e-6) it is
 * as proven as HiGHS's own. Undefined when neither holds (the caller runs `planExact`).
 *
 * Meant for re-planning a scenario a little changed from `hint`'s (a building moved a
 * month): the gang choices rarely change, and two LPs take tens of milliseconds where the
 * mixed-integer solve takes about a second. Its plan may differ from `planExact`'s where
 * several plans are optimal.
 */
export function planFromRelaxation(
  problem: PlacementProblem,
  solver: LinearSolver,
  hint: Plan,
): Plan | undefined {
  const exact = buildExactModel(problem);
  const relaxed = solver.solve(exact.model, { relax: true });
  if (relaxed.status !== 'optimal') return undefined;
  const bound = relaxed.objective;
  if (integral(exact, relaxed.values)) return finish(problem, exact, relaxed.values, bound);
  const fixed = fixGangChoices(problem, hint);
  if (typeof fixed === 'string') return undefined;
  const outcome = solver.solve(fixed.model, { relax: true });
  if (outcome.status !== 'optimal' || !integral(exact, outcome.values)) return undefined;
  if (outcome.objective - bound > RELATIVE_GAP * Math.abs(outcome.objective)) return undefined;
  return finish(problem, exact, outcome.values, bound);
}

function integral(exact: ExactModel, values: Float64Array): boolean {
  const { integer } = exact.model;
  for (let j = 0; j < integer.length; j++) {
    if (integer[j] !== 1) continue;
    const value = values[j] ?? 0;
    if (Math.abs(value - Math.round(value)) > INTEGRAL_TOLERANCE) return false;
  }
  return true;
}

function finish(
  problem: PlacementProblem,
  exact: ExactModel,
  values: Float64Array,
  bound: number,
): Plan {
  return finishPlan(problem, readPlacements(problem, exact, values), {
    method: 'exact',
    status: 'optimal',
    boundSource: 'mip',
    bound,
  });
}
