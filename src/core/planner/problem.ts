import type { Rules } from '../contracts.js';
import type { Placement } from './plan.js';
import { compileRules } from '../contracts.js';
import type { CommitmentTerm, Contract, Pool, Scenario, Workload } from '../model.js';
import type { Micros } from '../money.js';
import type { Period, PeriodRange } from '../period.js';
import { hoursIn, intersect } from '../period.js';

/**
 * A scenario reduced to what placement needs: the eligible (workload, pool, period) triples,
 * the gang options, and the commitments. Both planners and the plan evaluation read it.
 * Triples are held as parallel typed arrays, sorted by workload, pool, period.
 */
export interface PlacementProblem {
  readonly scenario: Scenario;
  readonly rules: Rules;
  readonly workloads: readonly Workload[];
  readonly pools: readonly Pool[];
  /** For each workload, its window clipped to the horizon; undefined when it lies outside. */
  readonly demandRange: readonly (PeriodRange | undefined)[];
  readonly triples: Triples;
  /** Gang options of every gang workload, viable or not, in workload order. */
  readonly gangOptions: readonly GangOption[];
  readonly commitments: readonly Commitment[];
}

export interface Triples {
  readonly count: number;
  readonly workload: Int32Array;
  readonly pool: Int32Array;
  readonly period: Int32Array;
  /** Index into `gangOptions`, or -1 for a splittable workload. */
  readonly option: Int32Array;
}

/**
 * One way to host a gang workload: one site (a pool without a site is a site of its own) and
 * one accelerator, for the whole window. Viable when its eligible pools hold the workload's
 * GPUs in every period of the window.
 */
export interface GangOption {
  readonly workload: number;
  /** The site id, or `pool:<id>` for a pool without a site. */
  readonly site: string;
  readonly accelerator: string;
  /** Pool indices of this site and accelerator that the workload may use in some period. */
  readonly pools: readonly number[];
  readonly viable: boolean;
  /** For an option that is not viable: the first period that lacks room, and the room there. */
  readonly shortAt?: { readonly period: Period; readonly gpus: number };
}

export interface Commitment {
  readonly contract: Contract;
  readonly term: CommitmentTerm;
  /** Where the term's window, the contract's effective range and the horizon meet. */
  readonly range: PeriodRange;
}

/** Builds the placement problem of a scenario. Pure and deterministic. */
export function buildProblem(
  scenario: Scenario,
  rules: Rules = compileRules(scenario),
): PlacementProblem {
  const workloads = scenario.workloads;
  const pools = scenario.pools;
  const demandRange = workloads.map((w) => intersect(w.window, scenario.horizon));

  // Triples are emitted in (workload, pool, period) order, so no sort is needed.
  const triples = new TripleBuffer();
  const gangOptions: GangOption[] = [];
  // Only pools of an accelerator the workload lists can be eligible: most (workload, pool)
  // pairs of a large portfolio are not, so each workload looks at those pools alone.
  const poolsOf = poolsByAccelerators(pools);
  // A gang option's site and accelerator, as one key per pool.
  const placeKeys = pools.map(placeKeyOf);
  // Room per period of one gang workload's window, reused by every option.
  const room = new Float64Array(scenario.horizon.to - scenario.horizon.from + 1);

  workloads.forEach((workload, w) => {
    const range = demandRange[w];
    if (!range || workload.gpus === 0) return;
    const candidates = poolsOf(workload);
    if (!workload.gang) {
      for (const p of candidates) {
        const ranges = rules.eligibleRanges(workload, pools[p] as Pool);
        for (let k = 0; k < ranges.length; k++)
          triples.pushRange(w, p, ranges[k] as PeriodRange, -1);
      }
      return;
    }
    // Gang: group eligible pools by (site, accelerator) and keep the options that can hold
    // the whole need in every period.
    const groups = new Map<string, { site: string; accelerator: string; pools: number[] }>();
    const eligibleByPool = new Map<number, readonly PeriodRange[]>();
    for (const p of candidates) {
      const pool = pools[p] as Pool;
      const ranges = rules.eligibleRanges(workload, pool);
      if (ranges.length === 0) continue;
      eligibleByPool.set(p, ranges);
      const key = placeKeys[p] ?? '';
      let group = groups.get(key);
      if (!group) {
        group = { site: siteOf(pool), accelerator: pool.accelerator, pools: [] };
        groups.set(key, group);
      }
      group.pools.push(p);
    }
    const optionOfPool = new Map<number, number>();
    for (const key of [...groups.keys()].sort()) {
      const group = groups.get(key);
      if (!group) continue;
      const { site, accelerator } = group;
      const shortAt = firstShortage(range, workload.gpus, group.pools, pools, eligibleByPool, room);
      const optionIndex = gangOptions.length;
      // Written out rather than spread: tens of thousands of options on a large portfolio.
      gangOptions.push(
        shortAt
          ? { workload: w, site, accelerator, pools: group.pools, viable: false, shortAt }
          : { workload: w, site, accelerator, pools: group.pools, viable: true },
      );
      if (!shortAt) for (const p of group.pools) optionOfPool.set(p, optionIndex);
    }
    for (const [p, ranges] of [...eligibleByPool].sort(([a], [b]) => a - b)) {
      const option = optionOfPool.get(p);
      if (option === undefined) continue;
      for (const eligible of ranges) triples.pushRange(w, p, eligible, option);
    }
  });

  const commitments: Commitment[] = [];
  for (const contract of scenario.contracts) {
    for (const term of contract.terms) {
      if (term.type !== 'commitment') continue;
      const inContract = intersect(term.window, contract.effective);
      const range = inContract && intersect(inContract, scenario.horizon);
      // A commitment the horizon never sees cannot be judged by this plan: leave it out
      // rather than charge its whole minimum as shortfall.
      if (range) commitments.push({ contract, term, range });
    }
  }

  return {
    scenario,
    rules,
    workloads,
    pools,
    demandRange,
    triples: triples.finish(),
    gangOptions,
    commitments,
  };
}

