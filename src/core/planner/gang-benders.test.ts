import { beforeAll, describe, expect, it } from 'vitest';
import { createHighsSolver } from '../../solver/highs-solver.js';
import type { Family } from '../../scenario/generate-families.js';
import { fastPlanTotal, generatedProblem } from '../../test-support/generated.js';
import { dedent, parseValid } from '../../test-support/unit-scenarios.js';
import { seededRandom } from '../random.js';
import { costs, prepare, weightTable } from './fast-model.js';
import type { Prepared } from './fast-model.js';
import { dropBrokenGangs, planFast } from './fast.js';
import type { MonthCuts } from './gang-benders.js';
import { BendersMaster, cutsFromFlows } from './gang-benders.js';
import { MonthFlows } from './month-flows.js';
import { buildProblem } from './problem.js';
import type { LinearSolver } from './solver.js';

let highs: LinearSolver;
beforeAll(async () => {
  highs = await createHighsSolver();
});

/** Per month, the flows' cost with the runs `chosen`; undefined where a run is not served. */
function monthCosts(model: Prepared, flows: MonthFlows, chosen: Uint8Array, mu: Float64Array) {
  const n = model.spendPerGpu.length;
  const x = new Float64Array(n);
  const used: number[] = [];
  flows.addFlows(x, chosen, used);
  if (dropBrokenGangs(model, x).length > 0) return undefined;
  const effective = new Float64Array(n);
  costs(model, undefined, mu, effective, new Float64Array(n));
  const cost = new Float64Array(model.months);
  for (const i of used) {
    const m = (model.capIndex[i] ?? 0) % model.months;
    cost[m] = (cost[m] ?? 0) + (x[i] ?? 0) * ((effective[i] ?? 0) - (model.valuePerGpu[i] ?? 0));
  }
  return cost;
}

/** Per month, the cut's value at the runs `chosen`. */
function cutValue(model: Prepared, cut: MonthCuts, chosen: Uint8Array): Float64Array {
  const value = Float64Array.from(cut.constant);
  chosen.forEach((run, g) => {
    if (run !== 1) return;
    for (
      let group = model.optionGroupStart[g] ?? 0;
      group < (model.optionGroupStart[g + 1] ?? 0);
      group++
    ) {
      const m = model.groupMonth[group] ?? 0;
      value[m] = (value[m] ?? 0) + (cut.slope[group] ?? 0);
    }
  });
  return value;
}

/** Run sets: one option of about `share` of the gang workloads each, drawn with `seed`. */
function runSets(model: Prepared, count: number, seed: number, share = 0.5): Uint8Array[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => {
    const chosen = new Uint8Array(model.optionValue.length);
    for (let index = 0; index < model.gangOrder.length; index++) {
      if (random.next() >= share) continue;
      const from = model.gangOptionStart[index] ?? 0;
      const to = model.gangOptionStart[index + 1] ?? 0;
      const viable: number[] = [];
      for (let k = from; k < to; k++) {
        const g = model.gangOptions[k] ?? 0;
        if ((model.optionValue[g] ?? 0) > 0) viable.push(g);
      }
      if (viable.length > 0) chosen[viable[random.int(0, viable.length - 1)] ?? 0] = 1;
    }
    return chosen;
  });
}

