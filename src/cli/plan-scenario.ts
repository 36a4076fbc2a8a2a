import type { Scenario } from '../core/model.js';
import type { Plan } from '../core/planner/plan.js';
import type { PlannerChoice, PlanPurpose } from '../core/planner/planner.js';
import { choosePlanner, planProblem } from '../core/planner/planner.js';
import { buildProblem } from '../core/planner/problem.js';
import { mayUseSolver } from '../core/planner/fast.js';
import type { Io } from './io.js';
import { progressBar } from './progress.js';

/**
 * Plans a scenario for a command: `auto` picks HiGHS or the fast planner by what the plan is
 * for (`choosePlanner`: `plan`, `ledger` and `risk` act on it, `diff` and `value` compare it),
 * with a progress bar on a terminal while the fast planner works.
 */
export async function planScenario(
  scenario: Scenario,
  io: Io,
  options: { purpose: PlanPurpose; planner?: PlannerChoice; timeLimitSeconds?: number },
): Promise<Plan> {
  const problem = buildProblem(scenario);
  const method = choosePlanner(problem, options.planner ?? 'auto', options.purpose);
  const progress = io.errIsTTY && method === 'fast' ? progressBar(io) : undefined;
  const { timeLimitSeconds } = options;
  const plan = planProblem(problem, {
    planner: method,
    // HiGHS's wrapper loads only when it may be used: for the fast planner, where it may
    // solve sub-MIPs over the gang runs, and HiGHS itself only when it does. Compiled for the
    // sub-MIPs' many short solves there, where the plan is to act on; not for a plan to
    // compare (`diff`, `value`), whose command may solve exactly afterwards, nor for an exact
    // solve (`manyShortSolves`: once set, the setting holds for the whole process).
    ...(method === 'exact' || mayUseSolver(problem)
      ? {
          solver: await (
            await import('../solver/highs-solver.js')
          ).createHighsSolver({
            lazy: method === 'fast',
            manyShortSolves: method === 'fast' && options.purpose === 'plan',
          }),
        }
      : {}),
    ...(timeLimitSeconds === undefined ? {} : { timeLimitSeconds }),
    fast: {
      ...(timeLimitSeconds === undefined
        ? {}
        : {
            deadline: {
              now: () => performance.now(),
              at: performance.now() + timeLimitSeconds * 1000,
            },
          }),
      ...(progress ? { onProgress: progress.update } : {}),
    },
  });
  progress?.done();
  return plan;
}
