import type { Denial, Rules } from './contracts.js';
import type { Pool, Workload } from './model.js';
import type { Period, PeriodRange } from './period.js';
import { compress, intersect, periodsOf } from './period.js';

/** Why one pool is or is not eligible for a workload, over the periods asked about. */
export interface PoolExplanation {
  readonly pool: Pool;
  /** Periods (within those asked about) in which the workload may use the pool. */
  readonly eligible: readonly PeriodRange[];
  /** Every reason that blocks the pool, each with the periods in which it blocks. */
  readonly denials: readonly {
    readonly message: string;
    readonly periods: readonly PeriodRange[];
  }[];
}

export interface WorkloadExplanation {
  readonly workload: Workload;
  /** The periods examined: the one asked for, or the workload's window within the horizon. */
  readonly periods: PeriodRange | undefined;
  readonly pools: readonly PoolExplanation[];
}

/**
 * For every pool of the scenario, whether the workload may run there and, where it may not,
 * every reason with the periods in which it applies.
 *
 * @example explainWorkload(rules, api) // abilene-b1: exclusivity term … of msft-openai-2025
 */
export function explainWorkload(
  rules: Rules,
  workload: Workload,
  period?: Period,
): WorkloadExplanation {
  const { scenario } = rules;
  const periods =
    period === undefined
      ? intersect(workload.window, scenario.horizon)
      : { from: period, to: period };
  const pools = scenario.pools.map((pool): PoolExplanation => {
    const eligible: Period[] = [];
    const denied = new Map<string, Period[]>();
    for (const p of periods ? periodsOf(periods) : []) {
      const decision = rules.decide(workload, pool, p);
      if (decision.allowed) {
        eligible.push(p);
        continue;
      }
      for (const denial of decision.denials) {
        const key = denialKey(denial);
        denied.set(key, [...(denied.get(key) ?? []), p]);
      }
    }
    return {
      pool,
      eligible: compress(eligible),
      denials: [...denied.entries()].map(([message, list]) => ({
        message,
        periods: compress(list),
      })),
    };
  });
  return { workload, periods, pools };
}

function denialKey(denial: Denial): string {
  // Window denials name the period; keep one line per pool instead of one per month.
  if (denial.kind === 'pool-window') return denial.message.replace(/, not in \d{4}-\d{2}$/, '');
  if (denial.kind === 'workload-window') return denial.message.replace(/, not in \d{4}-\d{2}$/, '');
  return denial.message;
}
