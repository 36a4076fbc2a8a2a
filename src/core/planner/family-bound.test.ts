import { beforeAll, describe, expect, it } from 'vitest';
import { createHighsSolver } from '../../solver/highs-solver.js';
import { FAMILIES } from '../../scenario/generate-families.js';
import { generateScenario } from '../../scenario/generate.js';
import { parseScenarioOrThrow } from '../../scenario/parse.js';
import { centsToNumber, microsToFloat } from '../money.js';
import { seededRandom } from '../random.js';
import { planExact } from './exact.js';
import { planProblem } from './planner.js';
import { buildProblem } from './problem.js';
import type { LinearSolver, SolveOutcome } from './solver.js';

// Issue 14, item 5: the plan's `bound` is a valid lower bound on every kind of portfolio, not
// only the standard mix. Small enough that HiGHS proves each optimum in well under a second.
const SIZE = { workloads: 30, pools: 8, months: 6 };
const SEEDS = [1, 2, 3];

let solver: LinearSolver;
beforeAll(async () => {
  solver = await createHighsSolver();
});

describe.each(FAMILIES)('family %s, 30 × 8 × 6', (family) => {
  it.each(SEEDS)('seed %i: the fast planner’s bound is at most HiGHS’s optimum', (seed) => {
    const document = generateScenario({
      ...SIZE,
      gangShare: 0.1,
      family,
      random: seededRandom(seed),
    });
    const problem = buildProblem(parseScenarioOrThrow(JSON.stringify(document)));

    // One HiGHS solve, seen as it is and as the exact planner prices it.
    const outcomes: SolveOutcome[] = [];
    const recording: LinearSolver = {
      name: solver.name,
      solve: (model, options) => {
        const outcome = solver.solve(model, options);
        outcomes.push(outcome);
        return outcome;
      },
    };
    const exact = planExact(problem, recording, { relativeGap: 1e-9 });
    const outcome = outcomes[0];
    if (outcome === undefined || !('objective' in outcome)) throw new Error('HiGHS failed');
    expect(outcome.status).toBe('optimal');
    expect(exact.solver.status).toBe('optimal');
    const optimum = outcome.objective;

    // The exact plan, priced again in integer arithmetic, is that optimum to the cent.
    const exactTotal = microsToFloat(exact.objective.total);
    expect(Math.abs(exactTotal - optimum)).toBeLessThanOrEqual(0.01 + 1e-9 * optimum);
    expect(centsToNumber(exact.lowerBound)).toBeLessThanOrEqual(exactTotal + 0.01);

    const fast = planProblem(problem, { planner: 'fast' });
    const bound = centsToNumber(fast.lowerBound);
    // A cent of float noise where the bound meets the optimum.
    expect(bound).toBeLessThanOrEqual(optimum + 0.01);
    expect(microsToFloat(fast.objective.total)).toBeGreaterThanOrEqual(optimum - 0.01);
  });
});
