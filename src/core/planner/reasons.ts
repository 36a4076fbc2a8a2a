import type { TermDenial } from '../contracts.js';
import { listWords } from '../contracts.js';
import type { Pool, Workload } from '../model.js';
import { formatPrice, grouped } from '../format.js';
import type { Micros } from '../money.js';
import { formatUSD, toCents } from '../money.js';
import { compareText } from '../order.js';
import type { Period } from '../period.js';
import { contains, formatPeriod, formatRange, hoursIn, intersect, periodsOf } from '../period.js';
import type { Placement, Shortage } from './evaluate.js';
import type { UnmetRow } from './plan.js';
import type { GangOption, PlacementProblem } from './problem.js';
import { costOf } from './problem.js';

const MAX_USERS_NAMED = 3;
const MAX_POOLS_NAMED = 5;

/**
 * Explains every shortage in words a planner understands: which pools a contract term
 * excludes (naming contract and term), which are not available then, which are full and with
 * what, which cost more than the work is worth, and for gang workloads which sites could not
 * hold them whole.
 */
export function explainShortages(
  problem: PlacementProblem,
  placements: readonly Placement[],
  shortages: readonly Shortage[],
): UnmetRow[] {
  const usage = new Map<string, Map<number, number>>();
  for (const placement of placements) {
    if (placement.gpus <= 0) continue;
    const key = `${placement.pool}:${placement.period}`;
    const users = usage.get(key) ?? new Map<number, number>();
    users.set(placement.workload, (users.get(placement.workload) ?? 0) + placement.gpus);
    usage.set(key, users);
  }
  const used = (pool: number, period: Period) => {
    let total = 0;
    for (const gpus of usage.get(`${pool}:${period}`)?.values() ?? []) total += gpus;
    return total;
  };
  const usersOf = (pool: number, period: Period, except: number): string => {
    const users = [...(usage.get(`${pool}:${period}`) ?? new Map<number, number>())]
      .filter(([w]) => w !== except)
      .map(([w, gpus]) => ({ id: problem.workloads[w]?.id ?? '?', gpus }))
      .sort((a, b) => b.gpus - a.gpus || compareText(a.id, b.id));
    const named = users.slice(0, MAX_USERS_NAMED).map((u) => `${u.id} (${grouped(u.gpus)})`);
    if (users.length > MAX_USERS_NAMED) named.push(`${users.length - MAX_USERS_NAMED} more`);
    return named.join(', ');
  };

  const gangReasons = new Map<number, string[]>();
  const candidateCache = new Map<number, Candidate[]>();
  const candidates = (w: number, workload: Workload) => {
    let list = candidateCache.get(w);
    if (!list) {
      list = candidatesOf(problem, workload);
      candidateCache.set(w, list);
    }
    return list;
  };
  return shortages.map((shortage) => {
    const workload = problem.workloads[shortage.workload];
    if (!workload) throw new Error('explainShortages: unknown workload');
    let reasons: string[];
    if (workload.gang) {
      reasons =
        gangReasons.get(shortage.workload) ??
        explainGang(
          problem,
          shortage.workload,
          workload,
          candidates(shortage.workload, workload),
          used,
          usersOf,
        );
      gangReasons.set(shortage.workload, reasons);
    } else {
      reasons = explainSplittable(
        problem,
        shortage,
        workload,
        candidates(shortage.workload, workload),
        used,
        usersOf,
      );
    }
    return { workload: workload.id, period: shortage.period, gpus: shortage.gpus, reasons };
  });
}

type Used = (pool: number, period: Period) => number;
type UsersOf = (pool: number, period: Period, except: number) => string;

/** A workload's candidate pools (accelerator listed) with their contract denials. */
interface Candidate {
  readonly p: number;
  readonly pool: Pool;
  readonly denials: readonly TermDenial[];
}

function explainSplittable(
  problem: PlacementProblem,
  shortage: Shortage,
  workload: Workload,
  candidates: readonly Candidate[],
  used: Used,
  usersOf: UsersOf,
): string[] {
  const { period } = shortage;
  if (candidates.length === 0) return [noPoolOffers(workload)];
  const reasons = new Set<string>();
  const excluded = new Map<string, string[]>();
  const unavailable: string[] = [];
  for (const { p, pool, denials } of candidates) {
    if (!contains(pool.window, period)) {
      unavailable.push(`${pool.id} (${formatRange(pool.window)})`);
      continue;
    }
    let denied = false;
    for (const denial of denials) {
      if (!contains(denial.during, period)) continue;
      excluded.set(denial.rule, [...(excluded.get(denial.rule) ?? []), pool.id]);
      denied = true;
    }
    if (denied) continue;
    const free = pool.gpus - used(p, period);
    if (free <= 0) {
      reasons.add(
        `pool ${pool.id} is full: ${usersOf(p, period, shortage.workload) || (pool.gpus === 0 ? 'no capacity' : `all ${grouped(pool.gpus)} used by ${workload.id} itself`)}`,
      );
    } else if (pool.pricePerGpuHour >= workload.valuePerGpuHour) {
      reasons.add(
        `pool ${pool.id} costs ${formatPrice(pool.pricePerGpuHour)}/GPU-hour, not less than the ${formatPrice(workload.valuePerGpuHour)}/GPU-hour the work is worth`,
      );
    } else {
      reasons.add(
        `pool ${pool.id} had ${grouped(free)} GPUs free at ${formatPrice(pool.pricePerGpuHour)}/GPU-hour; the planner left them within its optimality gap`,
      );
    }
  }
  return [
    ...termReasons(excluded),
    ...(unavailable.length > 0 ? [`not available that month: ${listPools(unavailable)}`] : []),
    ...reasons,
  ];
}

