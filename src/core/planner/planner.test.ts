import { describe, expect, it } from 'vitest';
import { seededRandom } from '../random.js';
import { generateScenario } from '../../scenario/generate.js';
import { parseScenarioOrThrow } from '../../scenario/parse.js';
import { planToJson } from './plan-json.js';
import { choosePlanner, EXACT_TRIPLE_LIMIT, planProblem } from './planner.js';
import { buildProblem } from './problem.js';
import type { LinearSolver, SolveOptions } from './solver.js';

function problemOf(workloads: number, pools: number, months: number) {
  const document = generateScenario({
    workloads,
    pools,
    months,
    gangShare: 0.1,
    random: seededRandom(3),
  });
  return buildProblem(parseScenarioOrThrow(JSON.stringify(document)));
}

/** A solver that never finishes in time, as HiGHS sometimes does not. */
function overrunning(seen: SolveOptions[]): LinearSolver {
  return {
    name: 'slow',
    solve(_model, options) {
      seen.push(options);
      return { status: 'overran', message: 'slow did not stop at its 2 s time limit' };
    },
  };
}

describe('planProblem', () => {
  it('answers with the fast plan, and says why, when the exact solver overruns', () => {
    const problem = problemOf(40, 8, 6);
    const seen: SolveOptions[] = [];
    const plan = planProblem(problem, {
      planner: 'exact',
      solver: overrunning(seen),
      timeLimitSeconds: 2,
      // A deadline already past: the fallback must not be cut short by it.
      fast: { deadline: { now: () => 10, at: 0 } },
    });
    expect(seen.map((o) => o.timeLimitSeconds)).toEqual([2]);
    expect(plan.solver).toEqual({
      method: 'fast',
      status: 'feasible',
      boundSource: 'lagrangian',
      note: "slow did not stop at its 2 s time limit; this is the fast planner's plan",
    });
    // Apart from the report, the plan is the one `--solver fast` gives.
    const fast = planToJson(planProblem(problem, { planner: 'fast' }));
    expect({ ...planToJson(plan), solver: fast.solver }).toEqual(fast);
  });

  it('passes other solver failures on', () => {
    const problem = problemOf(20, 5, 6);
    const failing: LinearSolver = {
      name: 'broken',
      solve: () => ({ status: 'error', message: 'it broke' }),
    };
    expect(() => planProblem(problem, { planner: 'exact', solver: failing })).toThrow(
      'broken found no plan: it broke',
    );
  });

  it('lets auto pick exact up to the triple limit and fast above it', () => {
    const small = problemOf(20, 5, 6);
    expect(small.triples.count).toBeLessThanOrEqual(EXACT_TRIPLE_LIMIT);
    expect(choosePlanner(small, 'auto')).toBe('exact');
    const large = problemOf(300, 40, 24);
    expect(large.triples.count).toBeGreaterThan(EXACT_TRIPLE_LIMIT);
    expect(choosePlanner(large, 'auto')).toBe('fast');
    expect(choosePlanner(large, 'exact')).toBe('exact');
  });
});
