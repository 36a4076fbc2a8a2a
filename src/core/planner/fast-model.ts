import { microsToFloat } from '../money.js';
import type { Period } from '../period.js';
import { hoursIn } from '../period.js';
import type { Placement } from './plan.js';
import type { PlacementProblem } from './problem.js';
import { placementOf } from './problem.js';

/**
 * The fast planner's view of a placement problem: flat typed arrays that its hot loops read in
 * order. Triples get an internal order: first the splittable ones grouped by *demand* (one
 * workload in one month), demands in (month, value desc, workload) order; then the gang ones
 * grouped by (option, month). Within a group, triples keep the problem's order. `origin` maps
 * back to the problem's triple index.
 */
export interface Prepared {
  readonly problem: PlacementProblem;
  readonly horizonStart: number;
  readonly months: number;
  readonly providers: number;
  /** Σ value of all demand: the objective when nothing is placed, before commitments. */
  readonly allDemandValue: number;
  /** Per internal triple: the problem's triple index. */
  readonly origin: Int32Array;
  /** Per triple: hours × price (USD per GPU for the month). */
  readonly spendPerGpu: Float64Array;
  /** Per triple: hours × value for splittable workloads, 0 for gang (they earn V per run). */
  readonly valuePerGpu: Float64Array;
  /** Per gang triple, from index `groupStart[0]`: hours × its workload's value. */
  readonly gangValuePerGpu: Float64Array;
  /** Per triple: index into `capacity` (pool × months + month offset). */
  readonly capIndex: Int32Array;
  /** Per triple: provider × months + month offset, for commitment weights and spend. */
  readonly providerMonth: Int32Array;
  /** Per triple: the pool, and the gang option (-1 for splittable triples). */
  readonly pool: Int32Array;
  readonly option: Int32Array;
  /** GPUs per pool-month. */
  readonly capacity: Float64Array;
  /** Scratch for one group of triples (the largest demand or option-month). */
  readonly scratch: Int32Array;
  /** Splittable demands: workload, GPUs needed, triples `demandStart[d] ..[d + 1]`. */
  readonly demandWorkload: Int32Array;
  readonly demandNeed: Float64Array;
  readonly demandStart: Int32Array;
  /** Per month offset m: its demands are `monthDemandStart[m] ..[m + 1]`. */
  readonly monthDemandStart: Int32Array;
  /** Gang workloads in the greedy's order (value per GPU-hour desc), with their options. */
  readonly gangOrder: Int32Array;
  /**
   * Positions in `gangOrder` by the whole run's value desc (value × GPUs × hours of the
   * window: the biggest, longest runs first), ties by position: the greedy's second order.
   */
  readonly gangOrderByWorth: Int32Array;
  readonly gangOptionStart: Int32Array;
  readonly gangOptions: Int32Array;
  /** Per option: its value V = value × gpus × Σ hours (0 if not viable) and its need. */
  readonly optionValue: Float64Array;
  readonly optionNeed: Float64Array;
  /** Per option: its groups (one per month) `optionGroupStart[g] ..[g + 1]`. */
  readonly optionGroupStart: Int32Array;
  /** Per group: triples `groupStart[group] ..[group + 1]`, its option and month offset. */
  readonly groupStart: Int32Array;
  readonly groupOption: Int32Array;
  readonly groupMonth: Int32Array;
  readonly commitments: readonly {
    readonly provider: number;
    readonly from: number;
    readonly to: number;
    readonly minimum: number;
  }[];
}

