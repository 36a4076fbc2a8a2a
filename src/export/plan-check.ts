import type { Scenario } from '../core/model.js';
import type { Period } from '../core/period.js';
import { contains, formatPeriod, formatRange } from '../core/period.js';
import type { PlanPlacements } from '../scenario/plan-placements.js';
import type { Problem } from '../scenario/problems.js';

/**
 * Whether a plan belongs to a scenario. A plan that carries `scenarioHash` must carry the
 * scenario's: any edit to the file since the plan was made (a pool's size, a term) may make
 * its quotas wrong, even where every id still matches. An older plan, without the hash, is
 * checked for consistency instead: the scenario's name, and every workload and pool it places
 * on, in a month of the horizon. Problems are the plan's: their paths start with `plan`.
 */
export function checkPlanForScenario(
  plan: PlanPlacements,
  scenario: Scenario,
  scenarioHash: string,
): Problem[] {
  if (plan.scenarioHash !== undefined && plan.scenarioHash !== scenarioHash) {
    return [
      {
        path: ['plan', 'scenarioHash'],
        message: `the plan was made from another version of the scenario: the plan says ${plan.scenarioHash}, the scenario is ${scenarioHash}; plan it again`,
      },
    ];
  }
  const problems: Problem[] = [];
  if (plan.scenario !== scenario.name) {
    problems.push({
      path: ['plan', 'scenario'],
      message: `the plan is for scenario ${plan.scenario}, not ${scenario.name}`,
    });
  }
  const workloads = new Set(scenario.workloads.map((w) => w.id));
  const pools = new Set(scenario.pools.map((p) => p.id));
  plan.assignments.forEach((row, index) => {
    if (!workloads.has(row.workload)) {
      problems.push({
        path: ['plan', 'assignments', index, 'workload'],
        message: `the scenario has no workload ${row.workload}`,
      });
    }
    if (!pools.has(row.pool)) {
      problems.push({
        path: ['plan', 'assignments', index, 'pool'],
        message: `the scenario has no pool ${row.pool}`,
      });
    }
    if (!contains(scenario.horizon, row.period)) {
      problems.push({
        path: ['plan', 'assignments', index, 'period'],
        message: `${formatPeriod(row.period)} is outside the horizon ${formatRange(scenario.horizon)}`,
      });
    }
  });
  // One line per kind of mistake is enough: a plan of another scenario names hundreds.
  return problems.slice(0, 20);
}

/** A month the export may be asked for: one of the horizon's. */
export function checkMonth(scenario: Scenario, month: Period, field: string): Problem[] {
  return contains(scenario.horizon, month)
    ? []
    : [
        {
          path: [field],
          message: `${formatPeriod(month)} is outside the horizon ${formatRange(scenario.horizon)} of ${scenario.name}`,
        },
      ];
}
