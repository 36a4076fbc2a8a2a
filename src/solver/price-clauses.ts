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
import type { PlannerChoice } from '../core/planner/planner.js';
import { buildProblem } from '../core/planner/problem.js';
import type { PlanPool } from './plan-pool.js';

export interface PriceClausesOptions {
  readonly planner: PlannerChoice;
  readonly timeLimitSeconds?: number;
  /** Price each pair of terms too (default true). */
  readonly pairs?: boolean;
}

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
  const terms = placementTerms(scenario);
  const relaxations = clauseRelaxations(terms, { pairs: options.pairs ?? true });
  const task = (relaxed: Scenario) =>
    pool.plan({
      scenario: relaxed,
      planner: options.planner,
      ...(options.timeLimitSeconds === undefined
        ? {}
        : { timeLimitSeconds: options.timeLimitSeconds }),
    });
  // Singles first (the order of `solves`), so their prices come in while pairs still solve.
  const [base, ...relaxed] = await Promise.all([
    task(scenario),
    ...relaxations.solves.map((refs: readonly TermRef[]) => task(relaxScenario(scenario, refs))),
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
