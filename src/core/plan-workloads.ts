import type { Scenario } from './model.js';
import type { Micros } from './money.js';
import { centsToNumber, toCents } from './money.js';
import { compareText } from './order.js';
import type { Period, PeriodRange } from './period.js';
import { compress, formatPeriod, hoursIn, intersect, lengthOf, parsePeriod } from './period.js';
import type { PlanJson } from './planner/plan-json.js';
import { costOf } from './planner/problem.js';

/** Months as written at every boundary: `YYYY-MM`. */
export interface MonthRange {
  readonly from: string;
  readonly to: string;
}

/** Consecutive months with the same number of GPUs. */
export interface MonthRun extends MonthRange {
  readonly gpus: number;
}

/** Where one workload runs on one pool, month by month (as runs). */
export interface WorkloadPool {
  readonly pool: string;
  readonly provider: string;
  readonly gpuMonths: number;
  readonly computeUSD: number;
  readonly runs: readonly MonthRun[];
}

/** One reason of a workload's unmet demand and the months it was given for. */
export interface WorkloadReason {
  /** Index into the summary's `reasons`: a reason shared by many workloads is sent once. */
  readonly reason: number;
  readonly periods: readonly MonthRange[];
}

/** One workload of a plan, summarised: what the plan table shows in one row. */
export interface WorkloadRow {
  readonly workload: string;
  readonly class: string;
  readonly team: string | null;
  /** GPUs the workload needs in each month of its window. */
  readonly gpus: number;
  readonly window: MonthRange;
  readonly gang: boolean;
  /** GPU-months it needs inside the horizon. */
  readonly demandGpuMonths: number;
  readonly placedGpuMonths: number;
  readonly unmetGpuMonths: number;
  /** What its placements cost, in USD to the cent. */
  readonly computeUSD: number;
  /** What its unmet GPU-hours were worth (the objective's unmet part), in USD. */
  readonly unmetUSD: number;
  /** First and last month with any placement; null when none. */
  readonly placed: MonthRange | null;
  /** Providers of the pools it uses, sorted. */
  readonly providers: readonly string[];
  /** Pools it uses, most GPU-months first. */
  readonly pools: readonly WorkloadPool[];
  /** Unmet GPUs month by month, as runs. */
  readonly unmet: readonly MonthRun[];
  /** Why demand went unmet, each distinct reason once, in the planner's order. */
  readonly reasons: readonly WorkloadReason[];
}

/** A plan summarised per workload, with the plan's headline figures. */
export interface PlanWorkloads {
  readonly scenario: string;
  readonly objective: PlanJson['objective'];
  readonly bound: PlanJson['bound'];
  readonly solver: PlanJson['solver'];
  readonly commitments: PlanJson['commitments'];
  /** Every distinct reason of the plan's unmet demand; rows point into it. */
  readonly reasons: readonly string[];
  /** One row per workload of the scenario, sorted by id. */
  readonly workloads: readonly WorkloadRow[];
}

/** What the summary reads of the scenario the plan was made from. */
export type PlanScenario = Pick<Scenario, 'horizon' | 'workloads' | 'pools'>;

interface Tally {
  /** pool → period → GPUs */
  readonly pools: Map<string, Map<Period, number>>;
  readonly unmet: Map<Period, number>;
  /** reason index → periods */
  readonly reasons: Map<number, Period[]>;
}

/**
 * Summarises a stored plan per workload: where each one runs (pools and months), GPU-months
 * placed and unmet, what its compute costs and what its unmet demand was worth, and the
 * planner's reasons for the unmet demand, each given once with its months. A 5,000-workload
 * plan's document is tens of MB (one assignment per workload, pool and month); its summary is
 * what a table needs and a fraction of that.
 *
 * Costs are exact: micro-dollars from the scenario's prices and the hours of each month,
 * rounded to cents once per workload and pool.
 *
 * @example
 * const summary = summarisePlanWorkloads(planJson, scenario);
 * summary.workloads.find((row) => row.workload === 'pretrain-2029')?.reasons
 * // [{ reason: 3, periods: [{ from: '2029-01', to: '2029-12' }] }] → summary.reasons[3]
 */
