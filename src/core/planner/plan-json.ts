import { centsToNumber, toCents } from '../money.js';
import type { Period } from '../period.js';
import { formatPeriod } from '../period.js';
import type { Plan } from './plan.js';

/** The plan as the spec's JSON document (`stargate plan --format json`). */
export interface PlanJson {
  scenario: string;
  /**
   * Extension: `sha256:<hex>` of the scenario document the plan was made from, in canonical
   * form (the shell computes it; see `src/scenario/scenario-hash.ts`). Absent from plans made
   * before it existed, and from plans made without a document (tests).
   */
  scenarioHash?: string;
  objective: { totalUSD: number; computeUSD: number; shortfallUSD: number; unmetUSD: number };
  bound: { lowerBoundUSD: number; gap: number };
  assignments: { workload: string; pool: string; period: string; gpus: number }[];
  unmet: { workload: string; period: string; gpus: number; reasons: readonly string[] }[];
  commitments: {
    contract: string;
    term: string;
    provider: string;
    minSpendUSD: number;
    spendUSD: number;
    shortfallUSD: number;
  }[];
  /** `capacityGpus` is an extension: what the provider's pools hold, placed or idle. */
  byProvider: {
    provider: string;
    period: string;
    gpus: number;
    capacityGpus: number;
    computeUSD: number;
  }[];
  /** Extension: how the plan was found. */
  solver: {
    method: string;
    status: string;
    boundSource: string;
    note?: string;
    exact?: { status: string; totalUSD?: number };
  };
}

/**
 * Converts a plan to the spec's JSON shape: amounts in USD rounded half-up to cents, periods
 * as `YYYY-MM`, rows in a fixed order, so the same plan always serialises to the same bytes.
 * `scenarioHash`, when given, follows `scenario`.
 *
 * @example planToJson(plan, { scenarioHash: 'sha256:9f…' }) // { scenario, scenarioHash, objective, … }
 */
export function planToJson(plan: Plan, extensions: { scenarioHash?: string } = {}): PlanJson {
  const usd = (micros: bigint) => centsToNumber(toCents(micros));
  // A large plan names the same few dozen months tens of thousands of times.
  const periods = new Map<Period, string>();
  const period = (p: Period) => {
    let text = periods.get(p);
    if (text === undefined) {
      text = formatPeriod(p);
      periods.set(p, text);
    }
    return text;
  };
  const total = toCents(plan.objective.total);
  const gap = Number(total - plan.lowerBound) / 100 / Math.max(Number(total) / 100, 1);
  return {
    scenario: plan.scenario,
    ...(extensions.scenarioHash === undefined ? {} : { scenarioHash: extensions.scenarioHash }),
    objective: {
      totalUSD: centsToNumber(total),
      computeUSD: usd(plan.objective.compute),
      shortfallUSD: usd(plan.objective.shortfall),
      unmetUSD: usd(plan.objective.unmet),
    },
    bound: { lowerBoundUSD: centsToNumber(plan.lowerBound), gap },
    assignments: plan.assignments.map((a) => ({
      workload: a.workload,
      pool: a.pool,
      period: period(a.period),
      gpus: a.gpus,
    })),
    unmet: plan.unmet.map((u) => ({
      workload: u.workload,
      period: period(u.period),
      gpus: u.gpus,
      reasons: u.reasons,
    })),
    commitments: plan.commitments.map((c) => ({
      contract: c.contract,
      term: c.term,
      provider: c.provider,
      minSpendUSD: usd(c.minSpend),
      spendUSD: usd(c.spend),
      shortfallUSD: usd(c.shortfall),
    })),
    byProvider: plan.byProvider.map((row) => ({
      provider: row.provider,
      period: period(row.period),
      gpus: row.gpus,
      capacityGpus: row.capacity,
      computeUSD: usd(row.compute),
    })),
    solver: solverJson(plan.solver),
  };
}

function solverJson({ exact, ...report }: Plan['solver']): PlanJson['solver'] {
  if (!exact) return { ...report };
  const { status, total } = exact;
  return {
    ...report,
    exact: { status, ...(total === undefined ? {} : { totalUSD: centsToNumber(toCents(total)) }) },
  };
}
