import { compareText } from '../order.js';
import type { Micros } from '../money.js';
import type { Period } from '../period.js';
import { contains, hoursIn } from '../period.js';
import type { Assignment, CommitmentStatus, Objective, Placement, ProviderPeriod } from './plan.js';
import type { PlacementProblem } from './problem.js';
import { costOf } from './problem.js';

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
  // Tallies by index × month of the horizon, in typed arrays: a large plan has tens of
  // thousands of placements and hundreds of thousands of workload-months to look up.
  const start = scenario.horizon.from;
  const months = scenario.horizon.to - start + 1;
  const monthOf = (period: Period) =>
    period >= start && period < start + months ? period - start : -1;
  const providerIndex = new Map<string, number>();
  const poolProvider = Int32Array.from(pools, (pool) => {
    const known = providerIndex.get(pool.provider);
    if (known !== undefined) return known;
    providerIndex.set(pool.provider, providerIndex.size);
    return providerIndex.size - 1;
  });
  const placed = new Float64Array(workloads.length * months);
  const providerGpus = new Float64Array(providerIndex.size * months);
  const providerCompute: Micros[] = new Array<Micros>(providerIndex.size * months).fill(0n);
  let compute = 0n;
  const rows = placements
    .filter((p) => p.gpus > 0)
    .map((placement) => {
      const workload = workloads[placement.workload];
      const pool = pools[placement.pool];
      if (!workload || !pool) throw new Error('evaluatePlacements: placement out of range');
      return {
        placement,
        workload,
        pool,
        cost: costOf(placement.gpus, placement.period, pool.pricePerGpuHour),
      };
    });
  for (const { placement, cost } of rows) {
    compute += cost;
    // Only months of the horizon are ever read back (demand and capacity lie inside it).
    const m = monthOf(placement.period);
    if (m < 0) continue;
    const wm = placement.workload * months + m;
    placed[wm] = (placed[wm] ?? 0) + placement.gpus;
    const pm = (poolProvider[placement.pool] ?? 0) * months + m;
    providerGpus[pm] = (providerGpus[pm] ?? 0) + placement.gpus;
    providerCompute[pm] = (providerCompute[pm] ?? 0n) + cost;
  }

  const shortages: Shortage[] = [];
  let unmet = 0n;
  workloads.forEach((workload, w) => {
    const range = problem.demandRange[w];
    if (!range || workload.gpus === 0) return;
    for (let period = range.from; period <= range.to; period++) {
      const missing = workload.gpus - (placed[w * months + period - start] ?? 0);
      if (missing <= 0) continue;
      shortages.push({ workload: w, period, gpus: missing });
      unmet += BigInt(missing) * BigInt(hoursIn(period)) * workload.valuePerGpuHour;
    }
  });

  const commitments: CommitmentStatus[] = problem.commitments.map(({ contract, term, range }) => {
    let spend = 0n;
    if (range) {
      for (const { placement, pool, cost } of rows) {
        if (pool.provider === term.provider && contains(range, placement.period)) spend += cost;
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
  const capacity = new Float64Array(providerIndex.size * months);
  const hasRow = new Uint8Array(providerIndex.size * months);
  pools.forEach((pool, p) => {
    const from = Math.max(pool.window.from, start);
    const to = Math.min(pool.window.to, scenario.horizon.to);
    if (pool.gpus === 0 || from > to) return;
    const base = (poolProvider[p] ?? 0) * months - start;
    for (let period = from; period <= to; period++) {
      capacity[base + period] = (capacity[base + period] ?? 0) + pool.gpus;
      hasRow[base + period] = 1;
    }
  });
  const byProvider: ProviderPeriod[] = [];
  for (const [provider, index] of [...providerIndex].sort(([a], [b]) => compareText(a, b))) {
    for (let m = 0; m < months; m++) {
      const pm = index * months + m;
      if (hasRow[pm] !== 1) continue;
      byProvider.push({
        provider,
        period: (start + m) as Period,
        gpus: providerGpus[pm] ?? 0,
        capacity: capacity[pm] ?? 0,
        compute: providerCompute[pm] ?? 0n,
      });
    }
  }

  // Ids are unique, so sorting by their rank sorts by id.
  const workloadRank = rankOf(workloads);
  const poolRank = rankOf(pools);
  const assignments = rows
    .sort(
      (a, b) =>
        (workloadRank[a.placement.workload] ?? 0) - (workloadRank[b.placement.workload] ?? 0) ||
        (poolRank[a.placement.pool] ?? 0) - (poolRank[b.placement.pool] ?? 0) ||
        a.placement.period - b.placement.period,
    )
    .map(({ placement, workload, pool }) => ({
      workload: workload.id,
      pool: pool.id,
      period: placement.period,
      gpus: placement.gpus,
    }));

  return {
    objective: { total: compute + shortfall + unmet, compute, shortfall, unmet },
    assignments,
    shortages: shortages.sort(
      (a, b) =>
        (workloadRank[a.workload] ?? 0) - (workloadRank[b.workload] ?? 0) || a.period - b.period,
    ),
    commitments: commitments.sort(
      (a, b) => compareText(a.contract, b.contract) || compareText(a.term, b.term),
    ),
    byProvider,
  };
}

/** Each item's place in id order (code points). */
function rankOf(items: readonly { readonly id: string }[]): Int32Array {
  const order = items
    .map((_, i) => i)
    .sort((a, b) => compareText(items[a]?.id ?? '', items[b]?.id ?? ''));
  const rank = new Int32Array(items.length);
  order.forEach((i, r) => {
    rank[i] = r;
  });
  return rank;
}
