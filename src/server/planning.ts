import { compileRules } from '../core/contracts.js';
import { parsePeriod } from '../core/period.js';
import type { Plan } from '../core/planner/plan.js';
import type { PlanJson } from '../core/planner/plan-json.js';
import { planToJson } from '../core/planner/plan-json.js';
import type { PlannerChoice } from '../core/planner/planner.js';
import { choosePlanner, planProblem } from '../core/planner/planner.js';
import { buildProblem } from '../core/planner/problem.js';
import { validateScenario } from '../scenario/parse.js';
import { createHighsSolver } from '../solver/highs-solver.js';
import type { Tx } from '../store/db.js';
import { ConflictProblems, exportScenario } from '../store/scenario-store.js';
import type { LateDelivery } from '../store/procurement.js';
import { lateDeliveries } from '../store/procurement.js';

export interface PlanOptions {
  readonly solver: PlannerChoice;
  readonly timeLimitSeconds?: number | undefined;
}

export interface MadePlan {
  readonly json: PlanJson & { lateDeliveries?: LateDelivery[] };
  readonly scenario: Record<string, unknown>;
  readonly plan: Plan;
}

/**
 * Plans the state as it stands: the scenario as an export would write it, except that a
 * procured pool whose delivery is late counts only the GPUs delivered so far, and the unmet
 * demand that pool could have served says so in its reasons.
 */
export async function planCurrentState(tx: Tx, now: Date, options: PlanOptions): Promise<MadePlan> {
  const exported = await exportScenario(tx);
  if (!exported) {
    throw new ConflictProblems('no scenario to plan', [
      {
        path: [],
        message: 'no scenario: import one first (stargate import FILE, or PUT /v1/scenario)',
      },
    ]);
  }
  const late = await lateDeliveries(tx, now);
  const lateById = new Map(late.map((row) => [row.pool, row]));
  const pools = ((exported['pools'] ?? []) as { id: string; gpus: number }[]).map((pool) => {
    const delay = lateById.get(pool.id);
    return delay ? { ...pool, gpus: delay.deliveredGpus } : pool;
  });
  const planned = late.length > 0 ? { ...exported, pools } : exported;
  const result = validateScenario(planned);
  if (!result.ok) throw new ConflictProblems('the stored scenario is not valid', result.problems);
  const problem = buildProblem(result.scenario);
  const method = choosePlanner(problem, options.solver);
  const plan = planProblem(problem, {
    planner: method,
    ...(method === 'exact' ? { solver: await createHighsSolver() } : {}),
    ...(options.timeLimitSeconds === undefined
      ? {}
      : { timeLimitSeconds: options.timeLimitSeconds }),
    fast: {},
  });
  const json = planToJson(plan);
  if (late.length === 0) return { json, scenario: exported, plan };
  // Only the unmet rows the late pool could have served: accelerator, both windows and every
  // contract term (a use-restriction may keep the workload off the pool whatever it delivers).
  const rules = compileRules(result.scenario);
  const workloads = new Map(result.scenario.workloads.map((w) => [w.id, w]));
  const poolsById = new Map(result.scenario.pools.map((p) => [p.id, p]));
  // Rows may share their reasons lists (plan-json): add to copies, never to a shared list.
  const unmet = json.unmet.map((row) => {
    const workload = workloads.get(row.workload);
    const period = parsePeriod(row.period);
    const extra: string[] = [];
    for (const delay of late) {
      const pool = poolsById.get(delay.pool);
      if (!workload || !pool || period === undefined) continue;
      if (!rules.decide(workload, pool, period).allowed) continue;
      extra.push(
        `pool ${delay.pool} of ${delay.provider} is late: ${delay.deliveredGpus} of ${delay.promisedGpus} GPUs promised by ${delay.promisedBy} delivered (request ${delay.request}); planned on ${delay.deliveredGpus}`,
      );
    }
    return extra.length === 0 ? row : { ...row, reasons: [...row.reasons, ...extra] };
  });
  return { json: { ...json, unmet, lateDeliveries: late }, scenario: exported, plan };
}
