import type { Micros } from '../money.js';
import { centsToNumber, toCents } from '../money.js';
import type { PlanOnDraws } from './hedge.js';
import type { PlanRisk } from './risk.js';

/** What a risk report was run with: the seed of its draws, and where its plan came from. */
export interface RiskSource {
  readonly seed: number;
  /** Where the plan came from: `planned now (exact, optimal)`, a plan file's path, a stored plan. */
  readonly plan: string;
}

/** `--hedge N`: the candidate plans in sample, and the nominal and chosen plans held out. */
export interface HedgeReport {
  /** In-sample draws. */
  readonly samples: number;
  readonly inSampleSeed: number;
  /** Plan as if each building slipped by this percentile of its in-sample draws (0: nominal). */
  readonly candidates: readonly { readonly quantile: number; readonly inSample: PlanOnDraws }[];
  /** The candidate with the lowest in-sample expected cost. */
  readonly chosen: number;
  /** On the held-out draws (the report's own). */
  readonly nominal: PlanOnDraws;
  readonly hedged: PlanOnDraws;
}

const dollars = (micros: Micros) => centsToNumber(toCents(micros));

function onDrawsToJson(r: PlanOnDraws) {
  return {
    noSlipTotalUSD: dollars(r.nominal),
    totalUSD: {
      mean: dollars(r.total.mean),
      p10: dollars(r.total.p10),
      p50: dollars(r.total.p50),
      p90: dollars(r.total.p90),
    },
    unmetGpuMonths: r.unmetGpuMonths,
  };
}

/**
 * A plan under slip risk as JSON: amounts in USD (cents exact), GPU-months as numbers. The
 * document of `stargate risk --format json` and, without the hedge, of
 * `GET /v1/plans/{id}/risk`: both call this, so the two agree for the same plan and seed.
 *
 * @example riskToJson(planRisk(problem, placements, options), { seed: 1, plan: 'plan.json' })
 */
export function riskToJson(risk: PlanRisk, source: RiskSource, hedge?: HedgeReport) {
  return {
    scenario: risk.scenario,
    runs: risk.runs,
    seed: source.seed,
    correlation: risk.correlation,
    plan: source.plan,
    slippingBuildings: risk.slipping,
    buildings: risk.buildings,
    nominal: {
      totalUSD: dollars(risk.nominal.total),
      unmetGpuMonths: risk.nominal.unmetGpuMonths,
    },
    totalUSD: {
      mean: dollars(risk.total.mean),
      p10: dollars(risk.total.p10),
      p50: dollars(risk.total.p50),
      p90: dollars(risk.total.p90),
    },
    unmetGpuMonths: risk.unmetGpuMonths,
    runsCostlier: risk.runsCostlier,
    workloads: risk.workloads.map((w) => ({
      workload: w.workload,
      runsShort: w.runsShort,
      shareOfRunsShort: w.runsShort / risk.runs,
      meanGpuMonthsShort: w.meanGpuMonthsShort,
    })),
    byBuilding: risk.byBuilding.map((b) => ({
      building: b.building,
      runsSlipped: b.runsSlipped,
      meanSlipMonths: b.meanSlipMonths,
      expectedExtraCostUSD: dollars(b.expectedExtraCost),
    })),
    ...(hedge
      ? {
          hedge: {
            samples: hedge.samples,
            inSampleSeed: hedge.inSampleSeed,
            candidates: hedge.candidates.map((c) => ({
              slipPercentile: c.quantile,
              inSample: onDrawsToJson(c.inSample),
            })),
            chosenSlipPercentile: hedge.chosen,
            heldOut: { nominal: onDrawsToJson(hedge.nominal), hedged: onDrawsToJson(hedge.hedged) },
          },
        }
      : {}),
  };
}

/** `riskToJson`'s document. */
export type RiskJson = ReturnType<typeof riskToJson>;
