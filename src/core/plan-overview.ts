import { compareText } from './order.js';
import { formatQuarter, parsePeriod } from './period.js';
import type { MonthRange, PlanWorkloads } from './plan-workloads.js';
import { unmetRangeOf } from './plan-workloads.js';
import type { PlanJson } from './planner/plan-json.js';

/**
 * A stored plan at a glance, for the dashboard's Overview: what it placed and spent per
 * provider and quarter, and the demand it left unmet with the few workloads that lack most.
 * Small for any portfolio (a 5,000-workload plan's document is ~15 MB; this is a few kB),
 * and made from the per-workload summary the plan table already keeps.
 */

/** One provider in one quarter of the plan. */
export interface ProviderQuarter {
  readonly provider: string;
  /** `YYYY-Qn` */
  readonly quarter: string;
  /** Months of the quarter inside the plan's horizon: the divisor of the two means. */
  readonly months: number;
  /** GPUs placed on the provider's pools, the mean over those months (two decimals). */
  readonly gpus: number;
  /** GPUs the provider's pools hold, placed or idle, the mean over those months. */
  readonly capacityGpus: number;
  /** What the placements cost in the quarter, in USD to the cent. */
  readonly computeUSD: number;
}

/**
 * The plan's `byProvider` (one row per provider and month) folded into quarters. GPUs are a
 * mean, not a sum, so a quarter's figure reads as GPUs in use, as the month's does; the cost
 * is the quarter's sum. Sorted by quarter, then provider.
 *
 * @example
 * providerQuarters([
 *   { provider: 'azure', period: '2026-01', gpus: 10, capacityGpus: 20, computeUSD: 1.5 },
 *   { provider: 'azure', period: '2026-02', gpus: 20, capacityGpus: 20, computeUSD: 2.5 },
 * ]);
 * // [{ provider: 'azure', quarter: '2026-Q1', months: 2, gpus: 15, capacityGpus: 20, computeUSD: 4 }]
 */
export function providerQuarters(byProvider: PlanJson['byProvider']): ProviderQuarter[] {
  const quarterOf = new Map<string, string>();
  const monthsOf = new Map<string, Set<string>>();
  const sums = new Map<
    string,
    { provider: string; quarter: string; gpus: number; capacity: number; cents: number }
  >();
  for (const row of byProvider) {
    let quarter = quarterOf.get(row.period);
    if (quarter === undefined) {
      const period = parsePeriod(row.period);
      if (period === undefined)
        throw new Error(`plan names a month that is not YYYY-MM: ${row.period}`);
      quarter = formatQuarter(period);
      quarterOf.set(row.period, quarter);
    }
    const months = monthsOf.get(quarter) ?? new Set<string>();
    monthsOf.set(quarter, months.add(row.period));
    const key = `${quarter}\u0000${row.provider}`;
    const sum = sums.get(key) ?? {
      provider: row.provider,
      quarter,
      gpus: 0,
      capacity: 0,
      cents: 0,
    };
    sum.gpus += row.gpus;
    sum.capacity += row.capacityGpus;
    // The plan's amounts are whole cents; add them as integers so no float noise creeps in.
    sum.cents += Math.round(row.computeUSD * 100);
    sums.set(key, sum);
  }
  const mean = (total: number, months: number) => Math.round((total / months) * 100) / 100;
  return [...sums.values()]
    .sort((a, b) => compareText(a.quarter, b.quarter) || compareText(a.provider, b.provider))
    .map((sum) => {
      const months = monthsOf.get(sum.quarter)?.size ?? 1;
      return {
        provider: sum.provider,
        quarter: sum.quarter,
        months,
        gpus: mean(sum.gpus, months),
        capacityGpus: mean(sum.capacity, months),
        computeUSD: sum.cents / 100,
      };
    });
}

/** One workload with unmet demand, as the Overview lists it. */
export interface UnmetWorkload {
  readonly workload: string;
  readonly class: string;
  readonly unmetGpuMonths: number;
  /** First and last month with unmet demand. */
  readonly unmetRange: MonthRange | null;
  /** The first reason that names a contract clause, else the first reason; null when none. */
  readonly reason: string | null;
}

/** The plan's unmet demand in all, and the workloads that lack most. */
export interface UnmetOverview {
  readonly gpuMonths: number;
  /** Workloads with any unmet demand. */
  readonly workloads: number;
  /** The `top` most unmet, most GPU-months first (ties by id). */
  readonly top: readonly UnmetWorkload[];
}

/** A reason that names a clause: the planner writes them as `<type> term <id> of <contract>`. */
const CLAUSE = /\bterm \S+ of \S+/;

/**
 * Unmet demand from a plan's per-workload summary: the totals, and the `top` workloads with
 * most GPU-months unmet, each with the reason a reader most needs (the clause that kept it
 * out, where one did).
 */
export function unmetOverview(summary: PlanWorkloads, top: number): UnmetOverview {
  const unmet = summary.workloads.filter((row) => row.unmetGpuMonths > 0);
  const most = [...unmet]
    .sort((a, b) => b.unmetGpuMonths - a.unmetGpuMonths || compareText(a.workload, b.workload))
    .slice(0, top);
  return {
    gpuMonths: unmet.reduce((sum, row) => sum + row.unmetGpuMonths, 0),
    workloads: unmet.length,
    top: most.map((row) => {
      const texts = row.reasons.map((entry) => summary.reasons[entry.reason] ?? '');
      return {
        workload: row.workload,
        class: row.class,
        unmetGpuMonths: row.unmetGpuMonths,
        unmetRange: unmetRangeOf(row),
        reason: texts.find((text) => CLAUSE.test(text)) ?? texts[0] ?? null,
      };
    }),
  };
}
