import type { Scenario } from '../core/model.js';
import type { FastResult } from '../core/planner/fast.js';
import { finishPlan } from '../core/planner/finish.js';
import type { PlacementProblem } from '../core/planner/problem.js';
import { buildProblem } from '../core/planner/problem.js';
import { seededRandom } from '../core/random.js';
import type { Family } from '../scenario/generate-families.js';
import { generateScenario } from '../scenario/generate.js';
import type { ScenarioInput } from '../scenario/schema.js';
import { parseScenarioOrThrow } from '../scenario/parse.js';

/** A portfolio from the project's generator (`stargate gen`): size, gang share and seed. */
export interface GeneratedSize {
  readonly workloads: number;
  readonly pools: number;
  readonly months: number;
  /** Default 0.1, as the benchmark's. */
  readonly gangShare?: number;
  /** Default 1. */
  readonly seed?: number;
  /** An instance family (`stargate gen --family`); default `standard`. */
  readonly family?: Family;
}

/** The generated scenario document, as `stargate gen` writes it. */
export function generatedDocument(size: GeneratedSize): ScenarioInput {
  const { workloads, pools, months, gangShare = 0.1, seed = 1, family } = size;
  return generateScenario({
    workloads,
    pools,
    months,
    gangShare,
    ...(family === undefined ? {} : { family }),
    random: seededRandom(seed),
  });
}

/** The generated scenario, read through the real parser as a JSON file would be. */
export function generatedScenario(size: GeneratedSize): Scenario {
  return parseScenarioOrThrow(JSON.stringify(generatedDocument(size)));
}

/** The placement problem of a generated portfolio. */
export function generatedProblem(size: GeneratedSize): PlacementProblem {
  return buildProblem(generatedScenario(size));
}

/** A fast plan's total in USD, priced exactly and verified as every plan is. */
export function fastPlanTotal(problem: PlacementProblem, result: FastResult): number {
  const plan = finishPlan(problem, result.placements, {
    method: 'fast',
    status: 'feasible',
    boundSource: 'lagrangian',
    bound: result.bound,
  });
  return Number(plan.objective.total) / 1e6;
}
