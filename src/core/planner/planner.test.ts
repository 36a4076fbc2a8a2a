import { describe, expect, it } from 'vitest';
import { centsToNumber, formatUSD, toCents } from '../money.js';
import { createHighsSolver } from '../../solver/highs-solver.js';
import { planToJson } from './plan-json.js';
import {
  choosePlanner,
  EXACT_PLAN_TRIPLE_LIMIT,
  EXACT_TRIPLE_LIMIT,
  planProblem,
} from './planner.js';
import { buildProblem } from './problem.js';
import type { LinearSolver, SolveOptions } from './solver.js';
import { generatedScenario } from '../../test-support/generated.js';

function problemOf(workloads: number, pools: number, months: number) {
  return buildProblem(generatedScenario({ workloads, pools, months, seed: 3 }));
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
      exact: { status: 'overran' },
    });
    // Apart from the report, the plan is the one `--solver fast` gives.
    const fast = planToJson(planProblem(problem, { planner: 'fast' }));
    expect({ ...planToJson(plan), solver: fast.solver }).toEqual(fast);
  });

  it('gives the fast plan when HiGHS stops at its limit with a dearer one, and says so', () => {
    const problem = problemOf(40, 8, 6);
    // Stopped at the limit before it placed anything: the plan of nothing, no bound.
    const placingNothing = (status: 'optimal' | 'time-limit'): LinearSolver => ({
      name: 'stopped',
      solve: (model) => ({
        status,
        values: new Float64Array(model.numCols),
        objective: 0,
        bound: -Infinity,
      }),
    });
    const plan = planProblem(problem, {
      planner: 'exact',
      solver: placingNothing('time-limit'),
      timeLimitSeconds: 5,
    });
    const fast = planProblem(problem, { planner: 'fast' });
    const nothing = planProblem(problem, { planner: 'exact', solver: placingNothing('optimal') });
    expect(nothing.objective.total).toBeGreaterThan(fast.objective.total);
    expect(plan.solver).toEqual({
      method: 'fast',
      status: 'feasible',
      boundSource: 'lagrangian',
      note: `HiGHS stopped at its 5 s time limit with a plan costing ${formatUSD(toCents(nothing.objective.total))}; this is the fast planner's plan, which costs less`,
      exact: { status: 'time-limit', total: nothing.objective.total },
    });
    expect(planToJson(plan).solver.exact).toEqual({
      status: 'time-limit',
      totalUSD: centsToNumber(toCents(nothing.objective.total)),
    });
    expect({ ...plan, solver: fast.solver }).toEqual(fast);
  });

  it("keeps HiGHS's plan at its limit when it is no dearer, with the higher bound", async () => {
    const problem = problemOf(40, 8, 6);
    const highs = await createHighsSolver();
    // HiGHS's optimum, reported as if stopped at the limit without a bound.
    const weak: LinearSolver = {
      name: 'HiGHS',
      solve: (model, options) => {
        const outcome = highs.solve(model, { ...(options.start ? { start: options.start } : {}) });
        return 'values' in outcome
          ? { ...outcome, status: 'time-limit', bound: -Infinity }
          : outcome;
      },
    };
    const plan = planProblem(problem, { planner: 'exact', solver: weak, timeLimitSeconds: 30 });
    const optimal = planProblem(problem, { planner: 'exact', solver: highs });
    const fast = planProblem(problem, { planner: 'fast' });
    expect(plan.assignments).toEqual(optimal.assignments);
    expect(plan.solver).toEqual({
      method: 'exact',
      status: 'time-limit',
      boundSource: 'lagrangian',
    });
    expect(plan.lowerBound).toBe(fast.lowerBound);
    expect(plan.lowerBound).toBeGreaterThan(0n);
  });

  it('answers with the fast plan, and says why, when HiGHS fails', () => {
    const problem = problemOf(20, 5, 6);
    const failing: LinearSolver = {
      name: 'broken',
      solve: () => ({ status: 'error', message: 'Aborted()' }),
    };
    const plan = planProblem(problem, { planner: 'exact', solver: failing });
    expect(plan.solver).toEqual({
      method: 'fast',
      status: 'feasible',
      boundSource: 'lagrangian',
      note: "HiGHS failed: Aborted(); this is the fast planner's plan",
      exact: { status: 'failed' },
    });
  });

  it('passes on a solver that finds no plan where the model always has one', () => {
    const problem = problemOf(20, 5, 6);
    const failing: LinearSolver = {
      name: 'broken',
      solve: () => ({ status: 'no-solution', message: 'it broke' }),
    };
    expect(() => planProblem(problem, { planner: 'exact', solver: failing })).toThrow(
      'broken found no plan: it broke',
    );
  });

  it('lets auto pick exact up to the limit of what the plan is for, and fast above it', () => {
    const tiny = problemOf(20, 5, 6);
    expect(tiny.triples.count).toBeGreaterThan(0);
    expect(tiny.triples.count).toBeLessThanOrEqual(EXACT_PLAN_TRIPLE_LIMIT);
    expect(choosePlanner(tiny, 'auto', 'plan')).toBe('exact');
    expect(choosePlanner(tiny, 'auto', 'compare')).toBe('exact');
    const small = problemOf(60, 10, 12);
    expect(small.triples.count).toBeGreaterThan(EXACT_PLAN_TRIPLE_LIMIT);
    expect(small.triples.count).toBeLessThanOrEqual(EXACT_TRIPLE_LIMIT);
    expect(choosePlanner(small, 'auto', 'plan')).toBe('fast');
    expect(choosePlanner(small, 'auto', 'compare')).toBe('exact');
    expect(choosePlanner(small, 'exact', 'plan')).toBe('exact');
    const large = problemOf(300, 40, 24);
    expect(large.triples.count).toBeGreaterThan(EXACT_TRIPLE_LIMIT);
    expect(choosePlanner(large, 'auto', 'compare')).toBe('fast');
    expect(choosePlanner(large, 'exact', 'compare')).toBe('exact');
    expect(choosePlanner(large, 'fast', 'plan')).toBe('fast');
  });
});
