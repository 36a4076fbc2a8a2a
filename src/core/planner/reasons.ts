import type { TermDenial } from '../contracts.js';
import { listWords } from '../contracts.js';
import type { Pool, Workload } from '../model.js';
import { grouped } from '../format.js';
import type { Micros } from '../money.js';
import { formatPrice, formatUSD, toCents } from '../money.js';
import { compareText } from '../order.js';
import type { Period } from '../period.js';
import { contains, formatPeriod, formatRange, hoursIn, intersect, periodsOf } from '../period.js';
import type { Shortage } from './evaluate.js';
import type { Placement, UnmetRow } from './plan.js';
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
  // Who uses each pool-month, keyed by pool × months + month offset.
  const start = problem.scenario.horizon.from;
  const months = problem.scenario.horizon.to - start + 1;
  const keyOf = (pool: number, period: Period) => pool * months + (period - start);
  const usage = new Map<number, Map<number, number>>();
  const totals = new Float64Array(problem.pools.length * months);
  for (const placement of placements) {
    if (placement.gpus <= 0) continue;
    const key = keyOf(placement.pool, placement.period);
    let users = usage.get(key);
    if (!users) {
      users = new Map<number, number>();
      usage.set(key, users);
    }
    users.set(placement.workload, (users.get(placement.workload) ?? 0) + placement.gpus);
    totals[key] = (totals[key] ?? 0) + placement.gpus;
  }
  const used = (pool: number, period: Period) => totals[keyOf(pool, period)] ?? 0;
  // Users largest first, sorted once per pool-month: a full pool is named in many rows.
  const ranked = new Map<number, { w: number; id: string; gpus: number; label: string }[]>();
  const generic = new Map<number, string>();
  const usersOf = (pool: number, period: Period, except: number): string => {
    const key = keyOf(pool, period);
    let users = ranked.get(key);
    if (!users) {
      users = [...(usage.get(key) ?? new Map<number, number>())]
        .map(([w, gpus]) => {
          const id = problem.workloads[w]?.id ?? '?';
          return { w, id, gpus, label: `${id} (${grouped(gpus)})` };
        })
        .sort((a, b) => b.gpus - a.gpus || compareText(a.id, b.id));
      ranked.set(key, users);
    }
    const includesExcept = usage.get(key)?.has(except) ?? false;
    if (!includesExcept) {
      const cached = generic.get(key);
      if (cached !== undefined) return cached;
    }
    const others = users.length - (includesExcept ? 1 : 0);
    const named: string[] = [];
    for (const u of users) {
      if (named.length === MAX_USERS_NAMED) break;
      if (u.w !== except) named.push(u.label);
    }
    if (others > MAX_USERS_NAMED) named.push(`${others - MAX_USERS_NAMED} more`);
    const text = named.join(', ');
    if (!includesExcept) generic.set(key, text);
    return text;
  };

  // Most words of a row are shared with other rows: a full pool-month names the same users
  // for every workload that is not one of them, a too-dear pool the same prices for every
  // workload of the same value. Each such line is written once.
  const fullLines = new Map<number, string>();
  const dearLines: (Map<Micros, string> | undefined)[] = [];
  const moreLines: string[][] = [[], []];
  const words: Words = {
    used,
    full: (p, period, workload, w) => {
      const pool = problem.pools[p] as Pool;
      const key = keyOf(p, period);
      const shared = !(usage.get(key)?.has(w) ?? false);
      const cached = shared ? fullLines.get(key) : undefined;
      if (cached !== undefined) return cached;
      const users = usersOf(p, period, w);
      const line = `pool ${pool.id} is full: ${users || (pool.gpus === 0 ? 'no capacity' : `all ${grouped(pool.gpus)} used by ${workload.id} itself`)}`;
      if (shared && users !== '') fullLines.set(key, line);
      return line;
    },
    dear: (p, workload) => {
      const pool = problem.pools[p] as Pool;
      let lines = dearLines[p];
      if (!lines) {
        lines = new Map();
        dearLines[p] = lines;
      }
      let line = lines.get(workload.valuePerGpuHour);
      if (line === undefined) {
        line = `pool ${pool.id} costs ${formatPrice(pool.pricePerGpuHour)}/GPU-hour, not less than the ${formatPrice(workload.valuePerGpuHour)}/GPU-hour the work is worth`;
        lines.set(workload.valuePerGpuHour, line);
      }
      return line;
    },
    more: (dear, count) => {
      const lines = moreLines[dear ? 1 : 0] ?? [];
      let line = lines[count];
      if (line === undefined) {
        line = dear
          ? `${count} more eligible pools cost more than the work is worth`
          : `${count} more eligible pools are full`;
        lines[count] = line;
      }
      return line;
    },
  };

  const gangReasons = new Map<number, string[]>();
  // Each gang workload's options, viable or not, in problem order.
  let optionsByWorkload: Map<number, GangOption[]> | undefined;
  const optionsOf = (w: number): readonly GangOption[] => {
    if (!optionsByWorkload) {
      optionsByWorkload = new Map();
      for (const option of problem.gangOptions) {
        const list = optionsByWorkload.get(option.workload);
        if (list) list.push(option);
        else optionsByWorkload.set(option.workload, [option]);
      }
    }
    return optionsByWorkload.get(w) ?? [];
  };
  // Contract terms see a workload only through its class, and candidates through its
  // accelerators: workloads alike in both share candidates and segments.
  const profiles = new Map<string, Profile>();
  const profileOfWorkload: (Profile | undefined)[] = [];
  const profileOf = (w: number, workload: Workload): Profile => {
    let profile = profileOfWorkload[w];
    if (profile) return profile;
    const key = `${workload.class}\u0000${workload.accelerators.join(',')}`;
    profile = profiles.get(key);
    if (!profile) {
      const list = candidatesOf(problem, workload);
      profile = { list, marks: boundariesOf(list), segments: [] };
      profiles.set(key, profile);
    }
    profileOfWorkload[w] = profile;
    return profile;
  };
  const segment = (profile: Profile, period: Period): Segment => {
    const { marks, segments } = profile;
    // The number of marks at or before the period, by binary search: a large portfolio has
    // hundreds of marks and tens of thousands of shortages.
    let index = 0;
    let high = marks.length;
    while (index < high) {
      const middle = (index + high) >>> 1;
      if ((marks[middle] ?? 0) <= period) index = middle + 1;
      else high = middle;
    }
    let found = segments[index];
    if (!found) {
      found = segmentFor(profile.list, period);
      segments[index] = found;
    }
    return found;
  };
  return shortages.map((shortage) => {
    const workload = problem.workloads[shortage.workload];
    if (!workload) throw new Error('explainShortages: unknown workload');
    let reasons: string[];
    const profile = profileOf(shortage.workload, workload);
    if (workload.gang) {
      reasons =
        gangReasons.get(shortage.workload) ??
        explainGang(
          problem,
          shortage.workload,
          workload,
          profile.list,
          optionsOf(shortage.workload),
          used,
          usersOf,
        );
      gangReasons.set(shortage.workload, reasons);
    } else {
      reasons =
        profile.list.length === 0
          ? [noPoolOffers(workload)]
          : explainSplittable(shortage, workload, segment(profile, shortage.period), words);
    }
    return { workload: workload.id, period: shortage.period, gpus: shortage.gpus, reasons };
  });
}

