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
  const workloads = new Map(scenario.workloads.map((w, index) => [w.id, { w, index }]));
  const pools = new Map(scenario.pools.map((p, index) => [p.id, { p, index }]));
  const violations: string[] = [];
  // GPUs per (pool, period) and per (workload, period), keyed index × PERIODS + period.
  const onPool = new Map<number, number>();
  const forWorkload = new Map<number, number>();
  const gangPlaces = new Map<string, Set<string>>();
  const where = (a: Assignment) => `${a.workload} on ${a.pool} in ${formatPeriod(a.period)}`;
  // Where a gang runs: its site (or the pool, without one) and accelerator, named once per pool.
  const placeOf = scenario.pools.map((p) => `${p.site ?? `pool:${p.id}`} ${p.accelerator}`);

  for (const a of assignments) {
    const foundWorkload = workloads.get(a.workload);
    const foundPool = pools.get(a.pool);
    if (!foundWorkload || !foundPool) {
      violations.push(`${where(a)}: unknown workload or pool`);
      continue;
    }
    const { w: workload } = foundWorkload;
    const { p: pool } = foundPool;
    if (!Number.isInteger(a.gpus) || a.gpus <= 0) violations.push(`${where(a)}: ${a.gpus} GPUs`);
    const decision = rules.decide(workload, pool, a.period);
    if (!decision.allowed) {
      violations.push(`${where(a)}: ${decision.denials.map((d) => d.message).join('; ')}`);
    }
    const poolKey = foundPool.index * PERIODS + a.period;
    onPool.set(poolKey, (onPool.get(poolKey) ?? 0) + a.gpus);
    const workloadKey = foundWorkload.index * PERIODS + a.period;
    forWorkload.set(workloadKey, (forWorkload.get(workloadKey) ?? 0) + a.gpus);
    if (workload.gang) {
      const places = gangPlaces.get(workload.id) ?? new Set<string>();
      places.add(placeOf[foundPool.index] ?? '');
      gangPlaces.set(workload.id, places);
    }
  }

  for (const [key, used] of onPool) {
    const pool = scenario.pools[Math.floor(key / PERIODS)];
    const period = (key % PERIODS) as Period;
    if (pool && used > pool.gpus) {
      violations.push(
        `pool ${pool.id} holds ${pool.gpus} GPUs but ${used} are placed in ${formatPeriod(period)}`,
      );
    }
  }
  for (const [key, used] of forWorkload) {
    const workload = scenario.workloads[Math.floor(key / PERIODS)];
    const period = (key % PERIODS) as Period;
    if (workload && used > workload.gpus) {
      violations.push(
        `workload ${workload.id} needs ${workload.gpus} GPUs but gets ${used} in ${formatPeriod(period)}`,
      );
    }
  }
  for (const [id, places] of gangPlaces) {
    const found = workloads.get(id);
    if (!found) continue;
    const { w: workload, index } = found;
    if (places.size > 1) {
      violations.push(`gang workload ${id} is spread over ${[...places].sort().join(', ')}`);
    }
    const range = intersect(workload.window, scenario.horizon);
    for (const period of range ? periodsOf(range) : []) {
      const served = forWorkload.get(index * PERIODS + period) ?? 0;
      if (served !== workload.gpus) {
        violations.push(
          `gang workload ${id} gets ${served} of ${workload.gpus} GPUs in ${formatPeriod(period)}: all or nothing`,
        );
      }
    }
  }
  return violations;
}

/** More than any period: months since year 0 up to 9999-12. */
const PERIODS = 2 ** 17;
