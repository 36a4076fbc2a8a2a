import type { Scenario } from '../core/model.js';
import { toCents } from '../core/money.js';
import type { PlanCostOnly } from '../core/planner/building-moves.js';
import {
  buildingMoves,
  buildingValues,
  keepsPlan,
  planCost,
  withBuildingOnline,
} from '../core/planner/building-moves.js';
import { capacityValues } from '../core/planner/capacity-value.js';
import { planFastState } from '../core/planner/fast.js';
import { FastReplanner } from '../core/planner/fast-replan.js';
import type { Plan } from '../core/planner/plan.js';
import type { PlannerChoice } from '../core/planner/planner.js';
import { choosePlanner } from '../core/planner/planner.js';
import { buildProblem } from '../core/planner/problem.js';
import { planFromRelaxation } from '../core/planner/relaxed.js';
import type { ValueReport } from '../core/planner/value-json.js';
import { verifyPlan } from '../core/planner/verify.js';
import { createHighsSolver } from './highs-solver.js';
import type { PlanPool } from './plan-pool.js';

export interface ValueOfOptions {
  readonly planner: PlannerChoice;
  readonly timeLimitSeconds?: number;
}

/**
 * What capacity is worth in a scenario, given its base plan: the capacity duals, and every
 * building move re-planned, the cheapest way that gives a checked plan and a proven bound:
 *
 * 1. a late move where the base plan places nothing on the building's pools in the months lost
 *    keeps the base plan (`keepsPlan`; checked against the moved scenario);
 * 2. where the planner chosen for the scenario is the fast one (`choosePlanner`), the rest are
 *    re-planned from the base plan in the months they touch (`FastReplanner`, from the fast
 *    planner's state, run once more), in this thread;
 * 3. otherwise from two LPs in this thread (`planFromRelaxation`, exact plans only), and what
 *    they do not settle on the pool's worker threads, planned to compare (`runPlanTask`),
 *    handed to the pool as soon as the LPs give up on them, so that both run at once.
 *
 * The capacity LP is solved after the moves are handed out, while the pool works. `pool` is
 * called only when a move needs it; the caller owns (and closes) the pool.
 */
export async function valueOfScenario(
  scenario: Scenario,
  base: Plan,
  pool: () => PlanPool,
  options: ValueOfOptions,
): Promise<ValueReport> {
  const planning = {
    planner: options.planner,
    ...(options.timeLimitSeconds === undefined
      ? {}
      : { timeLimitSeconds: options.timeLimitSeconds }),
  };
  const solver = await createHighsSolver();
  const problem = buildProblem(scenario);
  const fastBase = choosePlanner(problem, options.planner, 'compare') === 'fast';
  let replanner: FastReplanner | undefined;
  const moves = buildingMoves(scenario);
  // Only each plan's cost and bound are kept: a large portfolio's plans hold gigabytes.
  const plans: (PlanCostOnly | undefined)[] = [];
  const pending: Promise<void>[] = [];
  let threads = 0;
  let kept = 0;
  let fromBase = 0;
  let fromLps = 0;
  let failure: Error | undefined;
  for (const [i, move] of moves.entries()) {
    if (move.months === 0) continue;
    const moved = withBuildingOnline(scenario, move.building, move.online);
    if (keepsPlan(scenario, moved, base)) {
      const violations = verifyPlan(moved, base.assignments);
      if (violations.length > 0) {
        throw new Error(`the base plan breaks the moved scenario: ${violations[0] ?? ''}`);
      }
      plans[i] = planCost(base);
      kept++;
      continue;
    }
    if (fastBase) {
      replanner ??= new FastReplanner(scenario, base, planFastState(problem).state);
      const plan = replanner.replan(moved);
      if (plan) {
        plans[i] = plan;
        fromBase++;
        continue;
      }
    }
    const movedProblem = buildProblem(moved);
    const plan =
      choosePlanner(movedProblem, options.planner, 'compare') === 'exact'
        ? planFromRelaxation(movedProblem, solver, base)
        : undefined;
    if (plan) {
      plans[i] = planCost(plan);
      fromLps++;
    } else {
      const workers = pool();
      threads = workers.threads;
      // Caught here, thrown below: a plan that fails while this loop runs is not left
      // unhandled.
      pending.push(
        workers.plan({ scenario: moved, ...planning }).then(
          (p) => {
            plans[i] = planCost(p);
          },
          (error: unknown) => {
            failure ??= error instanceof Error ? error : new Error(String(error));
          },
        ),
      );
    }
    // Lets the pool hand out its tasks between two LP solves.
    await new Promise((resolve) => setImmediate(resolve));
  }
  const capacity = capacityValues(problem, base, solver);
  await Promise.all(pending);
  if (failure) throw failure;
  // How each move was settled; a way no move took is left out, but the planner's count.
  const counts = [
    ...(kept > 0 ? [`${kept} kept the base plan (it places nothing in the months lost)`] : []),
    ...(fromBase > 0 ? [`${fromBase} re-planned from the base plan in the months touched`] : []),
    ...(fromLps > 0 || !fastBase ? [`${fromLps} exact from two LPs`] : []),
    pending.length === 0
      ? 'none by the planner'
      : `${pending.length} by the planner on ${plural(threads, 'worker thread')}`,
  ];
  return {
    scenario: scenario.name,
    plan: {
      method: base.solver.method,
      status: base.solver.status,
      total: toCents(base.objective.total),
      lowerBound: base.lowerBound,
    },
    capacity,
    buildings: buildingValues(scenario, base, moves, plans),
    replans: `${plural(kept + fromBase + fromLps + pending.length, 'plan')}: ${counts.join(', ')}`,
  };
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