describe('the Benders cuts of the month problems', () => {
  // At 400 × 60 × 36 a pool's potential is above what any splittable demand could earn there on
  // some pool-months (runs compete for it): a ceiling from splittable demand alone left the cut
  // up to 0.28 % below the flows' cost at its own runs.
  it.each<[Family, number, number, number, number]>([
    ['gang-heavy', 2, 40, 10, 8],
    ['mixed', 3, 40, 10, 8],
    ['long-gangs', 1, 40, 10, 8],
    ['gang-heavy', 3, 400, 60, 36],
  ])(
    'are below every month’s cost at every run set, and exact where taken (%s, seed %i, %i × %i × %i)',
    (family, seed, workloads, pools, months) => {
      const problem = generatedProblem({ family, workloads, pools, months, seed });
      const model = prepare(problem);
      const flows = new MonthFlows(model);
      const mu = new Float64Array(model.commitments.length).fill(0.3);
      // Sets with a run the flows cannot serve are left out (their cost is not the model's):
      // at 400 × 60 × 36 a set of half the gangs always has one.
      const sets = workloads > 100 ? runSets(model, 5, seed, 0.05) : runSets(model, 8, seed);
      const taken: { cut: MonthCuts; cost: Float64Array; chosen: Uint8Array }[] = [];
      for (const chosen of sets) {
        flows.solve(chosen, weightTable(model, mu));
        const cost = monthCosts(model, flows, chosen, mu);
        if (!cost) continue;
        taken.push({ cut: cutsFromFlows(model, flows, mu), cost, chosen });
      }
      expect(taken.length).toBeGreaterThanOrEqual(3);
      const tolerance = (v: number) => 1e-6 * Math.abs(v) + 1;
      for (const at of taken) {
        // Exact at its own runs, month by month (the flows' costs are whole 1e-4 USD units).
        const own = cutValue(model, at.cut, at.chosen);
        at.cost.forEach((cost, m) => {
          expect(Math.abs((own[m] ?? 0) - cost)).toBeLessThanOrEqual(tolerance(cost));
        });
        // Below the cost at every other run set.
        for (const other of taken) {
          const value = cutValue(model, at.cut, other.chosen);
          other.cost.forEach((cost, m) => {
            expect(value[m] ?? 0).toBeLessThanOrEqual(cost + tolerance(cost));
          });
        }
      }
    },
  );
});

describe('the Benders cut of one run alone', () => {
  // One run of 10 GPUs at a site of two pools, 5 GPUs at $1/h and 10 at $3/h, and no other
  // demand: it fills the cheap pool and takes 5 of the dear one, $20/h × 744 h. The cheap pool's
  // price is what it saves the run, $2/h: no splittable demand sets it, and a cut priced from
  // splittable demand alone would say $10/h.
  it('is exact where runs alone compete for a pool', () => {
    const problem = buildProblem(
      parseValid(
        dedent(`
          apiVersion: stargate/v1
          kind: Scenario
          metadata: { name: benders-cut }
          horizon: { start: 2026-01, end: 2026-01 }
          accelerators:
            - { id: h100, kwPerGpu: 1.2 }
          providers:
            - { id: oracle, name: Oracle, kind: partner }
          sites:
            - { id: west, provider: oracle }
          pools:
            - { id: cheap, provider: oracle, site: west, accelerator: h100, gpus: 5, window: { from: 2026-01, to: 2026-01 }, pricePerGpuHour: "1.00" }
            - { id: dear, provider: oracle, site: west, accelerator: h100, gpus: 10, window: { from: 2026-01, to: 2026-01 }, pricePerGpuHour: "3.00" }
          workloads:
            - { id: run, class: training, accelerators: [h100], gpus: 10, gang: true, window: { from: 2026-01, to: 2026-01 }, valuePerGpuHour: "5" }
        `),
      ),
    );
    const model = prepare(problem);
    const flows = new MonthFlows(model);
    const mu = new Float64Array(0);
    const chosen = Uint8Array.from(model.optionValue, (value) => (value > 0 ? 1 : 0));
    expect(chosen.reduce((a, b) => a + b, 0)).toBe(1);
    flows.solve(chosen, weightTable(model, mu));
    const cost = monthCosts(model, flows, chosen, mu);
    expect(cost?.[0]).toBeCloseTo(20 * 744, 6);
    const cut = cutsFromFlows(model, flows, mu);
    expect(cutValue(model, cut, chosen)[0]).toBeCloseTo(20 * 744, 6);
  });
});

/** The portfolio of the master's tests and the round's test, where the search ends short. */
const GANG_HEAVY_60 = {
  family: 'gang-heavy',
  workloads: 60,
  pools: 12,
  months: 12,
  seed: 2,
} as const;

/**
 * A master with one cut, taken at a random run set of gang-heavy 60 × 12 × 12 seed 2, the
 * incumbent; the flows hold that run set.
 */
function masterAtRandomRuns() {
  const problem = generatedProblem(GANG_HEAVY_60);
  const model = prepare(problem);
  const flows = new MonthFlows(model);
  const mu = new Float64Array(model.commitments.length).fill(0.5);
  const [incumbent = new Uint8Array(0)] = runSets(model, 1, 7);
  flows.solve(incumbent, weightTable(model, mu));
  const master = new BendersMaster(model);
  master.addCut(cutsFromFlows(model, flows, mu));
  return { problem, model, flows, mu, incumbent, master };
}

