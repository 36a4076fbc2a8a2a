import { compileRules } from '../core/contracts.js';
import { parsePeriod } from '../core/period.js';
import type { PlanJson } from '../core/planner/plan-json.js';
import { planToJson } from '../core/planner/plan-json.js';
import type { PlannerChoice } from '../core/planner/planner.js';
import { choosePlanner, planProblem } from '../core/planner/planner.js';
import { buildProblem } from '../core/planner/problem.js';
import { validateScenario } from '../scenario/parse.js';
import type { Problem } from '../scenario/problems.js';
import { createHighsSolver } from '../solver/highs-solver.js';
import type { LateDelivery } from '../store/procurement.js';

export interface PlanOptions {
  readonly solver: PlannerChoice;
  readonly timeLimitSeconds?: number | undefined;
}

/** What planning the current state needs, read from the store: plain data, for a worker. */
export interface PlanInput {
  /** The scenario as exported, late pools cut to what they delivered. */
  readonly planned: Record<string, unknown>;
  readonly late: readonly LateDelivery[];
  readonly options: PlanOptions;
}

export type PlanDocument = PlanJson & { lateDeliveries?: LateDelivery[] };

export type PlanOutcome =
  | { readonly ok: true; readonly json: PlanDocument }
  | { readonly ok: false; readonly problems: readonly Problem[] };

/**
 * Validates and plans a scenario read from the store, and says in the reasons of unmet demand
 * where a late pool could have served it. No database: it runs in a worker thread for the
 * server (`plan-worker.ts`), so a plan of minutes does not stop the process answering.
 */
export async function computePlan({ planned, late, options }: PlanInput): Promise<PlanOutcome> {
  const result = validateScenario(planned);
  if (!result.ok) return { ok: false, problems: result.problems };
  const problem = buildProblem(result.scenario);
  // A stored plan is what what-ifs and re-solves are compared with: planned to compare.
  const method = choosePlanner(problem, options.solver, 'compare');
  const plan = planProblem(problem, {
    planner: method,
    // For the fast planner, HiGHS loads only if it solves sub-MIPs over the gang runs.
    // Not `manyShortSolves`: that setting is the process's, and this process's later plans
    // and solves, exact ones among them, would be slowed by it (highs-run.ts).
    solver: await createHighsSolver({ lazy: method === 'fast' }),
    ...(options.timeLimitSeconds === undefined
      ? {}
      : { timeLimitSeconds: options.timeLimitSeconds }),
    fast: {},
  });
  const json = planToJson(plan);
  if (late.length === 0) return { ok: true, json };
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
        `pool ${delay.pool} of ${delay.provider} is late: ${delay.deliveredGpus} of ${delay.promisedGpus} GPUs promised by ${delay.promisedBy} ${delay.source === 'agent' ? 'observed healthy by its node agents' : 'delivered'}${delay.request === undefined ? '' : ` (request ${delay.request})`}; planned on ${delay.deliveredGpus}`,
      );
    }
    return extra.length === 0 ? row : { ...row, reasons: [...row.reasons, ...extra] };
  });
  return { ok: true, json: { ...json, unmet, lateDeliveries: [...late] } };
}
