import type { Scenario } from '../model.js';
import type { Random } from '../random.js';
import { normalCdf, normalSource, slipQuantile } from './delay.js';

/**
 * Draws construction slips, one run at a time: the single source of slips for the forecast
 * (`forecastCapacity`) and for a plan under slip risk (`planRisk`), so the same scenario, seed
 * and correlation give both the same slips, run for run.
 */
export interface SlipSampler {
  /**
   * The pools that slip: the indices into `scenario.pools` of every building's pool whose
   * building has a `delay` distribution, in pool order (ids in code-point order). Run `r`'s
   * slip of `pools[k]` is what `draw` writes at `out[k]`.
   */
  readonly pools: readonly number[];
  /** The slip correlation ρ used, 0–1. */
  readonly correlation: number;
  /** Draws one run: whole months of slip (≥ 0) for each of `pools`, into `out[0..pools.length)`. */
  draw(out: Int32Array): void;
}

/**
 * The slip sampler of a scenario. Each run draws one common standard normal Z (when ρ > 0) and
 * for building i a uniform uᵢ = Φ(√ρ·Z + √(1−ρ)·εᵢ) — a one-factor Gaussian copula — or, when
 * ρ = 0, uᵢ straight from `random`; the slip is the building's delay quantile at uᵢ. The random
 * source is consumed in exactly this order, so two samplers on equal seeds draw equal slips.
 *
 * @param correlation ρ, clipped to 0–1; default the programme's `slipCorrelation`, else 0.
 * @example const sampler = slipSampler(scenario, seededRandom(1)); const out = new Int32Array(sampler.pools.length); sampler.draw(out)
 */
export function slipSampler(
  scenario: Scenario,
  random: Random,
  correlation: number = scenario.programme?.slipCorrelation ?? 0,
): SlipSampler {
  const delays = new Map(
    scenario.buildings.flatMap((b) => (b.delay ? [[b.id, b.delay] as const] : [])),
  );
  const pools: number[] = [];
  const quantiles: ((u: number) => number)[] = [];
  scenario.pools.forEach((pool, index) => {
    const delay = pool.building === undefined ? undefined : delays.get(pool.building);
    if (!delay) return;
    pools.push(index);
    quantiles.push(slipQuantile(delay));
  });
  const rho = Math.min(1, Math.max(0, correlation));
  const shared = Math.sqrt(rho);
  const own = Math.sqrt(1 - rho);
  const normal = normalSource(random);
  return {
    pools,
    correlation,
    draw(out) {
      const common = rho > 0 ? normal() : 0;
      for (let k = 0; k < quantiles.length; k++) {
        const u = rho > 0 ? normalCdf(shared * common + own * normal()) : random.next();
        out[k] = (quantiles[k] as (u: number) => number)(u);
      }
    },
  };
}
