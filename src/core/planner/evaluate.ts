import { compareText } from '../order.js';
import type { Micros } from '../money.js';
import type { Period } from '../period.js';
import { contains, hoursIn, periodsOf } from '../period.js';
import type { Assignment, CommitmentStatus, Objective, ProviderPeriod } from './plan.js';
import type { PlacementProblem } from './problem.js';
import { costOf } from './problem.js';

/** Placements by index, as a planner produces them. */
export interface Placement {
  readonly workload: number;
  readonly pool: number;
  readonly period: Period;
  readonly gpus: number;
}

export interface Shortage {
  readonly workload: number;
  readonly period: Period;
  readonly gpus: number;
}

export interface Evaluation {
  readonly objective: Objective;
  readonly assignments: readonly Assignment[];
  readonly shortages: readonly Shortage[];
  readonly commitments: readonly CommitmentStatus[];
  readonly byProvider: readonly ProviderPeriod[];
}

/**
 * Prices a set of placements exactly, in micro-dollars: compute cost, take-or-pay shortfall
 * and unmet value, as the spec defines them. Does not check feasibility (see `verifyPlan`).
 */
export function evaluatePlacements(
  problem: PlacementProblem,
  placements: readonly Placement[],
): Evaluation {
  const { workloads, pools, scenario } = problem;
  const placed = new Map<string, number>();
  const spendByProviderPeriod = new Map<string, { gpus: number; compute: Micros }>();
  let compute = 0n;
  const rows = placements
    .filter((p) => p.gpus > 0)
    .map((placement) => {
      const workload = workloads[placement.workload];
      const pool = pools[placement.pool];
      if (!workload || !pool) throw new Error('evaluatePlacements: placement out of range');
      return { placement, workload, pool };
    });
  for (const { placement, pool } of rows) {
    const cost = costOf(placement.gpus, placement.period, pool.pricePerGpuHour);
    compute += cost;
    const key = `${placement.workload}:${placement.period}`;
    placed.set(key, (placed.get(key) ?? 0) + placement.gpus);
    const providerKey = `${pool.provider}\u0000${placement.period}`;
    const entry = spendByProviderPeriod.get(providerKey) ?? { gpus: 0, compute: 0n };
    spendByProviderPeriod.set(providerKey, {
      gpus: entry.gpus + placement.gpus,
      compute: entry.compute + cost,
    });
  }

  const shortages: Shortage[] = [];
  let unmet = 0n;
  workloads.forEach((workload, w) => {
    const range = problem.demandRange[w];
    if (!range || workload.gpus === 0) return;
    for (const period of periodsOf(range)) {
      const missing = workload.gpus - (placed.get(`${w}:${period}`) ?? 0);
      if (missing <= 0) continue;
      shortages.push({ workload: w, period, gpus: missing });
      unmet += BigInt(missing) * BigInt(hoursIn(period)) * workload.valuePerGpuHour;
    }
  });

  const commitments: CommitmentStatus[] = problem.commitments.map(({ contract, term, range }) => {
    let spend = 0n;
    if (range) {
      for (const { placement, pool } of rows) {
        if (pool.provider === term.provider && contains(range, placement.period)) {
          spend += costOf(placement.gpus, placement.period, pool.pricePerGpuHour);
        }
      }
    }
    const shortfall = spend >= term.minSpend ? 0n : term.minSpend - spend;
    return {
      contract: contract.id,
      term: term.id,
      provider: term.provider,
      minSpend: term.minSpend,
      spend,
      shortfall,
    };
  });
  const shortfall = commitments.reduce((sum, c) => sum + c.shortfall, 0n);

  // Every provider with capacity in a period gets a row, so idle capacity shows.
  const byProvider = new Map<string, ProviderPeriod>();
  for (const pool of pools) {
    const from = Math.max(pool.window.from, scenario.horizon.from) as Period;
    const to = Math.min(pool.window.to, scenario.horizon.to) as Period;
    if (pool.gpus === 0 || from > to) continue;
    for (const period of periodsOf({ from, to })) {
      const key = `${pool.provider}\u0000${period}`;
      const row = byProvider.get(key);
      const used = spendByProviderPeriod.get(key);
      byProvider.set(key, {
        provider: pool.provider,
        period,
        gpus: used?.gpus ?? 0,
        capacity: (row?.capacity ?? 0) + pool.gpus,
        compute: used?.compute ?? 0n,
      });
    }
  }

  const assignments = rows
    .map(({ placement, workload, pool }) => ({
      workload: workload.id,
      pool: pool.id,
      period: placement.period,
      gpus: placement.gpus,
    }))
    .sort(
      (a, b) =>
        compareText(a.workload, b.workload) || compareText(a.pool, b.pool) || a.period - b.period,
    );

  return {
    objective: { total: compute + shortfall + unmet, compute, shortfall, unmet },
    assignments,
    shortages: shortages.sort(
      (a, b) =>
        compareText(workloads[a.workload]?.id ?? '', workloads[b.workload]?.id ?? '') ||
        a.period - b.period,
    ),
    commitments: commitments.sort(
      (a, b) => compareText(a.contract, b.contract) || compareText(a.term, b.term),
    ),
    byProvider: [...byProvider.values()].sort(
      (a, b) => compareText(a.provider, b.provider) || a.period - b.period,
    ),
  };
}