/** Builds the fast planner's arrays; linear in the triples, deterministic. */
export function prepare(problem: PlacementProblem): Prepared {
  const { triples, workloads, pools, scenario, gangOptions } = problem;
  const horizonStart = scenario.horizon.from;
  const months = scenario.horizon.to - scenario.horizon.from + 1;
  const providerIndex = new Map(scenario.providers.map((p, i) => [p.id, i]));
  const poolProvider = Int32Array.from(pools, (pool) => providerIndex.get(pool.provider) ?? 0);
  const poolPrice = Float64Array.from(pools, (pool) => microsToFloat(pool.pricePerGpuHour));
  const workloadValue = Float64Array.from(workloads, (w) => microsToFloat(w.valuePerGpuHour));
  const hours = new Float64Array(months);
  for (let m = 0; m < months; m++) hours[m] = hoursIn((horizonStart + m) as Period);
  const n = triples.count;

  // A gang option's triples lie in its workload's window, so its groups are keyed by the
  // months of that window alone: `groupKeyBase[g] + m - groupFirstMonth[g]`. Keyed by every
  // month of the horizon, tens of thousands of options need arrays of millions of entries.
  const groupKeyBase = new Int32Array(gangOptions.length + 1);
  const groupFirstMonth = new Int32Array(gangOptions.length);
  gangOptions.forEach((option, g) => {
    const range = problem.demandRange[option.workload];
    groupFirstMonth[g] = range ? range.from - horizonStart : 0;
    groupKeyBase[g + 1] = (groupKeyBase[g] ?? 0) + (range ? range.to - range.from + 1 : 0);
  });
  const groupKey = (g: number, m: number) => (groupKeyBase[g] ?? 0) + m - (groupFirstMonth[g] ?? 0);

  // Count the triples of each demand (workload × months + month) and each gang group.
  const demandCount = new Int32Array(workloads.length * months);
  const groupCount = new Int32Array(groupKeyBase[gangOptions.length] ?? 0);
  for (let t = 0; t < n; t++) {
    const m = (triples.period[t] ?? 0) - horizonStart;
    const g = triples.option[t] ?? -1;
    if (g >= 0) {
      const key = groupKey(g, m);
      groupCount[key] = (groupCount[key] ?? 0) + 1;
    } else {
      const key = (triples.workload[t] ?? 0) * months + m;
      demandCount[key] = (demandCount[key] ?? 0) + 1;
    }
  }

  // Demands in (month, value desc, workload) order; each gets its slice of internal indices.
  const byValue = Int32Array.from(workloads, (_, w) => w).sort(
    (a, b) => (workloadValue[b] ?? 0) - (workloadValue[a] ?? 0) || a - b,
  );
  const demandWorkloadList: number[] = [];
  const demandStartList: number[] = [0];
  const monthDemandStart = new Int32Array(months + 1);
  const cursor = new Int32Array(workloads.length * months).fill(-1);
  let offset = 0;
  for (let m = 0; m < months; m++) {
    for (const w of byValue) {
      const count = demandCount[w * months + m] ?? 0;
      if (count === 0) continue;
      cursor[w * months + m] = offset;
      offset += count;
      demandWorkloadList.push(w);
      demandStartList.push(offset);
    }
    monthDemandStart[m + 1] = demandWorkloadList.length;
  }
  // Gang groups in (option, month) order.
  const groupCursor = new Int32Array(groupCount.length).fill(-1);
  const optionGroupStart = new Int32Array(gangOptions.length + 1);
  // Hundreds of thousands of groups on a large portfolio: counted first, held in typed arrays.
  let groups = 0;
  for (let key = 0; key < groupCount.length; key++) if (groupCount[key] !== 0) groups++;
  const groupStart = new Int32Array(groups + 1);
  const groupOption = new Int32Array(groups);
  const groupMonth = new Int32Array(groups);
  groupStart[0] = offset;
  let group = 0;
  for (let g = 0; g < gangOptions.length; g++) {
    const first = groupFirstMonth[g] ?? 0;
    for (let key = groupKeyBase[g] ?? 0; key < (groupKeyBase[g + 1] ?? 0); key++) {
      const count = groupCount[key] ?? 0;
      if (count === 0) continue;
      groupCursor[key] = offset;
      offset += count;
      groupStart[group + 1] = offset;
      groupOption[group] = g;
      groupMonth[group] = first + key - (groupKeyBase[g] ?? 0);
      group++;
    }
    optionGroupStart[g + 1] = group;
  }

  const origin = new Int32Array(n);
  const spendPerGpu = new Float64Array(n);
  const valuePerGpu = new Float64Array(n);
  const capIndex = new Int32Array(n);
  const providerMonth = new Int32Array(n);
  const pool = new Int32Array(n);
  const option = new Int32Array(n);
  const splittable = groupStart[0] ?? 0;
  const gangValuePerGpu = new Float64Array(n - splittable);
  // Two passes: the internal index of each triple is found first (one scattered write per
  // triple), then every array is written in internal order. Scattering all seven arrays at
  // once costs a cache miss per write and was the bulk of this.
  for (let t = 0; t < n; t++) {
    const m = (triples.period[t] ?? 0) - horizonStart;
    const g = triples.option[t] ?? -1;
    let i: number;
    if (g >= 0) {
      const key = groupKey(g, m);
      i = groupCursor[key] ?? 0;
      groupCursor[key] = i + 1;
    } else {
      const key = (triples.workload[t] ?? 0) * months + m;
      i = cursor[key] ?? 0;
      cursor[key] = i + 1;
    }
    origin[i] = t;
  }
  // The second pass goes demand by demand and group by group: their triples share the
  // workload, the month and the option, so only the pool is read from the (scattered) triple.
  const writeTriple = (i: number, m: number, h: number, g: number) => {
    const p = triples.pool[origin[i] ?? 0] ?? 0;
    spendPerGpu[i] = h * (poolPrice[p] ?? 0);
    capIndex[i] = p * months + m;
    providerMonth[i] = (poolProvider[p] ?? 0) * months + m;
    pool[i] = p;
    option[i] = g;
  };
  for (let m = 0; m < months; m++) {
    const h = hours[m] ?? 0;
    for (let d = monthDemandStart[m] ?? 0; d < (monthDemandStart[m + 1] ?? 0); d++) {
      const value = h * (workloadValue[demandWorkloadList[d] ?? 0] ?? 0);
      for (let i = demandStartList[d] ?? 0; i < (demandStartList[d + 1] ?? 0); i++) {
        writeTriple(i, m, h, -1);
        valuePerGpu[i] = value;
      }
    }
  }
  for (let k = 0; k < groups; k++) {
    const g = groupOption[k] ?? 0;
    const m = groupMonth[k] ?? 0;
    const h = hours[m] ?? 0;
    const value = h * (workloadValue[gangOptions[g]?.workload ?? 0] ?? 0);
    for (let i = groupStart[k] ?? 0; i < (groupStart[k + 1] ?? 0); i++) {
      writeTriple(i, m, h, g);
      gangValuePerGpu[i - splittable] = value;
    }
  }

  let allDemandValue = 0;
  workloads.forEach((workload, w) => {
    const range = problem.demandRange[w];
    if (!range) return;
    for (let t = range.from; t <= range.to; t++) {
      allDemandValue += workload.gpus * (hours[t - horizonStart] ?? 0) * (workloadValue[w] ?? 0);
    }
  });

  const optionValue = new Float64Array(gangOptions.length);
  const optionNeed = new Float64Array(gangOptions.length);
  gangOptions.forEach((option, g) => {
    const range = problem.demandRange[option.workload];
    const workload = workloads[option.workload];
    if (!range || !workload || !option.viable) return;
    let total = 0;
    for (let t = range.from; t <= range.to; t++) total += hours[t - horizonStart] ?? 0;
    optionValue[g] = total * workload.gpus * (workloadValue[option.workload] ?? 0);
    optionNeed[g] = workload.gpus;
  });

  const gangOrder = Int32Array.from(byValue).filter((w) => workloads[w]?.gang === true);
  const optionsOf: number[][] = workloads.map(() => []);
  gangOptions.forEach((option, g) => {
    if (option.viable) optionsOf[option.workload]?.push(g);
  });
  const gangOptionStart = new Int32Array(gangOrder.length + 1);
  const gangOptionList: number[] = [];
  gangOrder.forEach((w, index) => {
    gangOptionList.push(...(optionsOf[w] ?? []));
    gangOptionStart[index + 1] = gangOptionList.length;
  });
  // A run's worth is any of its viable options' value V (they are equal); a workload with none
  // is never run, whatever its place in the order.
  const worthOf = (index: number) =>
    (gangOptionStart[index] ?? 0) < (gangOptionStart[index + 1] ?? 0)
      ? (optionValue[gangOptionList[gangOptionStart[index] ?? 0] ?? 0] ?? 0)
      : 0;
  const gangOrderByWorth = Int32Array.from(gangOrder, (_, index) => index).sort(
    (a, b) => worthOf(b) - worthOf(a) || a - b,
  );

  const capacity = new Float64Array(pools.length * months);
  pools.forEach((p, index) => capacity.fill(p.gpus, index * months, (index + 1) * months));
  const demandStart = Int32Array.from(demandStartList);

  return {
    problem,
    horizonStart,
    months,
    providers: scenario.providers.length,
    allDemandValue,
    origin,
    spendPerGpu,
    valuePerGpu,
    gangValuePerGpu,
    capIndex,
    providerMonth,
    pool,
    option,
    capacity,
    scratch: new Int32Array(Math.max(largestGroup(demandStart), largestGroup(groupStart), 1)),
    demandWorkload: Int32Array.from(demandWorkloadList),
    demandNeed: Float64Array.from(demandWorkloadList, (w) => workloads[w]?.gpus ?? 0),
    demandStart,
    monthDemandStart,
    gangOrder,
    gangOrderByWorth,
    gangOptionStart,
    gangOptions: Int32Array.from(gangOptionList),
    optionValue,
    optionNeed,
    optionGroupStart,
    groupStart,
    groupOption,
    groupMonth,
    commitments: problem.commitments.map((c) => ({
      provider: providerIndex.get(c.term.provider) ?? 0,
      from: c.range.from - horizonStart,
      to: c.range.to - horizonStart,
      minimum: microsToFloat(c.term.minSpend),
    })),
  };
}

