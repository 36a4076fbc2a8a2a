import { beforeAll, describe, expect, it } from 'vitest';
import { createHighsSolver } from '../../solver/highs-solver.js';
import type { Family } from '../../scenario/generate-families.js';
import { fastPlanTotal, generatedProblem } from '../../test-support/generated.js';
import { seededRandom } from '../random.js';
import { costs, prepare, weightTable } from './fast-model.js';
import type { Prepared } from './fast-model.js';
import { dropBrokenGangs, planFast } from './fast.js';
import type { MonthCuts } from './gang-benders.js';
import { BendersMaster, cutsFromFlows } from './gang-benders.js';
import { MonthFlows } from './month-flows.js';
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

/** Run sets: one option of about half the gang workloads each, drawn with `seed`. */
function runSets(model: Prepared, count: number, seed: number): Uint8Array[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => {
    const chosen = new Uint8Array(model.optionValue.length);
    for (let index = 0; index < model.gangOrder.length; index++) {
      if (random.next() < 0.5) continue;
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
  it.each<[Family, number]>([
    ['gang-heavy', 2],
    ['mixed', 3],
    ['long-gangs', 1],
  ])(
    'are below every month’s cost at every run set, and exact where taken (%s 40 × 10 × 8, seed %i)',
    (family, seed) => {
      const problem = generatedProblem({ family, workloads: 40, pools: 10, months: 8, seed });
      const model = prepare(problem);
      const flows = new MonthFlows(model);
      const mu = new Float64Array(model.commitments.length).fill(0.3);
      const sets = runSets(model, 8, seed);
      const taken: { cut: MonthCuts; cost: Float64Array; chosen: Uint8Array }[] = [];
      for (const chosen of sets) {
        flows.solve(chosen, weightTable(model, mu));
        const cost = monthCosts(model, flows, chosen, mu);
        if (!cost) continue;
        taken.push({ cut: cutsFromFlows(model, flows, mu), cost, chosen });
      }
      expect(taken.length).toBeGreaterThanOrEqual(4);
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

describe('the Benders master', () => {
  it('proposes runs within its radius, one per workload, that it prefers, and the same twice', () => {
    const problem = generatedProblem({
      family: 'gang-heavy',
      workloads: 60,
      pools: 12,
      months: 12,
      seed: 2,
    });
    const model = prepare(problem);
    const flows = new MonthFlows(model);
    const mu = new Float64Array(model.commitments.length).fill(0.5);
    const [incumbent = new Uint8Array(0)] = runSets(model, 1, 7);
    flows.solve(incumbent, weightTable(model, mu));
    const master = new BendersMaster(model);
    master.addCut(cutsFromFlows(model, flows, mu));
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
    }
  });
});

describe('the fast planner’s Benders rounds', () => {
  // The search ends 0.42 % above HiGHS's proven optimum ($3.3979B, HiGHS 8 s), and the re-pack
  // alone finds nothing better (measured); with the Benders rounds the plan is that optimum.
  it('reach HiGHS’s proven optimum where the search ends short (gang-heavy 60 × 12 × 12, seed 2)', () => {
    const problem = generatedProblem({
      family: 'gang-heavy',
      workloads: 60,
      pools: 12,
      months: 12,
      seed: 2,
    });
    const searched = fastPlanTotal(problem, planFast(problem));
    const result = planFast(problem, { solver: highs, repackFrom: 0 });
    const total = fastPlanTotal(problem, result);
    expect(searched).toBeGreaterThan(3.3979e9 * 1.004);
    expect(total).toBeLessThan(3.3979e9 * 1.00001);
    expect(result.bound).toBeLessThanOrEqual(result.total);
    // Deterministic: the same plan again.
    expect(planFast(problem, { solver: highs, repackFrom: 0 }).placements).toEqual(
      result.placements,
    );
  });
});
