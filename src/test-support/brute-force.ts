import { compileRules } from '../core/contracts.js';
import type { Pool, Scenario, Workload } from '../core/model.js';
import type { Period } from '../core/period.js';
import { hoursInMonth, monthsBetween } from './reference.js';

/**
 * The spec's optimum by enumeration, for scenarios small enough to list every plan. It shares
 * only the contract rules (`compileRules(...).decide`) with the planner: eligibility, the gang
 * rule and the objective are computed here from the spec, in exact micro-dollars, without
 * `buildProblem` or `evaluatePlacements`.
 */

export interface ReferenceAssignment {
  readonly workload: string;
  readonly pool: string;
  /** Month index (the core's `Period` numbering). */
  readonly period: number;
  readonly gpus: number;
}

export interface BruteForceResult {
  /** The least total cost over every feasible plan, in micro-dollars. */
  readonly total: bigint;
  /** One plan that attains it. */
  readonly assignments: readonly ReferenceAssignment[];
  /** Feasible plans seen. */
  readonly plans: number;
}

interface Triple {
  readonly w: number;
  readonly p: number;
  readonly t: number;
  readonly max: number;
  /** Micro-dollars per GPU for the period. */
  readonly unit: bigint;
}

/** Months where the horizon and a range meet, as month indices. */
function clip(scenario: Scenario, from: number, to: number): number[] {
  return monthsBetween(Math.max(from, scenario.horizon.from), Math.min(to, scenario.horizon.to));
}

function siteOf(pool: Pool): string {
  return pool.site ?? `pool:${pool.id}`;
}

/**
 * The exact objective of a set of assignments — compute cost + commitment shortfall + unmet
 * value — in micro-dollars. Does not check feasibility.
 */
export function referenceObjective(
  scenario: Scenario,
  assignments: readonly ReferenceAssignment[],
): bigint {
  const pools = new Map(scenario.pools.map((p) => [p.id, p]));
  let compute = 0n;
  const served = new Map<string, number>();
  for (const a of assignments) {
    const pool = pools.get(a.pool);
    if (!pool) throw new Error(`referenceObjective: unknown pool ${a.pool}`);
    compute += BigInt(a.gpus) * BigInt(hoursInMonth(a.period)) * pool.pricePerGpuHour;
    const key = `${a.workload}@${a.period}`;
    served.set(key, (served.get(key) ?? 0) + a.gpus);
  }
  let shortfall = 0n;
  for (const contract of scenario.contracts) {
    for (const term of contract.terms) {
      if (term.type !== 'commitment') continue;
      const months = new Set(
        clip(
          scenario,
          Math.max(term.window.from, contract.effective.from),
          Math.min(term.window.to, contract.effective.to),
        ),
      );
      // The spec's rule as stargate reads it: a commitment the horizon never sees is not judged.
      if (months.size === 0) continue;
      let spend = 0n;
      for (const a of assignments) {
        const pool = pools.get(a.pool);
        if (pool?.provider !== term.provider || !months.has(a.period)) continue;
        spend += BigInt(a.gpus) * BigInt(hoursInMonth(a.period)) * pool.pricePerGpuHour;
      }
      if (spend < term.minSpend) shortfall += term.minSpend - spend;
    }
  }
  let unmet = 0n;
  for (const workload of scenario.workloads) {
    for (const t of clip(scenario, workload.window.from, workload.window.to)) {
      const missing = workload.gpus - (served.get(`${workload.id}@${t}`) ?? 0);
      if (missing > 0) {
        unmet += BigInt(missing) * BigInt(hoursInMonth(t)) * workload.valuePerGpuHour;
      }
    }
  }
  return compute + shortfall + unmet;
}

/**
 * Enumerates every integer plan x[w,p,t] ∈ 0..min(need, capacity) over the eligible triples,
 * keeps those that respect capacity, demand and the gang rule, and returns the cheapest.
 * Throws when the enumeration would exceed `maxPlans` partial plans, so that a generator
 * change cannot make a test hang.
 */
