import type { Cents } from '../money.js';
import { toCents } from '../money.js';
import type { Period } from '../period.js';
import type { Plan } from '../planner/plan.js';

/**
 * What the ledger needs of a plan: compute spend per provider per month, in cents as the
 * provider would invoice it. Built from a plan in memory (`planMoney`) or, at the boundary,
 * from a plan JSON file; both give the same cents, since the JSON rounds the same way.
 */
export interface PlanMoney {
  readonly scenario: string;
  /** Rows with a zero amount may be left out. */
  readonly compute: readonly ComputeSpend[];
  /** Take-or-pay shortfall per commitment term as the plan reported it, for a cross-check. */
  readonly shortfalls: readonly {
    readonly contract: string;
    readonly term: string;
    readonly shortfall: Cents;
  }[];
}

export interface ComputeSpend {
  readonly provider: string;
  readonly period: Period;
  readonly amount: Cents;
}

/** The money of a plan, each month's spend per provider rounded half-up to the cent. */
export function planMoney(plan: Plan): PlanMoney {
  return {
    scenario: plan.scenario,
    compute: plan.byProvider.map((row) => ({
      provider: row.provider,
      period: row.period,
      amount: toCents(row.compute),
    })),
    shortfalls: plan.commitments.map((c) => ({
      contract: c.contract,
      term: c.term,
      shortfall: toCents(c.shortfall),
    })),
  };
}
