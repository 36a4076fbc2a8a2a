import type { Cents } from '../money.js';
import { toCents } from '../money.js';
import { evaluatePlacements } from './evaluate.js';
import type { BoundSource, Placement, Plan, SolveStatus } from './plan.js';
import type { PlacementProblem } from './problem.js';
import { explainShortages } from './reasons.js';
import { verifyPlan } from './verify.js';

/**
 * Prices placements exactly, explains shortages, checks the result from first principles and
 * assembles the plan. `bound` is the solver's proven lower bound in USD.
 */
export function finishPlan(
  problem: PlacementProblem,
  placements: readonly Placement[],
  solve: {
    method: string;
    status: SolveStatus;
    boundSource: BoundSource;
    bound: number;
  },
): Plan {
  const evaluation = evaluatePlacements(problem, placements);
  const violations = verifyPlan(problem.scenario, evaluation.assignments);
  if (violations.length > 0) {
    throw new Error(`planner produced an invalid plan: ${violations.slice(0, 5).join('; ')}`);
  }
  const total = toCents(evaluation.objective.total);
  return {
    scenario: problem.scenario.name,
    objective: evaluation.objective,
    lowerBound: boundCents(solve.bound, total, solve.boundSource),
    assignments: evaluation.assignments,
    unmet: explainShortages(problem, placements, evaluation.shortages),
    commitments: evaluation.commitments,
    byProvider: evaluation.byProvider,
    solver: { method: solve.method, status: solve.status, boundSource: solve.boundSource },
  };
}

/**
 * The solver's bound in cents, rounded down, and never above the plan's own total: a bound
 * a hair above the total is float noise on a plan that is optimal. A Lagrangian bound is a sum
 * of a million float terms, so it gives up a relative 1e-9 (about $700 on $700B) to stay a
 * bound despite rounding.
 */
function boundCents(bound: number, total: Cents, source: BoundSource): Cents {
  if (!Number.isFinite(bound)) return 0n;
  const safe = source === 'lagrangian' ? bound - Math.abs(bound) * 1e-9 : bound;
  const cents = BigInt(Math.floor(safe * 100));
  return cents > total ? total : cents < 0n ? 0n : cents;
}
