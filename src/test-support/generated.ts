import type { Scenario } from '../core/model.js';
import { seededRandom } from '../core/random.js';
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
}

/** The generated scenario document, as `stargate gen` writes it. */
export function generatedDocument(size: GeneratedSize): ScenarioInput {
  const { workloads, pools, months, gangShare = 0.1, seed = 1 } = size;
  return generateScenario({ workloads, pools, months, gangShare, random: seededRandom(seed) });
}

/** The generated scenario, read through the real parser as a JSON file would be. */
export function generatedScenario(size: GeneratedSize): Scenario {
  return parseScenarioOrThrow(JSON.stringify(generatedDocument(size)));
}