type Used = (pool: number, period: Period) => number;
type UsersOf = (pool: number, period: Period, except: number) => string;

/** The lines of a splittable workload's reasons, written once where rows share them. */
interface Words {
  readonly used: Used;
  /** `pool … is full: …`, naming its users other than workload `w`. */
  full(pool: number, period: Period, workload: Workload, w: number): string;
  /** `pool … costs …, not less than the … the work is worth`. */
  dear(pool: number, workload: Workload): string;
  /** `N more eligible pools are full` or `… cost more than the work is worth`. */
  more(dear: boolean, count: number): string;
}

/** A workload's candidate pools (accelerator listed) with their contract denials. */
interface Candidate {
  readonly p: number;
  readonly pool: Pool;
  /** `pool (window)`, for the months the pool is not there. */
  readonly windowLabel: string;
  readonly denials: readonly TermDenial[];
}

/**
 * What workloads of one class and accelerators share: their candidate pools, the months at
 * which their segment may change, and the segments computed so far (by index among them).
 */
interface Profile {
  readonly list: readonly Candidate[];
  readonly marks: readonly number[];
  readonly segments: (Segment | undefined)[];
}

/**
 * What a workload's month looks like from the contract side: the term and availability reasons
 * and the pools left eligible. It changes only where a pool's window or a term's range begins
 * or ends, so it is computed once per such segment of months, not once per month.
 */
