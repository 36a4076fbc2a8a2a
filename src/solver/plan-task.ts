import type { Scenario } from '../core/model.js';
import type { Plan } from '../core/planner/plan.js';
import type { PlannerChoice } from '../core/planner/planner.js';
import { choosePlanner, planProblem } from '../core/planner/planner.js';
import { buildProblem } from '../core/planner/problem.js';
import { createHighsSolver } from './highs-solver.js';

/** One plan to compute, as plain data: what a worker thread receives. */
export interface PlanTask {
  readonly scenario: Scenario;
  readonly planner: PlannerChoice;
  readonly timeLimitSeconds?: number;
}

/**
 * Plans a scenario to compare its plan with others (clause prices, building values, what-if
 * answers): `auto` is exact on HiGHS up to 2,000 triples, fast above (`choosePlanner`'s
 * `compare`), with no progress bar: for a worker thread, or in process. The plan is checked
 * against the scenario's rules (`verifyPlan`) as every plan is.
 */
export async function runPlanTask({
  scenario,
  planner,
  timeLimitSeconds,
}: PlanTask): Promise<Plan> {
  const problem = buildProblem(scenario);
  const method = choosePlanner(problem, planner, 'compare');
  return planProblem(problem, {
    planner: method,
    // HiGHS is loaded once per thread: the next task on this worker reuses it.
    // For the fast planner, HiGHS loads only if it solves sub-MIPs over the gang runs.
    // Not `manyShortSolves`: that setting is the process's, and this process's later plans
    // and solves, exact ones among them, would be slowed by it (highs-run.ts).
    solver: await createHighsSolver({ lazy: method === 'fast' }),
    ...(timeLimitSeconds === undefined ? {} : { timeLimitSeconds }),
    fast:
      timeLimitSeconds === undefined
        ? {}
        : {
            deadline: {
              now: () => performance.now(),
              at: performance.now() + timeLimitSeconds * 1000,
            },
          },
  });
}