export function summarisePlanWorkloads(plan: PlanJson, scenario: PlanScenario): PlanWorkloads {
  const pools = new Map(scenario.pools.map((pool) => [pool.id, pool]));
  const tallies = new Map<string, Tally>();
  const tallyOf = (workload: string): Tally => {
    let tally = tallies.get(workload);
    if (!tally) {
      tally = { pools: new Map(), unmet: new Map(), reasons: new Map() };
      tallies.set(workload, tally);
    }
    return tally;
  };
  // A plan names the same few dozen months tens of thousands of times.
  const periods = new Map<string, Period>();
  const periodOf = (text: string): Period => {
    let period = periods.get(text);
    if (period === undefined) {
      period = parsePeriod(text);
      if (period === undefined) throw new Error(`plan names a month that is not YYYY-MM: ${text}`);
      periods.set(text, period);
    }
    return period;
  };

  for (const row of plan.assignments) {
    const byPool = tallyOf(row.workload).pools;
    let months = byPool.get(row.pool);
    if (!months) {
      months = new Map();
      byPool.set(row.pool, months);
    }
    const period = periodOf(row.period);
    months.set(period, (months.get(period) ?? 0) + row.gpus);
  }

  const reasonIndex = new Map<string, number>();
  const reasons: string[] = [];
  for (const row of plan.unmet) {
    const tally = tallyOf(row.workload);
    const period = periodOf(row.period);
    tally.unmet.set(period, (tally.unmet.get(period) ?? 0) + row.gpus);
    for (const text of row.reasons) {
      let index = reasonIndex.get(text);
      if (index === undefined) {
        index = reasons.length;
        reasons.push(text);
        reasonIndex.set(text, index);
      }
      const list = tally.reasons.get(index);
      if (!list) tally.reasons.set(index, [period]);
      else if (list[list.length - 1] !== period) list.push(period);
    }
  }

  const known = new Set(scenario.workloads.map((workload) => workload.id));
  for (const id of tallies.keys()) {
    if (!known.has(id)) throw new Error(`plan names workload ${id}, which its scenario lacks`);
  }

  const empty: Tally = { pools: new Map(), unmet: new Map(), reasons: new Map() };
  const workloads = [...scenario.workloads]
    .sort((a, b) => compareText(a.id, b.id))
    .map((workload): WorkloadRow => {
      const tally = tallies.get(workload.id) ?? empty;
      let placedGpuMonths = 0;
      let first: Period | undefined;
      let last: Period | undefined;
      let compute: Micros = 0n;
      const used = [...tally.pools].map(([poolId, months]): WorkloadPool => {
        const pool = pools.get(poolId);
        if (!pool)
          throw new Error(`plan places ${workload.id} on pool ${poolId}, which its scenario lacks`);
        let gpuMonths = 0;
        let cost: Micros = 0n;
        for (const [period, gpus] of months) {
          gpuMonths += gpus;
          cost += costOf(gpus, period, pool.pricePerGpuHour);
          if (first === undefined || period < first) first = period;
          if (last === undefined || period > last) last = period;
        }
        placedGpuMonths += gpuMonths;
        compute += cost;
        return {
          pool: poolId,
          provider: pool.provider,
          gpuMonths,
          computeUSD: usd(cost),
          runs: runsOf(months),
        };
      });
      used.sort((a, b) => b.gpuMonths - a.gpuMonths || compareText(a.pool, b.pool));

      let unmetGpuMonths = 0;
      let unmetValue: Micros = 0n;
      for (const [period, gpus] of tally.unmet) {
        unmetGpuMonths += gpus;
        unmetValue += BigInt(gpus) * BigInt(hoursIn(period)) * workload.valuePerGpuHour;
      }
      const inHorizon = intersect(workload.window, scenario.horizon);
      return {
        workload: workload.id,
        class: workload.class,
        team: workload.team ?? null,
        gpus: workload.gpus,
        window: monthRangeOf(workload.window),
        gang: workload.gang,
        demandGpuMonths: inHorizon ? workload.gpus * lengthOf(inHorizon) : 0,
        placedGpuMonths,
        unmetGpuMonths,
        computeUSD: usd(compute),
        unmetUSD: usd(unmetValue),
        placed:
          first === undefined || last === undefined
            ? null
            : { from: formatPeriod(first), to: formatPeriod(last) },
        providers: [...new Set(used.map((row) => row.provider))].sort(compareText),
        pools: used,
        unmet: runsOf(tally.unmet),
        reasons: [...tally.reasons].map(([reason, list]) => ({
          reason,
          periods: rangesOf(list),
        })),
      };
    });

  return {
    scenario: plan.scenario,
    objective: plan.objective,
    bound: plan.bound,
    solver: plan.solver,
    commitments: plan.commitments,
    reasons,
    workloads,
  };
}

