import type { Scenario } from '../core/model.js';
import { toCents } from '../core/money.js';
import type { PlanCostOnly } from '../core/planner/building-moves.js';
import {
  buildingMoves,
  buildingValues,
  planCost,
  withBuildingOnline,
} from '../core/planner/building-moves.js';
import { capacityValues } from '../core/planner/capacity-value.js';
import type { Plan } from '../core/planner/plan.js';
import type { PlannerChoice } from '../core/planner/planner.js';
import { choosePlanner } from '../core/planner/planner.js';
import { buildProblem } from '../core/planner/problem.js';
import { planFromRelaxation } from '../core/planner/relaxed.js';
import type { ValueReport } from '../core/planner/value-json.js';
import { createHighsSolver } from './highs-solver.js';
import type { PlanPool } from './plan-pool.js';

export interface ValueOfOptions {
  readonly planner: PlannerChoice;
  readonly timeLimitSeconds?: number;
}

/**
 * What capacity is worth in a scenario, given its base plan: the capacity duals, and every
 * building move re-planned — first from two LPs in this thread (`planFromRelaxation`, exact
 * plans only), the rest on the pool's worker threads the way `stargate plan` plans, handed to
 * the pool as soon as the LPs give up on them so that both run at once. `pool` is called
 * only when a move needs it; the caller owns (and closes) the pool.
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
  const capacity = capacityValues(buildProblem(scenario), base, solver);
  const moves = buildingMoves(scenario);
  // Only each plan's cost and bound are kept: a large portfolio's plans hold gigabytes.
  const plans: (PlanCostOnly | undefined)[] = [];
  const pending: Promise<void>[] = [];
  let threads = 0;
  let fromLps = 0;
  let failure: Error | undefined;
  for (const [i, move] of moves.entries()) {
    if (move.months === 0) continue;
    const moved = withBuildingOnline(scenario, move.building, move.online);
    const problem = buildProblem(moved);
    const plan =
      choosePlanner(problem, options.planner) === 'exact'
        ? planFromRelaxation(problem, solver, base)
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
  await Promise.all(pending);
  if (failure) throw failure;
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
    replans: `${plural(fromLps + pending.length, 'plan')}: ${fromLps} exact from two LPs, ${
      pending.length === 0
        ? 'none by the planner'
        : `${pending.length} by the planner on ${plural(threads, 'worker thread')}`
    }`,
  };
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
