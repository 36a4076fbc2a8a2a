import type { Percentiles } from '../forecast/percentile.js';
import { nearestRank, percentilesByColumn } from '../forecast/percentile.js';
import { slipSampler } from '../forecast/slips.js';
import type { Scenario } from '../model.js';
import type { Micros } from '../money.js';
import type { Period } from '../period.js';
import type { Placement } from '../planner/plan.js';
import type { PlacementProblem } from '../planner/problem.js';
import type { Random } from '../random.js';
import type { CostPercentiles } from './risk.js';
import { recourseEvaluator } from './recourse.js';

/**
 * The quantiles of each slipping building's slip over `samples` draws: for each quantile `q`
 * (0–100), the nearest-rank q-th percentile of every building's drawn slips, by building id.
 * `q = 0` is no slip. The draws are `slipSampler`'s, so they are the forecast's for that seed.
 *
 * @example slipQuantilesOf(scenario, seededRandom(2), 50, [50, 90]) // Map { 50 → Map { b1 → 1 }, 90 → … }
 */
export function slipQuantilesOf(
  scenario: Scenario,
  random: Random,
  samples: number,
  quantiles: readonly number[],
  correlation?: number,
): Map<number, Map<string, number>> {
  const sampler = slipSampler(scenario, random, correlation);
  const K = sampler.pools.length;
  const n = Math.max(1, samples);
  const drawn = Array.from({ length: K }, () => new Float64Array(n));
  const slips = new Int32Array(K);
  for (let s = 0; s < n; s++) {
    sampler.draw(slips);
    for (let k = 0; k < K; k++) (drawn[k] as Float64Array)[s] = slips[k] ?? 0;
  }
  for (const column of drawn) column.sort();
  const result = new Map<number, Map<string, number>>();
  for (const q of quantiles) {
    const months = new Map<string, number>();
    sampler.pools.forEach((p, k) => {
      const building = scenario.pools[p]?.building;
      if (building !== undefined)
        months.set(building, q <= 0 ? 0 : nearestRank(drawn[k] as Float64Array, q));
    });
    result.set(q, months);
  }
  return result;
}

/**
 * The scenario with buildings online later: each building of `slips` (months, by id) and the
 * pool made from it move their first month by that many months; nothing else changes. A plan
 * made on it keeps work off a building until it is likely online.
 */
export function withSlips(scenario: Scenario, slips: ReadonlyMap<string, number>): Scenario {
  const later = (id: string | undefined, online: Period) =>
    (online + (id === undefined ? 0 : (slips.get(id) ?? 0))) as Period;
  return {
    ...scenario,
    buildings: scenario.buildings.map((b) => ({ ...b, online: later(b.id, b.online) })),
    pools: scenario.pools.map((p) =>
      p.building === undefined
        ? p
        : { ...p, window: { ...p.window, from: later(p.building, p.window.from) } },
    ),
  };
}

/** One plan's cost and unmet GPU-months over a set of slip draws, after recourse. */
export interface PlanOnDraws {
  /** The plan with no slips. */
  readonly nominal: Micros;
  readonly total: CostPercentiles;
  readonly unmetGpuMonths: Percentiles;
}

/**
 * Evaluates several plans of one problem on the same `runs` slip draws (`slipSampler` on
 * `random`), with the same recourse as `planRisk`: the fair comparison of a nominal and a
 * hedged plan. Pure and deterministic for a given seed.
 */
export function comparePlansOnDraws(
  problem: PlacementProblem,
  plans: readonly (readonly Placement[])[],
  options: { readonly runs: number; readonly random: Random; readonly correlation?: number },
): PlanOnDraws[] {
  const runs = Math.max(1, Math.floor(options.runs));
  const sampler = slipSampler(problem.scenario, options.random, options.correlation);
  const evaluators = plans.map((plan) => recourseEvaluator(problem, plan, sampler.pools));
  const totals = plans.map(() => [] as Micros[]);
  const unmet = plans.map(() => new Float64Array(runs));
  const slips = new Int32Array(sampler.pools.length);
  for (let run = 0; run < runs; run++) {
    sampler.draw(slips);
    evaluators.forEach((evaluator, i) => {
      const outcome = evaluator.evaluate(slips);
      totals[i]?.push(outcome.total);
      (unmet[i] as Float64Array)[run] = outcome.unmetGpuMonths;
    });
  }
  return evaluators.map((evaluator, i) => {
    const list = (totals[i] ?? []).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const rank = (p: number) => list[Math.max(1, Math.ceil((p / 100) * runs)) - 1] ?? 0n;
    const sum = list.reduce((a, b) => a + b, 0n);
    return {
      nominal: evaluator.nominal.total,
      total: { p10: rank(10), p50: rank(50), p90: rank(90), mean: sum / BigInt(runs) },
      unmetGpuMonths: percentilesByColumn(unmet[i] as Float64Array, runs, 1)[0] ?? {
        p10: 0,
        p50: 0,
        p90: 0,
        mean: 0,
      },
    };
  });
}
