import { compileRules } from '../contracts.js';
import type { Scenario } from '../model.js';
import type { Period } from '../period.js';
import { formatPeriod, intersect, periodsOf } from '../period.js';
import type { Assignment } from './plan.js';

/**
 * Checks a plan's assignments against the scenario from first principles — every term,
 * window, accelerator, capacity, demand and gang rule — independently of how the planner
 * built its model. Returns the violations in words; an empty list means the plan is valid.
 */
export function verifyPlan(scenario: Scenario, assignments: readonly Assignment[]): string[] {
  const rules = compileRules(scenario);
  const workloads = new Map(scenario.workloads.map((w) => [w.id, w]));
  const pools = new Map(scenario.pools.map((p) => [p.id, p]));
  const violations: string[] = [];
  const onPool = new Map<string, number>();
  const forWorkload = new Map<string, number>();
  const gangPlaces = new Map<string, Set<string>>();

  for (const a of assignments) {
    const workload = workloads.get(a.workload);
    const pool = pools.get(a.pool);
    const where = `${a.workload} on ${a.pool} in ${formatPeriod(a.period)}`;
    if (!workload || !pool) {
      violations.push(`${where}: unknown workload or pool`);
      continue;
    }
    if (!Number.isInteger(a.gpus) || a.gpus <= 0) violations.push(`${where}: ${a.gpus} GPUs`);
    const decision = rules.decide(workload, pool, a.period);
    if (!decision.allowed) {
      violations.push(`${where}: ${decision.denials.map((d) => d.message).join('; ')}`);
    }
    const poolKey = `${pool.id}\u0000${a.period}`;
    onPool.set(poolKey, (onPool.get(poolKey) ?? 0) + a.gpus);
    const workloadKey = `${workload.id}\u0000${a.period}`;
    forWorkload.set(workloadKey, (forWorkload.get(workloadKey) ?? 0) + a.gpus);
    if (workload.gang) {
      const places = gangPlaces.get(workload.id) ?? new Set<string>();
      places.add(`${pool.site ?? `pool:${pool.id}`} ${pool.accelerator}`);
      gangPlaces.set(workload.id, places);
    }
  }

  for (const [key, used] of onPool) {
    const [id = '', period = '0'] = key.split('\u0000');
    const pool = pools.get(id);
    if (pool && used > pool.gpus) {
      violations.push(
        `pool ${id} holds ${pool.gpus} GPUs but ${used} are placed in ${formatPeriod(Number(period) as Period)}`,
      );
    }
  }
  for (const [key, used] of forWorkload) {
    const [id = '', period = '0'] = key.split('\u0000');
    const workload = workloads.get(id);
    if (workload && used > workload.gpus) {
      violations.push(
        `workload ${id} needs ${workload.gpus} GPUs but gets ${used} in ${formatPeriod(Number(period) as Period)}`,
      );
    }
  }
  for (const [id, places] of gangPlaces) {
    const workload = workloads.get(id);
    if (!workload) continue;
    if (places.size > 1) {
      violations.push(`gang workload ${id} is spread over ${[...places].sort().join(', ')}`);
    }
    const range = intersect(workload.window, scenario.horizon);
    for (const period of range ? periodsOf(range) : []) {
      const served = forWorkload.get(`${id}\u0000${period}`) ?? 0;
      if (served !== workload.gpus) {
        violations.push(
          `gang workload ${id} gets ${served} of ${workload.gpus} GPUs in ${formatPeriod(period)}: all or nothing`,
        );
      }
    }
  }
  return violations;
}
