import { describe, expect, it } from 'vitest';
import { generateScenario } from '../../scenario/generate.js';
import { parseScenarioOrThrow } from '../../scenario/parse.js';
import { seededRandom } from '../random.js';
import { repairCommitments } from './fast.js';
import { objective, prepare, toPlacements } from './fast-model.js';
import { finishPlan } from './finish.js';
import { buildProblem } from './problem.js';

/**
 * The take-or-pay repair on plans it did not make: on binding-commitments portfolios with a
 * second commitment on Azure over part of the first's window (so a GPU there counts twice), a
 * plan that puts every demand on its dearest pool is repaired. The repair must keep the plan
 * feasible (checked by the planner's verifier) and never raise its cost: each GPU it places is
 * paid for by a shortfall, and each it moves saves its source's price without making another
 * commitment short.
 */
function problemOf(seed: number) {
  const document = generateScenario({
    workloads: 40,
    pools: 10,
    months: 8,
    gangShare: 0.1,
    family: 'binding-commitments',
    random: seededRandom(seed),
  });
  const contract = document.contracts?.[0];
  if (!contract) throw new Error('no contract');
  contract.terms.push({
    id: 'azure-early',
    type: 'commitment',
    provider: 'azure',
    minSpendUSD: '40000000.00',
    window: { from: document.horizon.start, to: '2025-04' },
  });
  return buildProblem(parseScenarioOrThrow(JSON.stringify(document)));
}

describe('repairCommitments', () => {
  it.each([1, 2, 3, 4])(
    'keeps a plan feasible and never dearer, with overlapping commitments (seed %i)',
    (seed) => {
      const problem = problemOf(seed);
      const model = prepare(problem);
      const x = new Float64Array(model.spendPerGpu.length);
      const used: number[] = [];
      // Every splittable demand on its dearest triple, up to the room left there.
      const free = Float64Array.from(model.capacity);
      for (let d = 0; d < model.demandWorkload.length; d++) {
        let dearest = -1;
        for (let i = model.demandStart[d] ?? 0; i < (model.demandStart[d + 1] ?? 0); i++) {
          if (dearest < 0 || (model.spendPerGpu[i] ?? 0) > (model.spendPerGpu[dearest] ?? 0)) {
            dearest = i;
          }
        }
        if (dearest < 0) continue;
        const c = model.capIndex[dearest] ?? 0;
        const gpus = Math.min(model.demandNeed[d] ?? 0, free[c] ?? 0);
        if (gpus <= 0) continue;
        x[dearest] = gpus;
        free[c] = (free[c] ?? 0) - gpus;
        used.push(dearest);
      }
      const before = objective(model, x, used);
      repairCommitments(model, x, used);
      const after = objective(model, x, used);
      expect(after).toBeLessThanOrEqual(before + 1e-6 * Math.abs(before));
      // The dearest pools leave commitments short: the repair has work to do here.
      expect(after).toBeLessThan(before);
      // Priced exactly and verified, as every plan is: throws if a rule is broken.
      const plan = finishPlan(problem, toPlacements(model, x, used), {
        method: 'fast',
        status: 'feasible',
        boundSource: 'lagrangian',
        bound: 0,
      });
      expect(Number(plan.objective.total) / 1e6).toBeCloseTo(after, -2);
    },
  );
});