function largestGroup(starts: Int32Array): number {
  let largest = 0;
  for (let k = 1; k < starts.length; k++) {
    largest = Math.max(largest, (starts[k] ?? 0) - (starts[k - 1] ?? 0));
  }
  return largest;
}

/** The commitment weights Σμ spread over provider × month. */
export function weightTable(model: Prepared, mu: Float64Array): Float64Array {
  const table = new Float64Array(model.providers * model.months);
  model.commitments.forEach((c, k) => {
    const base = c.provider * model.months;
    for (let m = c.from; m <= c.to; m++) table[base + m] = (table[base + m] ?? 0) + (mu[k] ?? 0);
  });
  return table;
}

/**
 * Per triple in `from ..to` (all by default), into `effective` and `reduced`: the effective
 * spend h·price·(1 − Σμ) and the reduced cost adding λ − h·value (λ omitted: all zero). Σμ is
 * not capped at 1: the Lagrangian bound is valid only with the exact reduced cost.
 */
export function costs(
  model: Prepared,
  lambda: Float64Array | undefined,
  mu: Float64Array,
  effective: Float64Array,
  reduced: Float64Array,
  from = 0,
  to = model.spendPerGpu.length,
): void {
  const weights = weightTable(model, mu);
  const { spendPerGpu, valuePerGpu, capIndex, providerMonth } = model;
  for (let i = from; i < to; i++) {
    const e = (spendPerGpu[i] ?? 0) * (1 - (weights[providerMonth[i] ?? 0] ?? 0));
    effective[i] = e;
    reduced[i] = e + (lambda ? (lambda[capIndex[i] ?? 0] ?? 0) : 0) - (valuePerGpu[i] ?? 0);
  }
}