export function bruteForceOptimum(scenario: Scenario, maxPlans = 5_000_000): BruteForceResult {
  const rules = compileRules(scenario);
  const { workloads, pools } = scenario;
  const triples: Triple[] = [];
  workloads.forEach((workload, w) => {
    if (workload.gpus === 0) return;
    for (const t of clip(scenario, workload.window.from, workload.window.to)) {
      pools.forEach((pool, p) => {
        const max = Math.min(workload.gpus, pool.gpus);
        if (max === 0 || !rules.decide(workload, pool, t as Period).allowed) return;
        triples.push({ w, p, t, max, unit: BigInt(hoursInMonth(t)) * pool.pricePerGpuHour });
      });
    }
  });

  const x = new Array<number>(triples.length).fill(0);
  const onPool = new Map<string, number>();
  const forWorkload = new Map<string, number>();
  let best: { total: bigint; x: number[] } | undefined;
  let plans = 0;
  let visited = 0;

  const leaf = () => {
    if (!gangHolds(scenario, workloads, pools, triples, x, forWorkload)) return;
    plans++;
    const assignments = toAssignments(scenario, triples, x);
    const total = referenceObjective(scenario, assignments);
    if (!best || total < best.total) best = { total, x: [...x] };
  };

  const visit = (i: number) => {
    if (++visited > maxPlans) throw new Error('bruteForceOptimum: too many plans to enumerate');
    const triple = triples[i];
    if (!triple) {
      leaf();
      return;
    }
    const poolKey = `${triple.p}@${triple.t}`;
    const workloadKey = `${triple.w}@${triple.t}`;
    const usedPool = onPool.get(poolKey) ?? 0;
    const usedWorkload = forWorkload.get(workloadKey) ?? 0;
    const pool = pools[triple.p] as Pool;
    const workload = workloads[triple.w] as Workload;
    const limit = Math.min(triple.max, pool.gpus - usedPool, workload.gpus - usedWorkload);
    for (let v = 0; v <= limit; v++) {
      x[i] = v;
      onPool.set(poolKey, usedPool + v);
      forWorkload.set(workloadKey, usedWorkload + v);
      visit(i + 1);
    }
    x[i] = 0;
    onPool.set(poolKey, usedPool);
    forWorkload.set(workloadKey, usedWorkload);
  };
  visit(0);

  if (!best) throw new Error('bruteForceOptimum: no feasible plan (placing nothing always is)');
  const found: { total: bigint; x: number[] } = best;
  return { total: found.total, assignments: toAssignments(scenario, triples, found.x), plans };
}

function toAssignments(
  scenario: Scenario,
  triples: readonly Triple[],
  x: readonly number[],
): ReferenceAssignment[] {
  const rows: ReferenceAssignment[] = [];
  triples.forEach((triple, i) => {
    const gpus = x[i] ?? 0;
    if (gpus === 0) return;
    rows.push({
      workload: scenario.workloads[triple.w]?.id ?? '',
      pool: scenario.pools[triple.p]?.id ?? '',
      period: triple.t,
      gpus,
    });
  });
  return rows;
}

/**
 * Gang: all or nothing. A gang workload that gets anything gets its full need in every month
 * of its window (clipped to the horizon), on pools of one site and one accelerator.
 */
function gangHolds(
  scenario: Scenario,
  workloads: readonly Workload[],
  pools: readonly Pool[],
  triples: readonly Triple[],
  x: readonly number[],
  forWorkload: ReadonlyMap<string, number>,
): boolean {
  for (let w = 0; w < workloads.length; w++) {
    const workload = workloads[w];
    if (!workload?.gang) continue;
    const places = new Set<string>();
    triples.forEach((triple, i) => {
      const pool = pools[triple.p];
      if (triple.w === w && (x[i] ?? 0) > 0 && pool)
        places.add(`${siteOf(pool)} ${pool.accelerator}`);
    });
    if (places.size === 0) continue;
    if (places.size > 1) return false;
    for (const t of clip(scenario, workload.window.from, workload.window.to)) {
      if ((forWorkload.get(`${w}@${t}`) ?? 0) !== workload.gpus) return false;
    }
  }
  return true;
}
