import { formatQuarter, parsePeriod } from '../../core/period.js';
import type { ForecastJson, LedgerJson, PlanJson } from '../api-types';

/**
 * The Overview's headline numbers from what the API answers, pure so they are tested without a
 * browser. The Overview reads small bodies only: a plan is fetched whole only below
 * `PLAN_BYTES_FOR_OVERVIEW`, and the cost components come from the books otherwise.
 */

/** Above this many bytes a plan (5,000 workloads: ~15 MB) is left to the Plan page. */
export const PLAN_BYTES_FOR_OVERVIEW = 2_000_000;

export interface UnmetWorkload {
  readonly workload: string;
  readonly gpuMonths: number;
  readonly from: string;
  readonly to: string;
}

/** GPU-months unmet in all, and per workload, most unmet first. */
export function unmetSummary(unmet: PlanJson['unmet']): {
  gpuMonths: number;
  workloads: UnmetWorkload[];
} {
  const byWorkload = new Map<string, { gpuMonths: number; from: string; to: string }>();
  let gpuMonths = 0;
  for (const row of unmet) {
    gpuMonths += row.gpus;
    const entry = byWorkload.get(row.workload);
    if (!entry) {
      byWorkload.set(row.workload, { gpuMonths: row.gpus, from: row.period, to: row.period });
      continue;
    }
    entry.gpuMonths += row.gpus;
    if (row.period < entry.from) entry.from = row.period;
    if (row.period > entry.to) entry.to = row.period;
  }
  const workloads = [...byWorkload.entries()]
    .map(([workload, entry]) => ({ workload, ...entry }))
    .sort((a, b) => b.gpuMonths - a.gpuMonths || a.workload.localeCompare(b.workload));
  return { gpuMonths, workloads };
}

/** `2026-12` → `2026-Q4`, the ledger's and the forecast's label of the quarter. */
export function quarterOfMonth(month: string): string {
  const period = parsePeriod(month);
  if (period === undefined) throw new Error(`not a month: ${month}`);
  return formatQuarter(period);
}

/**
 * Capacity scheduled in the quarter of `month` (the forecast measures each quarter at its last
 * month); before the horizon the first quarter, after it the last.
 */
export function capacityNow(
  forecast: ForecastJson,
  month: string,
): { quarter: string; gpus: number; mw: number } | undefined {
  const quarters = forecast.quarters;
  const label = quarterOfMonth(month);
  const found =
    quarters.find((q) => q.quarter === label) ??
    (quarters[0] && month < quarters[0].month ? quarters[0] : quarters.at(-1));
  return found
    ? { quarter: found.quarter, gpus: found.scheduled.totalGpus, mw: found.scheduled.totalMw }
    : undefined;
}

/**
 * Capital called by the quarter of `month` (0 before the ledger's first quarter, all of it after
 * its last), from a ledger by quarter.
 */
export function capitalCalledBy(
  ledger: LedgerJson,
  month: string,
): { calledUSD: number; totalUSD: number; quarter: string } | undefined {
  const capital = ledger.capital;
  if (!capital) return undefined;
  const label = quarterOfMonth(month);
  const passed = capital.periods.filter((p) => p.period <= label);
  return {
    calledUSD: passed.at(-1)?.calledToDateUSD ?? 0,
    totalUSD: capital.totalUSD,
    quarter: label,
  };
}

export interface CostComponents {
  readonly totalUSD: number;
  readonly computeUSD: number;
  readonly shortfallUSD: number;
  readonly unmetUSD: number;
}

/**
 * A plan's cost by component from its books, for a plan too large to fetch: compute is what the
 * lab paid for compute, the shortfall what take-or-pay terms charged, and the unmet penalty the
 * rest of the plan's total (the objective is exactly their sum).
 */
export function componentsFromLedger(ledger: LedgerJson, totalUSD: number): CostComponents {
  // Whole cents in, whole cents out: round away the float noise of the sums.
  const cents = (usd: number) => Math.round(usd * 100) / 100;
  const sum = (kind: string) =>
    cents(ledger.flows.filter((f) => f.kind === kind).reduce((s, f) => s + f.totalUSD, 0));
  const computeUSD = sum('compute');
  const shortfallUSD = sum('take-or-pay');
  const unmetUSD = cents(totalUSD - computeUSD - shortfallUSD);
  return { totalUSD, computeUSD, shortfallUSD, unmetUSD };
}