/** A workload as the plan table lists it: the row without its month-by-month detail. */
export interface WorkloadListRow extends Omit<WorkloadRow, 'pools' | 'unmet' | 'reasons'> {
  /** Pools it uses, most GPU-months first, without the months. */
  readonly pools: readonly Omit<WorkloadPool, 'runs'>[];
  /** First and last month with unmet demand; null when all was placed. */
  readonly unmetRange: MonthRange | null;
  /** Indices into the summary's `reasons`, in the planner's order. */
  readonly reasons: readonly number[];
}

/**
 * A row for the plan table: a 5,000-workload plan's list stays a few MB because the months
 * (pool runs, the months of each reason) are left to `workloadDetail`, asked for one workload
 * at a time.
 */
export function workloadListRow(row: WorkloadRow): WorkloadListRow {
  const { pools, unmet, reasons, ...rest } = row;
  return {
    ...rest,
    pools: pools.map((pool) => ({
      pool: pool.pool,
      provider: pool.provider,
      gpuMonths: pool.gpuMonths,
      computeUSD: pool.computeUSD,
    })),
    unmetRange: unmetRangeOf({ unmet }),
    reasons: reasons.map((entry) => entry.reason),
  };
}

/** First and last month of a workload's unmet demand; null when all was placed. */
export function unmetRangeOf(row: Pick<WorkloadRow, 'unmet'>): MonthRange | null {
  const first = row.unmet[0];
  const last = row.unmet[row.unmet.length - 1];
  return first && last ? { from: first.from, to: last.to } : null;
}

/** One workload in full: every pool with its months, unmet GPUs by month, reasons in words. */
export interface WorkloadDetail extends Omit<WorkloadRow, 'reasons'> {
  readonly reasons: readonly { readonly text: string; readonly periods: readonly MonthRange[] }[];
}

/** A row of the summary with its reasons in words, for the side panel of one workload. */
export function workloadDetail(summary: PlanWorkloads, row: WorkloadRow): WorkloadDetail {
  return {
    ...row,
    reasons: row.reasons.map((entry) => ({
      text: summary.reasons[entry.reason] ?? '',
      periods: entry.periods,
    })),
  };
}

const usd = (micros: Micros) => centsToNumber(toCents(micros));

/** A range of months as written at every boundary. */
export function monthRangeOf(range: PeriodRange): MonthRange {
  return { from: formatPeriod(range.from), to: formatPeriod(range.to) };
}

/** Months with their GPUs folded into runs of consecutive months with the same GPUs. */
function runsOf(months: ReadonlyMap<Period, number>): MonthRun[] {
  const sorted = [...months].filter(([, gpus]) => gpus > 0).sort(([a], [b]) => a - b);
  const runs: { from: Period; to: Period; gpus: number }[] = [];
  for (const [period, gpus] of sorted) {
    const last = runs[runs.length - 1];
    if (last && last.to + 1 === period && last.gpus === gpus) last.to = period;
    else runs.push({ from: period, to: period, gpus });
  }
  return runs.map((run) => ({ ...monthRangeOf(run), gpus: run.gpus }));
}

/** Months (in any order, repeats allowed) as sorted disjoint ranges. */
function rangesOf(periods: readonly Period[]): MonthRange[] {
  return compress([...new Set(periods)].sort((a, b) => a - b)).map(monthRangeOf);
}
