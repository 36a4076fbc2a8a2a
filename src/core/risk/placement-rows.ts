import type { Period } from '../period.js';
import type { Placement } from '../planner/plan.js';
import type { PlacementProblem } from '../planner/problem.js';

/** A plan's row as a plan file or a stored plan names it: workload and pool by id. */
export interface PlacementRow {
  readonly workload: string;
  readonly pool: string;
  readonly period: Period;
  readonly gpus: number;
}

/**
 * A plan's rows as the placements `planRisk` evaluates: workloads and pools by their index in
 * the problem. The rows must have been checked against the scenario (`checkPlanForScenario`):
 * an id the problem does not know becomes -1.
 *
 * @example placementsOfRows(buildProblem(scenario), plan.assignments)
 */
export function placementsOfRows(
  problem: PlacementProblem,
  rows: readonly PlacementRow[],
): Placement[] {
  const workloadIndex = new Map(problem.workloads.map((w, i) => [w.id, i]));
  const poolIndex = new Map(problem.pools.map((p, i) => [p.id, i]));
  return rows.map((row) => ({
    workload: workloadIndex.get(row.workload) ?? -1,
    pool: poolIndex.get(row.pool) ?? -1,
    period: row.period,
    gpus: row.gpus,
  }));
}