/** A pool's site for gang options: its site id, or `pool:<id>` for a pool without a site. */
export function siteOf(pool: Pool): string {
  return pool.site ?? `pool:${pool.id}`;
}

/** The key of a place, a site and accelerator: gang options and their pools meet on it. */
export function placeKey(site: string, accelerator: string): string {
  return `${site}\u0000${accelerator}`;
}

/** The key of a pool's place. */
export function placeKeyOf(pool: Pool): string {
  return placeKey(siteOf(pool), pool.accelerator);
}

/** Per pool, the index of its place (site and accelerator), numbered in order of first pool. */
export function placeIndices(pools: readonly Pool[]): Int32Array {
  const index = new Map<string, number>();
  return Int32Array.from(pools, (pool) => {
    const key = placeKeyOf(pool);
    const known = index.get(key);
    if (known !== undefined) return known;
    index.set(key, index.size);
    return index.size - 1;
  });
}

/**
 * The first period of a gang workload's window `range` in which a group of pools, each counted
 * in its eligible ranges, holds fewer than `need` GPUs, with the room there; undefined when it
 * holds the need throughout. `room` is scratch of at least the window's length.
 */
function firstShortage(
  range: PeriodRange,
  need: number,
  group: readonly number[],
  pools: readonly Pool[],
  eligibleByPool: ReadonlyMap<number, readonly PeriodRange[]>,
  room: Float64Array,
): { period: Period; gpus: number } | undefined {
  const length = range.to - range.from + 1;
  room.fill(0, 0, length);
  // A pool's eligible ranges are disjoint, so it counts once in each period it may serve.
  for (const p of group) {
    const gpus = pools[p]?.gpus ?? 0;
    for (const eligible of eligibleByPool.get(p) ?? []) {
      const to = Math.min(eligible.to, range.to) - range.from;
      for (let k = Math.max(eligible.from, range.from) - range.from; k <= to; k++) {
        room[k] = (room[k] ?? 0) + gpus;
      }
    }
  }
  for (let k = 0; k < length; k++) {
    const gpus = room[k] ?? 0;
    if (gpus < need) return { period: (range.from + k) as Period, gpus };
  }
  return undefined;
}

/**
 * The pools whose accelerator a workload lists, in pool order; workloads listing the same
 * accelerators share one list.
 */
function poolsByAccelerators(pools: readonly Pool[]): (workload: Workload) => readonly number[] {
  const lists = new Map<string, number[]>();
  return (workload) => {
    const key = workload.accelerators.join('\u0000');
    let list = lists.get(key);
    if (!list) {
      list = [];
      for (let p = 0; p < pools.length; p++) {
        if (workload.accelerators.includes((pools[p] as Pool).accelerator)) list.push(p);
      }
      lists.set(key, list);
    }
    return list;
  };
}

/**
 * Triples collected as runs (workload, pool, periods from..to, option), then written out
 * once into parallel Int32 arrays of the exact size: millions of triples without millions
 * of JS numbers, and without growing the large arrays.
 */
class TripleBuffer {
  private runs = new Int32Array(5 * 1024);
  private runCount = 0;
  private size = 0;

  /** Adds a triple for every period of `range`, in order. */
  pushRange(workload: number, pool: number, range: PeriodRange, option: number): void {
    if (range.to < range.from) return;
    if (5 * (this.runCount + 1) > this.runs.length) {
      const next = new Int32Array(this.runs.length * 2);
      next.set(this.runs);
      this.runs = next;
    }
    const at = 5 * this.runCount++;
    const runs = this.runs;
    runs[at] = workload;
    runs[at + 1] = pool;
    runs[at + 2] = range.from;
    runs[at + 3] = range.to;
    runs[at + 4] = option;
    this.size += range.to - range.from + 1;
  }

  finish(): Triples {
    const workload = new Int32Array(this.size);
    const pool = new Int32Array(this.size);
    const period = new Int32Array(this.size);
    const option = new Int32Array(this.size);
    const runs = this.runs;
    let i = 0;
    for (let at = 0; at < 5 * this.runCount; at += 5) {
      const from = runs[at + 2] ?? 0;
      const end = i + (runs[at + 3] ?? 0) - from + 1;
      workload.fill(runs[at] ?? 0, i, end);
      pool.fill(runs[at + 1] ?? 0, i, end);
      option.fill(runs[at + 4] ?? 0, i, end);
      for (let t = from; i < end; t++, i++) period[i] = t;
    }
    return { count: this.size, workload, pool, period, option };
  }
}

/** The placement of `gpus` GPUs on triple i. */
export function placementOf(triples: Triples, i: number, gpus: number): Placement {
  return {
    workload: triples.workload[i] ?? 0,
    pool: triples.pool[i] ?? 0,
    period: (triples.period[i] ?? 0) as Period,
    gpus,
  };
}

/** Exact cost of `gpus` GPUs for one period at a price per GPU-hour. */
export function costOf(gpus: number, period: Period, pricePerGpuHour: Micros): Micros {
  return BigInt(gpus) * BigInt(hoursIn(period)) * pricePerGpuHour;
}