/**
 * The option of the `index`-th gang workload that costs least at the given per-GPU costs, with
 * room taken from `room` (capacity, or what is still free); -1 when no option has room in every
 * month. Ties go to the lower option index.
 */
export function cheapestOption(
  model: Prepared,
  index: number,
  cost: Float64Array,
  room: Float64Array,
): number {
  let best = -1;
  let bestCost = Infinity;
  for (
    let k = model.gangOptionStart[index] ?? 0;
    k < (model.gangOptionStart[index + 1] ?? 0);
    k++
  ) {
    const g = model.gangOptions[k] ?? 0;
    const total = optionCost(model, g, cost, room, undefined);
    if (total < bestCost) {
      best = g;
      bestCost = total;
    }
  }
  return best;
}

/**
 * What option g costs: each month filled from its pools cheapest first, each pool up to its
 * room; Infinity when some month lacks room. With `take`, also reports each (triple, GPUs).
 */
export function optionCost(
  model: Prepared,
  g: number,
  cost: Float64Array,
  room: Float64Array,
  take: ((i: number, gpus: number) => void) | undefined,
): number {
  const { capIndex, optionGroupStart, groupStart, scratch } = model;
  const need = model.optionNeed[g] ?? 0;
  const roomOf = (i: number) => room[capIndex[i] ?? 0] ?? 0;
  let total = 0;
  const add = (i: number, gpus: number) => {
    total += gpus * (cost[i] ?? 0);
    take?.(i, gpus);
  };
  for (let group = optionGroupStart[g] ?? 0; group < (optionGroupStart[g + 1] ?? 0); group++) {
    let count = 0;
    for (let j = groupStart[group] ?? 0; j < (groupStart[group + 1] ?? 0); j++) {
      scratch[count++] = j;
    }
    if (fillCheapest(scratch, count, cost, roomOf, need, add) > 0) return Infinity;
  }
  return total;
}

/**
 * Fills `need` GPUs from the triples in `candidates[0, count)`, cheapest `cost` first (ties by
 * index), each up to `room(i)`, reporting each take; returns what is left unfilled. Selection
 * rather than a sort: groups are small, and one or two triples usually hold the whole need.
 * Reorders `candidates`.
 */