describe('the Benders master', () => {
  it('proposes runs within its radius, one per workload, that it prefers, and the same twice', () => {
    const { problem, model, flows, mu, incumbent, master } = masterAtRandomRuns();
    for (const radius of [2, 6, Infinity]) {
      const next = master.propose(incumbent, highs, () => 30, radius);
      expect(next).toBeDefined();
      if (!next) continue;
      expect(master.propose(incumbent, highs, () => 30, radius)).toEqual(next);
      let changes = 0;
      next.forEach((run, g) => {
        if (run !== incumbent[g]) changes++;
      });
      expect(changes).toBeGreaterThan(0);
      expect(changes).toBeLessThanOrEqual(radius);
      // One option per workload.
      const workloads = new Set<number>();
      next.forEach((run, g) => {
        if (run !== 1) return;
        const w = problem.gangOptions[g]?.workload ?? -1;
        expect(workloads.has(w)).toBe(false);
        workloads.add(w);
      });
      // The master prefers its proposal to the incumbent.
      expect(master.value(next)).toBeLessThan(master.value(incumbent));
      // Within each place-month's GPUs: the month problems serve every run in full.
      flows.solve(next, weightTable(model, mu));
      const x = new Float64Array(model.spendPerGpu.length);
      flows.addFlows(x, next, []);
      expect(dropBrokenGangs(model, x)).toEqual([]);
      next.forEach((run, g) => {
        if (run !== 1) return;
        const from = model.optionGroupStart[g] ?? 0;
        const to = model.optionGroupStart[g + 1] ?? 0;
        for (let group = from; group < to; group++) {
          let gpus = 0;
          for (let i = model.groupStart[group] ?? 0; i < (model.groupStart[group + 1] ?? 0); i++) {
            gpus += x[i] ?? 0;
          }
          expect(gpus).toBe(model.optionNeed[g]);
        }
      });
      flows.solve(incumbent, weightTable(model, mu));
    }
  });

  it('does not propose a run set it was told to exclude', () => {
    const { incumbent, master } = masterAtRandomRuns();
    const first = master.propose(incumbent, highs, () => 30, 6);
    expect(first).toBeDefined();
    if (!first) return;
    master.exclude(first);
    const second = master.propose(incumbent, highs, () => 30, 6);
    expect(second).toBeDefined();
    expect(second).not.toEqual(first);
  });
});

describe('the fast planner’s Benders round', () => {
  // The search without its wider moves ends 0.42 % above HiGHS's proven optimum ($3.3979B,
  // HiGHS 8 s; with them 0.20 %), and the re-pack after it does not get within 0.4 % of it; with
  // the Benders round the plan is that optimum. (The relocations at the end, off here but in the
  // last plan, reach it from the search alone too: 0.196 % → 0.000 %, measured 2026-12-07.)
  it('reaches HiGHS’s proven optimum where the search ends short (gang-heavy 60 × 12 × 12, seed 2)', () => {
    const problem = generatedProblem(GANG_HEAVY_60);
    const searched = fastPlanTotal(problem, planFast(problem, { widen: false, relocate: false }));
    const widened = fastPlanTotal(problem, planFast(problem, { relocate: false }));
    const repacked = fastPlanTotal(
      problem,
      planFast(problem, {
        solver: highs,
        repackFrom: 0,
        benders: false,
        widen: false,
        relocate: false,
      }),
    );
    expect(widened).toBeGreaterThan(3.3979e9 * 1.001);
    expect(
      fastPlanTotal(problem, planFast(problem, { solver: highs, repackFrom: 0, relocate: false })),
    ).toBeLessThan(3.3979e9 * 1.00001);
    const result = planFast(problem, { solver: highs, repackFrom: 0 });
    const total = fastPlanTotal(problem, result);
    expect(searched).toBeGreaterThan(3.3979e9 * 1.004);
    expect(repacked).toBeGreaterThan(3.3979e9 * 1.004);
    expect(total).toBeLessThan(3.3979e9 * 1.00001);
    expect(result.bound).toBeLessThanOrEqual(result.total);
    // Deterministic: the same plan again.
    expect(planFast(problem, { solver: highs, repackFrom: 0 }).placements).toEqual(
      result.placements,
    );
  });
});