interface Segment {
  readonly fixedReasons: readonly string[];
  readonly eligible: readonly Candidate[];
}

function segmentFor(candidates: readonly Candidate[], period: Period): Segment {
  const excluded = new Map<string, string[]>();
  const unavailable: string[] = [];
  const eligible: Candidate[] = [];
  for (const candidate of candidates) {
    const { pool, denials } = candidate;
    if (!contains(pool.window, period)) {
      unavailable.push(candidate.windowLabel);
      continue;
    }
    let denied = false;
    for (const denial of denials) {
      if (!contains(denial.during, period)) continue;
      addTo(excluded, denial.rule, pool.id);
      denied = true;
    }
    if (!denied) eligible.push(candidate);
  }
  return {
    fixedReasons: [
      ...termReasons(excluded),
      ...(unavailable.length > 0 ? [`not available that month: ${listPools(unavailable)}`] : []),
    ],
    eligible,
  };
}

/** The months at which a workload's segment may change: starts and ends (+1) of ranges. */
function boundariesOf(candidates: readonly Candidate[]): number[] {
  const marks = new Set<number>();
  for (const { pool, denials } of candidates) {
    marks.add(pool.window.from).add(pool.window.to + 1);
    for (const denial of denials) marks.add(denial.during.from).add(denial.during.to + 1);
  }
  return [...marks].sort((a, b) => a - b);
}

function explainSplittable(
  shortage: Shortage,
  workload: Workload,
  segment: Segment,
  words: Words,
): string[] {
  const { period } = shortage;
  const reasons = segment.fixedReasons.slice();
  let full = 0;
  let dear = 0;
  for (const { p, pool } of segment.eligible) {
    const free = pool.gpus - words.used(p, period);
    if (free <= 0) {
      // Name a few pools in full; a large portfolio would otherwise list dozens every month.
      if (++full > MAX_POOLS_NAMED) continue;
      reasons.push(words.full(p, period, workload, shortage.workload));
    } else if (pool.pricePerGpuHour >= workload.valuePerGpuHour) {
      if (++dear > MAX_POOLS_NAMED) continue;
      reasons.push(words.dear(p, workload));
    } else {
      reasons.push(
        `pool ${pool.id} had ${grouped(free)} GPUs free at ${formatPrice(pool.pricePerGpuHour)}/GPU-hour; the planner left them within its optimality gap`,
      );
    }
  }
  if (full > MAX_POOLS_NAMED) reasons.push(words.more(false, full - MAX_POOLS_NAMED));
  if (dear > MAX_POOLS_NAMED) reasons.push(words.more(true, dear - MAX_POOLS_NAMED));
  return reasons;
}

function explainGang(
  problem: PlacementProblem,
  w: number,
  workload: Workload,
  candidates: readonly Candidate[],
  options: readonly GangOption[],
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
        addTo(excluded, denial.rule, pool.id);
      }
    }
  }
  reasons.push(...termReasons(excluded));
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
    // Eligibility depends on the month only through these ranges: compute them once.
    const eligible = new Map(
      option.pools.map((p) => {
        const pool = problem.pools[p];
        return [p, pool ? problem.rules.eligibleRanges(workload, pool) : []] as const;
      }),
    );
    for (const period of periodsOf(range)) {
      const open = option.pools
        .filter((p) => (eligible.get(p) ?? []).some((r) => contains(r, period)))
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
      candidates.push({
        p,
        pool,
        windowLabel: `${pool.id} (${formatRange(pool.window)})`,
        denials: problem.rules.termDenials(workload, pool),
      });
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

function addTo(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
