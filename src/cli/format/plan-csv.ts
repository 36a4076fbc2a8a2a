import type { Scenario } from '../../core/model.js';
import { csvLine } from '../../core/format.js';
import { formatCentsPlain, toCents } from '../../core/money.js';
import { formatPeriod } from '../../core/period.js';
import type { Plan } from '../../core/planner/plan.js';
import { costOf } from '../../core/planner/problem.js';

/** One assignment per line, with the pool's provider, site, accelerator and exact cost. */
export function formatPlanCsv(plan: Plan, scenario: Scenario): string {
  const pools = new Map(scenario.pools.map((p) => [p.id, p]));
  const lines = ['workload,pool,provider,site,accelerator,period,gpus,costUSD'];
  for (const a of plan.assignments) {
    const pool = pools.get(a.pool);
    if (!pool) continue;
    const cost = formatCentsPlain(toCents(costOf(a.gpus, a.period, pool.pricePerGpuHour)));
    lines.push(
      csvLine([
        a.workload,
        a.pool,
        pool.provider,
        pool.site ?? '',
        pool.accelerator,
        formatPeriod(a.period),
        a.gpus,
        cost,
      ]),
    );
  }
  return `${lines.join('\n')}\n`;
}
