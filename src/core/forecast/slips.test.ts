import { describe, expect, it } from 'vitest';
import { FINANCE } from '../../test-support/finance-scenario.js';
import { parseValid } from '../../test-support/unit-scenarios.js';
import { buildProblem } from '../planner/problem.js';
import { seededRandom } from '../random.js';
import { planRisk } from '../risk/risk.js';
import { firstQuarterFrom, quartersOf } from './capacity.js';
import { forecastCapacity } from './forecast.js';
import { percentilesByColumn } from './percentile.js';
import { slipSampler } from './slips.js';

const SCENARIO = parseValid(FINANCE);

/** `runs` draws of the sampler on `seed`, one Int32Array per run. */
function draws(seed: number, runs: number, correlation?: number): Int32Array[] {
  const sampler = slipSampler(SCENARIO, seededRandom(seed), correlation);
  return Array.from({ length: runs }, () => {
    const out = new Int32Array(sampler.pools.length);
    sampler.draw(out);
    return out;
  });
}

describe('slipSampler', () => {
  it('draws a slip for each building with a delay, in pool order, the same for the same seed', () => {
    const sampler = slipSampler(SCENARIO, seededRandom(1));
    expect(sampler.pools.map((p) => SCENARIO.pools[p]?.id)).toEqual(['b1', 'b2']);
    expect(sampler.correlation).toBe(0.3); // the programme's slipCorrelation
    const first = draws(1, 6).map((run) => Array.from(run));
    expect(first).toEqual(draws(1, 6).map((run) => Array.from(run)));
    // b1 slips 0 or 3 months; b2 0..6.
    for (const [b1, b2] of first) {
      expect([0, 3]).toContain(b1);
      expect(b2).toBeGreaterThanOrEqual(0);
      expect(b2).toBeLessThanOrEqual(6);
    }
    expect(first).not.toEqual(draws(2, 6).map((run) => Array.from(run)));
  });

  it('gives the forecast its slips: GPUs online per quarter recomputed from the draws match', () => {
    for (const correlation of [0, 0.3, 1]) {
      const runs = 400;
      const forecast = forecastCapacity(SCENARIO, {
        runs,
        random: seededRandom(7),
        correlation,
      });
      const quarters = quartersOf(SCENARIO.horizon);
      const Q = quarters.length;
      const sampler = slipSampler(SCENARIO, seededRandom(7), correlation);
      const totals = new Float64Array(runs * Q);
      const slips = new Int32Array(sampler.pools.length);
      for (let run = 0; run < runs; run++) {
        sampler.draw(slips);
        SCENARIO.pools.forEach((pool, p) => {
          const k = sampler.pools.indexOf(p);
          const online = pool.window.from + (k < 0 ? 0 : (slips[k] ?? 0));
          const from = firstQuarterFrom(quarters, online as typeof pool.window.from);
          for (let q = from; q < Q; q++)
            totals[run * Q + q] = (totals[run * Q + q] ?? 0) + pool.gpus;
        });
      }
      expect(forecast.simulation?.totalGpus).toEqual(percentilesByColumn(totals, runs, Q));
    }
  });

  it('gives the risk report the same slips as the forecast for the same seed', () => {
    const runs = 300;
    const expected = draws(11, runs);
    const risk = planRisk(buildProblem(SCENARIO), [], { runs, random: seededRandom(11) });
    const byBuilding = new Map(risk.byBuilding.map((b) => [b.building, b]));
    ['b1', 'b2'].forEach((building, k) => {
      const slips = expected.map((run) => run[k] ?? 0);
      expect(byBuilding.get(building)?.runsSlipped).toBe(slips.filter((s) => s > 0).length);
      expect(byBuilding.get(building)?.meanSlipMonths).toBeCloseTo(
        slips.reduce((a, b) => a + b, 0) / runs,
        12,
      );
    });
    // About a quarter of runs slip b1 (probability 0.25).
    expect(byBuilding.get('b1')?.runsSlipped).toBeGreaterThan(50);
    expect(byBuilding.get('b1')?.runsSlipped).toBeLessThan(100);
  });
});