function explainGang(
  problem: PlacementProblem,
  w: number,
  workload: Workload,
  candidates: readonly Candidate[],
  used: Used,
  usersOf: UsersOf,
): string[] {
  const range = problem.demandRange[w];
  if (!range) return [];
  if (candidates.length === 0) return [noPoolOffers(workload)];
  const need = `${grouped(workload.gpus)} GPUs of one accelerator at one site in every month of ${formatRange(range)}`;
  const reasons: string[] = [`gang workload needs ${need}`];
  const excluded = new Map<string, string[]>();
  for (const { pool, denials } of candidates) {
    // Pools that are not there during the run are no reason worth naming.
    if (!intersect(pool.window, range)) continue;
    for (const denial of denials) {
      if (intersect(denial.during, range)) {
        excluded.set(denial.rule, [...(excluded.get(denial.rule) ?? []), pool.id]);
      }
    }
  }
  reasons.push(...termReasons(excluded));
  const options = problem.gangOptions.filter((o) => o.workload === w);
  if (!options.some((o) => o.viable)) {
    const short = options
      .filter((o) => o.shortAt)
      .map(
        (o) =>
          `${place(o)} has room for ${grouped(o.shortAt?.gpus ?? 0)} in ${formatPeriod(o.shortAt?.period ?? range.from)}`,
      );
    reasons.push(`no site can hold it${short.length > 0 ? `: ${short.join('; ')}` : ''}`);
    return reasons;
  }
  for (const option of options.filter((o) => o.viable)) {
    let blocked: string | undefined;
    let cheapest: Micros = 0n;
    for (const period of periodsOf(range)) {
      const open = option.pools
        .filter((p) => {
          const pool = problem.pools[p];
          return (
            pool !== undefined &&
            problem.rules.eligibleRanges(workload, pool).some((r) => contains(r, period))
          );
        })
        .map((p) => ({
          p,
          pool: problem.pools[p] as Pool,
          free: (problem.pools[p]?.gpus ?? 0) - used(p, period),
        }))
        .sort((a, b) =>
          a.pool.pricePerGpuHour < b.pool.pricePerGpuHour
            ? -1
            : a.pool.pricePerGpuHour > b.pool.pricePerGpuHour
              ? 1
              : a.p - b.p,
        );
      let left = workload.gpus;
      for (const { pool, free } of open) {
        const take = Math.min(left, Math.max(0, free));
        cheapest += costOf(take, period, pool.pricePerGpuHour);
        left -= take;
      }
      if (left > 0) {
        const takenBy = open
          .map(({ p }) => usersOf(p, period, w))
          .filter((s) => s !== '')
          .join(', ');
        blocked = `${place(option)} lacks ${grouped(left)} GPUs in ${formatPeriod(period)}${takenBy ? `, taken by ${takenBy}` : ''}`;
        break;
      }
    }
    if (blocked) {
      reasons.push(blocked);
    } else {
      const value = periodsOf(range).reduce(
        (sum, period) =>
          sum + BigInt(workload.gpus) * BigInt(hoursIn(period)) * workload.valuePerGpuHour,
        0n,
      );
      reasons.push(
        `placing it on ${place(option)} would cost ${formatUSD(toCents(cheapest))}, not less than its value of ${formatUSD(toCents(value))}`,
      );
    }
  }
  return reasons;
}

/** `site abilene (gb200)`, or `pool az (h100)` for a pool without a site. */
function place(option: GangOption): string {
  const site = option.site.startsWith('pool:')
    ? `pool ${option.site.slice('pool:'.length)}`
    : `site ${option.site}`;
  return `${site} (${option.accelerator})`;
}

function candidatesOf(problem: PlacementProblem, workload: Workload): Candidate[] {
  const candidates: Candidate[] = [];
  problem.pools.forEach((pool, p) => {
    if (workload.accelerators.includes(pool.accelerator)) {
      candidates.push({ p, pool, denials: problem.rules.termDenials(workload, pool) });
    }
  });
  return candidates;
}

/** Up to five pools by name, then how many more. */
function listPools(pools: readonly string[]): string {
  const shown = pools.slice(0, MAX_POOLS_NAMED).join(', ');
  return pools.length > MAX_POOLS_NAMED
    ? `${shown} and ${pools.length - MAX_POOLS_NAMED} more`
    : shown;
}

function noPoolOffers(workload: Workload): string {
  return `no pool offers ${listWords(workload.accelerators.map(String))}`;
}

function termReasons(excluded: Map<string, string[]>): string[] {
  return [...excluded.entries()]
    .sort(([a], [b]) => compareText(a, b))
    .map(([rule, pools]) => `${rule} (excludes ${listPools(pools)})`);
}