export function fillCheapest(
  candidates: Int32Array,
  count: number,
  cost: Float64Array,
  room: (i: number) => number,
  need: number,
  take: (i: number, gpus: number) => void,
): number {
  let left = need;
  let remaining = count;
  while (left > 0 && remaining > 0) {
    let at = 0;
    for (let k = 1; k < remaining; k++) {
      const a = candidates[k] ?? 0;
      const b = candidates[at] ?? 0;
      if ((cost[a] ?? 0) < (cost[b] ?? 0) || ((cost[a] ?? 0) === (cost[b] ?? 0) && a < b)) at = k;
    }
    const i = candidates[at] ?? 0;
    candidates[at] = candidates[remaining - 1] ?? 0;
    remaining--;
    const gpus = Math.min(left, room(i));
    if (gpus <= 0) continue;
    take(i, gpus);
    left -= gpus;
  }
  return left;
}

/**
 * Spend per commitment of a plan: x holds GPUs per triple; `used`, when given, lists every
 * triple with GPUs (the others are 0), so that only those are read.
 */
export function spends(model: Prepared, x: Float64Array, used?: ArrayLike<number>): Float64Array {
  const table = new Float64Array(model.providers * model.months);
  const count = used ? used.length : x.length;
  for (let k = 0; k < count; k++) {
    const i = used ? (used[k] ?? 0) : k;
    const gpus = x[i] ?? 0;
    if (gpus > 0) {
      const pm = model.providerMonth[i] ?? 0;
      table[pm] = (table[pm] ?? 0) + gpus * (model.spendPerGpu[i] ?? 0);
    }
  }
  return Float64Array.from(model.commitments, (c) => {
    let spend = 0;
    for (let m = c.from; m <= c.to; m++) spend += table[c.provider * model.months + m] ?? 0;
    return spend;
  });
}

/** Take-or-pay shortfall per commitment of a plan (see `spends`). */
export function shortfalls(
  model: Prepared,
  x: Float64Array,
  used?: ArrayLike<number>,
): Float64Array {
  const spend = spends(model, x, used);
  return Float64Array.from(model.commitments, (c, k) => Math.max(0, c.minimum - (spend[k] ?? 0)));
}

/**
 * The spec's objective of a plan in USD (float, for comparing candidates): unmet value, plus
 * compute, plus shortfall. A gang option with any GPUs counts as run (its value earned).
 */
export function objective(model: Prepared, x: Float64Array, used?: ArrayLike<number>): number {
  let total = model.allDemandValue;
  const splittable = model.groupStart[0] ?? 0;
  const run = new Uint8Array(model.optionNeed.length);
  const count = used ? used.length : x.length;
  for (let k = 0; k < count; k++) {
    const i = used ? (used[k] ?? 0) : k;
    const gpus = x[i] ?? 0;
    if (gpus <= 0) continue;
    total += gpus * ((model.spendPerGpu[i] ?? 0) - (model.valuePerGpu[i] ?? 0));
    if (i >= splittable) run[model.option[i] ?? 0] = 1;
  }
  run.forEach((r, g) => {
    if (r === 1) total -= model.optionValue[g] ?? 0;
  });
  for (const shortfall of shortfalls(model, x, used)) total += shortfall;
  return total;
}

/**
 * Whether a plan's objective `total` (USD, float) is cheaper than `than` by more than float
 * noise: two plans of one cost, summed in another order, differ in their last bits, and a plan
 * kept should stay where another only ties it.
 */
export function cheaperThan(total: number, than: number): boolean {
  return total < than - Math.max(1e-9 * Math.abs(than), 1);
}

/**
 * The plan's placements, in the problem's triple order. `used` lists every triple with GPUs
 * (the others are 0), so that only those are read.
 */
export function toPlacements(
  model: Prepared,
  x: Float64Array,
  used: ArrayLike<number>,
): Placement[] {
  const { triples } = model.problem;
  const { origin } = model;
  // Sorted by problem index without a Map: each key is origin × span + k, with span a power of
  // two above every k, exact in float64 for any problem that fits in memory; a numeric sort
  // orders the keys by origin, and k finds the GPUs. `used` lists each triple once.
  const span = 2 ** Math.ceil(Math.log2(used.length + 1));
  const keys = new Float64Array(used.length);
  let count = 0;
  for (let k = 0; k < used.length; k++) {
    const gpus = x[used[k] ?? 0] ?? 0;
    if (gpus > 0) keys[count++] = (origin[used[k] ?? 0] ?? 0) * span + k;
  }
  const sorted = keys.subarray(0, count).sort();
  const placements: Placement[] = [];
  for (const key of sorted) {
    const k = key % span;
    const i = used[k] ?? 0;
    placements.push(placementOf(triples, origin[i] ?? 0, x[i] ?? 0));
  }
  return placements;
}
