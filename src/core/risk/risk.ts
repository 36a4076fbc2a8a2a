import { slipSampler } from '../forecast/slips.js';
import type { Percentiles } from '../forecast/percentile.js';
import { percentilesByColumn } from '../forecast/percentile.js';
import type { Micros } from '../money.js';
import { compareText } from '../order.js';
import type { Random } from '../random.js';
import type { Placement } from '../planner/plan.js';
import type { PlacementProblem } from '../planner/problem.js';
import { recourseEvaluator } from './recourse.js';

export interface RiskOptions {
  /** Slip draws; at least 1. */
  readonly runs: number;
  /** The random source of the slips: the forecast's draws for the same seed. */
  readonly random: Random;
  /** Slip correlation 0–1; default the programme's `slipCorrelation`, else 0. */
  readonly correlation?: number;
}

/** Cost percentiles, in micro-dollars (nearest rank: each is some run's cost). */
export interface CostPercentiles {
  readonly p10: Micros;
  readonly p50: Micros;
  readonly p90: Micros;
  /** The mean, rounded down to the micro-dollar. */
  readonly mean: Micros;
}

export interface WorkloadRisk {
  readonly workload: string;
  /** Runs in which slips left some of its demand unmet that the plan serves. */
  readonly runsShort: number;
  /** GPU-months it loses, averaged over all runs. */
  readonly meanGpuMonthsShort: number;
}

export interface BuildingRisk {
  readonly building: string;
  /** Runs in which it slipped at least a month. */
  readonly runsSlipped: number;
  /** Its mean slip over all runs, in whole months. */
  readonly meanSlipMonths: number;
  /**
   * The mean over runs of the plan's extra cost (after recourse) had this building alone
   * slipped by its drawn slip and every other building kept its date. Rounded down.
   */
  readonly expectedExtraCost: Micros;
}

export interface PlanRisk {
  readonly scenario: string;
  readonly runs: number;
  readonly correlation: number;
  /** Buildings with a delay distribution, out of all buildings. */
  readonly slipping: number;
  readonly buildings: number;
  /** The plan as scheduled. */
  readonly nominal: { readonly total: Micros; readonly unmetGpuMonths: number };
  /** Total cost (compute + shortfall + unmet value) across runs, after recourse. */
  readonly total: CostPercentiles;
  /** Unmet GPU-months across runs, the plan's own unmet included. */
  readonly unmetGpuMonths: Percentiles;
  /** Runs that cost more than the plan as scheduled. */
  readonly runsCostlier: number;
  /** Workloads that some run leaves short, most often short first. */
  readonly workloads: readonly WorkloadRisk[];
  /** Every building that may slip, costliest slip first. */
  readonly byBuilding: readonly BuildingRisk[];
}

/**
 * A plan under construction-slip risk. Draws `runs` sets of slips with `slipSampler` — the
 * forecast's draws, run for run, for the same seed and correlation — and for each evaluates
 * the plan with recourse (`recourseEvaluator`: work on a pool not yet online moves to the
 * cheapest eligible pool with room that month, else stays unmet). Reports the cost and unmet
 * GPU-month percentiles, the workloads most often left short, and each building's expected
 * extra cost had it alone slipped. Pure and deterministic for a given seed.
 *
 * @example planRisk(buildProblem(scenario), placements, { runs: 1000, random: seededRandom(1) })
 */
export function planRisk(
  problem: PlacementProblem,
  placements: readonly Placement[],
  options: RiskOptions,
): PlanRisk {
  const { scenario } = problem;
  const runs = Math.max(1, Math.floor(options.runs));
  const correlation = options.correlation ?? scenario.programme?.slipCorrelation ?? 0;
  const sampler = slipSampler(scenario, options.random, correlation);
  const K = sampler.pools.length;
  const recourse = recourseEvaluator(problem, placements, sampler.pools);
  const nominal = recourse.nominal;

  const totals: Micros[] = [];
  const unmet = new Float64Array(runs);
  const W = problem.workloads.length;
  const shortRuns = new Int32Array(W);
  const shortGpuMonths = new Float64Array(W);
  const lastShortRun = new Int32Array(W).fill(-1);
  const slipped = new Int32Array(K);
  const slipMonths = new Float64Array(K);
  const extra = Array.from({ length: K }, () => 0n);
  // A building's cost alone depends only on its slip: each (building, months) is priced once.
  const alone = new Map<number, Micros>();
  const one = new Int32Array(K);

  const slips = new Int32Array(K);
  let sum = 0n;
  let costlier = 0;
  for (let run = 0; run < runs; run++) {
    sampler.draw(slips);
    const outcome = recourse.evaluate(slips, (w, _period, gpus) => {
      shortGpuMonths[w] = (shortGpuMonths[w] ?? 0) + gpus;
      if (lastShortRun[w] !== run) {
        lastShortRun[w] = run;
        shortRuns[w] = (shortRuns[w] ?? 0) + 1;
      }
    });
    totals.push(outcome.total);
    sum += outcome.total;
    if (outcome.total > nominal.total) costlier++;
    unmet[run] = outcome.unmetGpuMonths;
    for (let k = 0; k < K; k++) {
      const s = slips[k] ?? 0;
      if (s <= 0) continue;
      slipped[k] = (slipped[k] ?? 0) + 1;
      slipMonths[k] = (slipMonths[k] ?? 0) + s;
      const key = k * 4096 + Math.min(s, 4095);
      let cost = alone.get(key);
      if (cost === undefined) {
        one[k] = s;
        cost = recourse.evaluate(one).total - nominal.total;
        one[k] = 0;
        alone.set(key, cost);
      }
      extra[k] = (extra[k] ?? 0n) + cost;
    }
  }

  totals.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const rank = (p: number) => totals[Math.max(1, Math.ceil((p / 100) * runs)) - 1] ?? 0n;
  const [unmetPercentiles] = percentilesByColumn(unmet, runs, 1);
  const buildingOf = (k: number) => {
    const pool = scenario.pools[sampler.pools[k] ?? -1];
    return pool?.building ?? pool?.id ?? '';
  };

  return {
    scenario: scenario.name,
    runs,
    correlation,
    slipping: K,
    buildings: scenario.buildings.length,
    nominal: { total: nominal.total, unmetGpuMonths: nominal.unmetGpuMonths },
    total: { p10: rank(10), p50: rank(50), p90: rank(90), mean: sum / BigInt(runs) },
    unmetGpuMonths: unmetPercentiles ?? { p10: 0, p50: 0, p90: 0, mean: 0 },
    runsCostlier: costlier,
    workloads: problem.workloads
      .map((w, index) => ({
        workload: w.id,
        runsShort: shortRuns[index] ?? 0,
        meanGpuMonthsShort: (shortGpuMonths[index] ?? 0) / runs,
      }))
      .filter((w) => w.runsShort > 0)
      .sort(
        (a, b) =>
          b.runsShort - a.runsShort ||
          b.meanGpuMonthsShort - a.meanGpuMonthsShort ||
          compareText(a.workload, b.workload),
      ),
    byBuilding: sampler.pools
      .map((_, k) => ({
        building: buildingOf(k),
        runsSlipped: slipped[k] ?? 0,
        meanSlipMonths: (slipMonths[k] ?? 0) / runs,
        expectedExtraCost: (extra[k] ?? 0n) / BigInt(runs),
      }))
      .sort((a, b) =>
        a.expectedExtraCost > b.expectedExtraCost
          ? -1
          : a.expectedExtraCost < b.expectedExtraCost
            ? 1
            : compareText(a.building, b.building),
      ),
  };
}
