import type { ClausePrices, TermRef } from '../core/decisions/clause-prices.js';
import {
  betterOfBase,
  clauseRelaxations,
  placementTerms,
  priceClauses,
  relaxScenario,
  termKey,
} from '../core/decisions/clause-prices.js';
import type { Scenario } from '../core/model.js';
import type { Plan } from '../core/planner/plan.js';
import type { PlannerChoice } from '../core/planner/planner.js';
import { buildProblem } from '../core/planner/problem.js';
import type { PlanPool } from './plan-pool.js';

export interface PriceClausesOptions {
  readonly planner: PlannerChoice;
  readonly timeLimitSeconds?: number;
  /** Price each pair of terms too (default true). */
  readonly pairs?: boolean;
}

/** Plans the scenario with the terms `refs` relaxed; no terms: the base plan. */
export type SolveRelaxed = (refs: readonly TermRef[]) => Promise<Plan>;

/**
 * Prices every term that shapes placement, and every pair, by re-solving the scenario with
 * the terms relaxed: the base plan and all distinct relaxed plans at once on the pool's
 * threads. A relaxation that changes nothing (a term that binds nowhere) reuses a plan
 * already made instead of solving again.
 */
export async function priceScenarioClauses(
  scenario: Scenario,
  pool: PlanPool,
  options: PriceClausesOptions,
): Promise<ClausePrices> {
  const solve: SolveRelaxed = (refs) =>
    pool.plan({
      scenario: refs.length === 0 ? scenario : relaxScenario(scenario, refs),
      planner: options.planner,
      ...(options.timeLimitSeconds === undefined
        ? {}
        : { timeLimitSeconds: options.timeLimitSeconds }),
    });
  return priceClausesBy(scenario, solve, options);
}

/**
 * The re-solves clause pricing needs: the base (no terms) first, then each distinct relaxation,
 * singles before pairs. The service makes each one a job (`src/server/plan-jobs.ts`).
 */
export function clauseSolves(scenario: Scenario, options: { pairs?: boolean }): TermRef[][] {
  const terms = placementTerms(scenario);
  return [[], ...clauseRelaxations(terms, { pairs: options.pairs ?? true }).solves];
}

/**
 * Prices the clauses as `priceScenarioClauses` does, with the plans from `solve`: a pool of
 * threads in the CLI, jobs on a queue in the service. All solves are asked for at once.
 */
export async function priceClausesBy(
  scenario: Scenario,
  solve: SolveRelaxed,
  options: { pairs?: boolean },
): Promise<ClausePrices> {
  const terms = placementTerms(scenario);
  const relaxations = clauseRelaxations(terms, { pairs: options.pairs ?? true });
  // Singles first (the order of `solves`), so their prices come in while pairs still solve.
  const [base, ...relaxed] = await Promise.all([
    solve([]),
    ...relaxations.solves.map((refs: readonly TermRef[]) => solve(refs)),
  ]);
  if (!base) throw new Error('no base plan');
  const plans = new Map(
    relaxations.solves.map((refs, i) => {
      const plan = relaxed[i];
      if (!plan) throw new Error('a relaxed plan is missing');
      // Under relaxed rules the base placements cost at least the base total less its
      // shortfall: a plan cheaper than that needs no comparison (nor a problem built).
      const floor = base.objective.total - base.objective.shortfall;
      const better =
        plan.objective.total <= floor
          ? plan
          : betterOfBase(buildProblem(relaxScenario(scenario, refs)), plan, base);
      return [refs.map(termKey).join('+'), better] as const;
    }),
  );
  return priceClauses(scenario, terms, relaxations, base, plans);
}
