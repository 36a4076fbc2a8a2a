import { microsToFloat } from '../money.js';
import type { Period } from '../period.js';
import { hoursIn } from '../period.js';
import type { Placement } from './evaluate.js';
import type { PlacementProblem } from './problem.js';

/** How long the fast planner works; iteration counts keep it deterministic. */
export interface FastOptions {
  /** Subgradient iterations of the Lagrangian dual (default 60). */
  readonly iterations?: number;
  /** Build a plan from the current prices every this many iterations (default 10). */
  readonly primalEvery?: number;
  /**
   * A wall-clock cap, checked between iterations. Only a safety net: a run stopped by it
   * depends on the machine's speed, so it is the one thing that is not deterministic.
   */
  readonly deadline?: { readonly now: () => number; readonly at: number };
  /** Called after each iteration with the fraction done, for a progress bar. */
  readonly onProgress?: (done: number, bestTotal: number, bound: number) => void;
}

export interface FastResult {
  readonly placements: Placement[];
  /** The best plan's objective in USD (float; the plan is priced exactly afterwards). */
  readonly total: number;
  /** A proven lower bound on the optimum in USD: the best Lagrangian value found. */
  readonly bound: number;
  readonly iterations: number;
  /** Whether the deadline stopped the run before its iterations were done. */
  readonly stoppedByDeadline: boolean;
}

/**
 * The fast planner for large portfolios: Lagrangian relaxation with subgradient steps for the
 * bound, and a price-guided greedy for the plan. See docs/planner.md.
 *
 * Relax pool capacity (prices λ[p,t] ≥ 0) and commitments (weights μ[k] ∈ [0, 1]). What is
 * left splits by workload and month: a splittable workload takes its eligible pools in order
 * of reduced cost h·price·(1 − Σμ) + λ − h·value while that is negative (each up to the pool's
 * size, the model's column bound); a gang workload takes its cheapest viable option if that
 * beats its value. Every (λ, μ) gives a valid lower bound (weak duality; μ ≤ 1 keeps the
 * shortfall's reduced cost non-negative), and subgradient steps raise it.
 *
 * Every few iterations the current prices guide a greedy plan: gang runs first (highest value
 * per GPU-hour first, on the option cheapest at current prices with room in every month), then
 * splittable demand month by month (highest value first, pools in order of reduced cost, placed
 * only where the effective price is below the value), then a repair pass that serves demand on
 * a committed provider while its take-or-pay shortfall would be paid anyway. The best plan wins.
 */
export function planFast(problem: PlacementProblem, options: FastOptions = {}): FastResult {
  const model = prepare(problem);
  const iterations = options.iterations ?? 60;
  const primalEvery = options.primalEvery ?? 10;

  const lambda = new Float64Array(model.capacity.length);
  const mu = new Float64Array(model.commitments.length).fill(1);
  let best = greedyPlan(model, lambda, mu);
  // Warm start: price every pool the greedy plan fills at the margin it turned away.
  warmStart(model, best, lambda, mu);
  let bestBound = -Infinity;
  let theta = 2;
  let sinceImprovement = 0;
  let done = 0;
  let stoppedByDeadline = false;

  for (let iteration = 0; iteration < iterations; iteration++) {
    if (options.deadline && options.deadline.now() >= options.deadline.at) {
      stoppedByDeadline = true;
      break;
    }
    const relaxed = lagrangian(model, lambda, mu);
    if (relaxed.value > bestBound) {
      bestBound = relaxed.value;
      sinceImprovement = 0;
    } else if (++sinceImprovement >= 10) {
      theta /= 2;
      sinceImprovement = 0;
    }
    if ((iteration + 1) % primalEvery === 0) {
      const candidate = greedyPlan(model, lambda, mu);
      if (candidate.total < best.total) best = candidate;
    }
    done = iteration + 1;
    options.onProgress?.(done / iterations, best.total, bestBound);
    if (best.total - bestBound <= 1e-7 * Math.max(1, best.total)) break;
    step(model, lambda, mu, relaxed, theta, best.total);
  }
  return {
    placements: toPlacements(model, best.x),
    total: best.total,
    bound: Math.min(bestBound, best.total),
    iterations: done,
    stoppedByDeadline,
  };
}

/**
 * Flat arrays the hot loops read, built once per problem. Triples are grouped in CSR form:
 * splittable ones by (workload, month) — a *demand* — and gang ones by (option, month).
 */
interface Prepared {
  readonly problem: PlacementProblem;
  readonly horizonStart: number;
  readonly months: number;
  /** Σ value of all demand: the objective when nothing is placed, before commitments. */
  readonly allDemandValue: number;
  /** Per triple: hours × price (USD per GPU for the month). */
  readonly spendPerGpu: Float64Array;
  /** Per triple: hours × value for splittable workloads, 0 for gang. */
  readonly valuePerGpu: Float64Array;
  /** Per triple: index into `capacity` (pool × months + month offset). */
  readonly capIndex: Int32Array;
  /** Per triple: provider × months + month offset, for commitment weights and spend. */
  readonly providerMonth: Int32Array;
  readonly capacity: Float64Array;
  /** Splittable demands, in (month, value desc, workload) order: the greedy's order. */
  readonly demandWorkload: Int32Array;
  readonly demandNeed: Float64Array;
  readonly demandStart: Int32Array;
  readonly demandTriples: Int32Array;
  /** Gang workloads in the greedy's order (value per GPU-hour desc), with their options. */
  readonly gangOrder: Int32Array;
  readonly gangOptionStart: Int32Array;
  readonly gangOptions: Int32Array;
  /** Per option: its value V = value × gpus × Σ hours, need, and its (month) groups. */
  readonly optionValue: Float64Array;
  readonly optionNeed: Float64Array;
  readonly optionGroupStart: Int32Array;
  readonly groupStart: Int32Array;
  readonly groupTriples: Int32Array;
  readonly commitments: readonly {
    readonly provider: number;
    readonly from: number;
    readonly to: number;
    readonly minimum: number;
  }[];
  readonly providers: number;
}

function prepare(problem: PlacementProblem): Prepared {
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
  const spendPerGpu = new Float64Array(n);
  const valuePerGpu = new Float64Array(n);
  const capIndex = new Int32Array(n);
  const providerMonth = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const w = triples.workload[i] ?? 0;
    const p = triples.pool[i] ?? 0;
    const m = (triples.period[i] ?? 0) - horizonStart;
    const h = hours[m] ?? 0;
    spendPerGpu[i] = h * (poolPrice[p] ?? 0);
    valuePerGpu[i] = (triples.option[i] ?? -1) >= 0 ? 0 : h * (workloadValue[w] ?? 0);
    capIndex[i] = p * months + m;
    providerMonth[i] = (poolProvider[p] ?? 0) * months + m;
  }

  let allDemandValue = 0;
  workloads.forEach((workload, w) => {
    const range = problem.demandRange[w];
    if (!range) return;
    for (let t = range.from; t <= range.to; t++) {
      allDemandValue += workload.gpus * (hours[t - horizonStart] ?? 0) * (workloadValue[w] ?? 0);
    }
  });

  // Splittable demands: group triples by (workload, month) with a counting sort on the key.
  const demandKey = new Int32Array(n).fill(-1);
  const keyCount = new Int32Array(workloads.length * months + 1);
  for (let i = 0; i < n; i++) {
    if ((triples.option[i] ?? -1) >= 0) continue;
    const key = (triples.workload[i] ?? 0) * months + (triples.period[i] ?? 0) - horizonStart;
    demandKey[i] = key;
    keyCount[key + 1] = (keyCount[key + 1] ?? 0) + 1;
  }
  const keys: number[] = [];
  for (let key = 0; key < workloads.length * months; key++) {
    if ((keyCount[key + 1] ?? 0) > 0) keys.push(key);
  }
  keys.sort((a, b) => {
    const wa = Math.floor(a / months);
    const wb = Math.floor(b / months);
    return (
      (a % months) - (b % months) || (workloadValue[wb] ?? 0) - (workloadValue[wa] ?? 0) || wa - wb
    );
  });
  const demandWorkload = Int32Array.from(keys, (key) => Math.floor(key / months));
  const demandNeed = Float64Array.from(
    keys,
    (key) => workloads[Math.floor(key / months)]?.gpus ?? 0,
  );
  const demandOf = new Int32Array(workloads.length * months).fill(-1);
  const demandStart = new Int32Array(keys.length + 1);
  keys.forEach((key, d) => {
    demandOf[key] = d;
    demandStart[d + 1] = (demandStart[d] ?? 0) + (keyCount[key + 1] ?? 0);
  });
  const demandTriples = new Int32Array(demandStart[keys.length] ?? 0);
  const demandFill = demandStart.slice(0, keys.length);
  for (let i = 0; i < n; i++) {
    const key = demandKey[i] ?? -1;
    if (key < 0) continue;
    const d = demandOf[key] ?? 0;
    demandTriples[demandFill[d] ?? 0] = i;
    demandFill[d] = (demandFill[d] ?? 0) + 1;
  }

  // Gang options: group each viable option's triples by month.
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
  const byOptionMonth = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const g = triples.option[i] ?? -1;
    if (g < 0) continue;
    const key = g * months + (triples.period[i] ?? 0) - horizonStart;
    const list = byOptionMonth.get(key);
    if (list) list.push(i);
    else byOptionMonth.set(key, [i]);
  }
  const groupKeys = [...byOptionMonth.keys()].sort((a, b) => a - b);
  const optionGroupStart = new Int32Array(gangOptions.length + 1);
  const groupStart = new Int32Array(groupKeys.length + 1);
  const groupTriples: number[] = [];
  groupKeys.forEach((key, index) => {
    const g = Math.floor(key / months);
    optionGroupStart[g + 1] = index + 1;
    for (const i of byOptionMonth.get(key) ?? []) groupTriples.push(i);
    groupStart[index + 1] = groupTriples.length;
  });
  for (let g = 1; g <= gangOptions.length; g++) {
    if ((optionGroupStart[g] ?? 0) < (optionGroupStart[g - 1] ?? 0)) {
      optionGroupStart[g] = optionGroupStart[g - 1] ?? 0;
    }
  }

  const gangWorkloads = workloads
    .map((workload, w) => ({ workload, w }))
    .filter(({ workload }) => workload.gang)
    .sort((a, b) => (workloadValue[b.w] ?? 0) - (workloadValue[a.w] ?? 0) || a.w - b.w);
  const optionsOf = new Map<number, number[]>();
  gangOptions.forEach((option, g) => {
    if (!option.viable) return;
    const list = optionsOf.get(option.workload);
    if (list) list.push(g);
    else optionsOf.set(option.workload, [g]);
  });
  const gangOrder = Int32Array.from(gangWorkloads, ({ w }) => w);
  const gangOptionStart = new Int32Array(gangOrder.length + 1);
  const gangOptionList: number[] = [];
  gangWorkloads.forEach(({ w }, index) => {
    gangOptionList.push(...(optionsOf.get(w) ?? []));
    gangOptionStart[index + 1] = gangOptionList.length;
  });

  const capacity = new Float64Array(pools.length * months);
  pools.forEach((pool, p) => capacity.fill(pool.gpus, p * months, (p + 1) * months));

  return {
    problem,
    horizonStart,
    months,
    allDemandValue,
    spendPerGpu,
    valuePerGpu,
    capIndex,
    providerMonth,
    capacity,
    demandWorkload,
    demandNeed,
    demandStart,
    demandTriples,
    gangOrder,
    gangOptionStart,
    gangOptions: Int32Array.from(gangOptionList),
    optionValue,
    optionNeed,
    optionGroupStart,
    groupStart,
    groupTriples: Int32Array.from(groupTriples),
    commitments: problem.commitments
      .filter((c) => c.range !== undefined)
      .map((c) => ({
        provider: providerIndex.get(c.term.provider) ?? 0,
        from: (c.range?.from ?? 0) - horizonStart,
        to: (c.range?.to ?? 0) - horizonStart,
        minimum: microsToFloat(c.term.minSpend),
      })),
    providers: scenario.providers.length,
  };
}

/** The commitment weights spread over provider × month. */
function weightTable(model: Prepared, mu: Float64Array): Float64Array {
  const table = new Float64Array(model.providers * model.months);
  model.commitments.forEach((c, k) => {
    const base = c.provider * model.months;
    for (let m = c.from; m <= c.to; m++) table[base + m] = (table[base + m] ?? 0) + (mu[k] ?? 0);
  });
  return table;
}

/** Per triple: the effective spend h·price·(1 − Σμ), and the reduced cost adding λ − value. */
function costs(
  model: Prepared,
  lambda: Float64Array,
  mu: Float64Array,
): { effective: Float64Array; reduced: Float64Array } {
  const weights = weightTable(model, mu);
  const { spendPerGpu, valuePerGpu, capIndex, providerMonth } = model;
  const effective = new Float64Array(spendPerGpu.length);
  const reduced = new Float64Array(spendPerGpu.length);
  for (let i = 0; i < reduced.length; i++) {
    // Not capped at 1: the bound is valid only with the exact reduced cost.
    const e = (spendPerGpu[i] ?? 0) * (1 - (weights[providerMonth[i] ?? 0] ?? 0));
    effective[i] = e;
    reduced[i] = e + (lambda[capIndex[i] ?? 0] ?? 0) - (valuePerGpu[i] ?? 0);
  }
  return { effective, reduced };
}

/** Sorts a scratch list of triple indices by a key, ties by index: deterministic. */
function sortBy(list: number[], key: Float64Array): void {
  list.sort((a, b) => (key[a] ?? 0) - (key[b] ?? 0) || a - b);
}

interface Relaxed {
  readonly value: number;
  /** GPUs the relaxed solution puts on each pool-month. */
  readonly usage: Float64Array;
  /** Spend of the relaxed solution per commitment. */
  readonly spend: Float64Array;
}

/** The Lagrangian function at (λ, μ) and the relaxed solution that attains it. */
function lagrangian(model: Prepared, lambda: Float64Array, mu: Float64Array): Relaxed {
  const { capacity, spendPerGpu, capIndex, providerMonth, demandStart, demandTriples } = model;
  const { reduced } = costs(model, lambda, mu);
  const usage = new Float64Array(capacity.length);
  const spendTable = new Float64Array(model.providers * model.months);
  let value = model.allDemandValue;
  for (let c = 0; c < capacity.length; c++) value -= (lambda[c] ?? 0) * (capacity[c] ?? 0);
  model.commitments.forEach((c, k) => {
    value += (mu[k] ?? 0) * c.minimum;
  });
  const place = (i: number, gpus: number) => {
    const c = capIndex[i] ?? 0;
    usage[c] = (usage[c] ?? 0) + gpus;
    const pm = providerMonth[i] ?? 0;
    spendTable[pm] = (spendTable[pm] ?? 0) + gpus * (spendPerGpu[i] ?? 0);
  };

  const scratch: number[] = [];
  for (let d = 0; d < model.demandWorkload.length; d++) {
    const start = demandStart[d] ?? 0;
    const end = demandStart[d + 1] ?? 0;
    const need = model.demandNeed[d] ?? 0;
    // Fast path: the cheapest negative triple alone holds the whole need.
    let cheapest = -1;
    for (let k = start; k < end; k++) {
      const i = demandTriples[k] ?? 0;
      if ((reduced[i] ?? 0) < 0 && (cheapest < 0 || (reduced[i] ?? 0) < (reduced[cheapest] ?? 0))) {
        cheapest = i;
      }
    }
    if (cheapest < 0) continue;
    if ((capacity[capIndex[cheapest] ?? 0] ?? 0) >= need) {
      value += need * (reduced[cheapest] ?? 0);
      place(cheapest, need);
      continue;
    }
    scratch.length = 0;
    for (let k = start; k < end; k++) {
      const i = demandTriples[k] ?? 0;
      if ((reduced[i] ?? 0) < 0) scratch.push(i);
    }
    sortBy(scratch, reduced);
    let left = need;
    for (const i of scratch) {
      const take = Math.min(left, capacity[capIndex[i] ?? 0] ?? 0);
      if (take <= 0) continue;
      value += take * (reduced[i] ?? 0);
      place(i, take);
      left -= take;
      if (left === 0) break;
    }
  }

  for (let index = 0; index < model.gangOrder.length; index++) {
    const choice = cheapestOption(model, index, reduced, undefined);
    if (!choice) continue;
    const net = choice.cost - (model.optionValue[choice.option] ?? 0);
    if (net >= 0) continue;
    value += net;
    for (let k = 0; k < choice.fill.length; k += 2)
      place(choice.fill[k] ?? 0, choice.fill[k + 1] ?? 0);
  }

  const spend = Float64Array.from(model.commitments, (c) => {
    let total = 0;
    const base = c.provider * model.months;
    for (let m = c.from; m <= c.to; m++) total += spendTable[base + m] ?? 0;
    return total;
  });
  return { value, usage, spend };
}

/**
 * The option of the `index`-th gang workload that costs least at the given per-GPU costs,
 * filling each month from its pools cheapest first. With `free`, only room still free counts
 * and options lacking room in some month are skipped. `fill` holds (triple, GPUs) pairs.
 */
function cheapestOption(
  model: Prepared,
  index: number,
  cost: Float64Array,
  free: Float64Array | undefined,
): { option: number; cost: number; fill: number[] } | undefined {
  const { capIndex, optionGroupStart, groupStart, groupTriples } = model;
  const room = free ?? model.capacity;
  let best: { option: number; cost: number; fill: number[] } | undefined;
  const scratch: number[] = [];
  for (
    let k = model.gangOptionStart[index] ?? 0;
    k < (model.gangOptionStart[index + 1] ?? 0);
    k++
  ) {
    const g = model.gangOptions[k] ?? 0;
    const need = model.optionNeed[g] ?? 0;
    let total = 0;
    const fill: number[] = [];
    let feasible = true;
    for (let group = optionGroupStart[g] ?? 0; group < (optionGroupStart[g + 1] ?? 0); group++) {
      scratch.length = 0;
      for (let j = groupStart[group] ?? 0; j < (groupStart[group + 1] ?? 0); j++) {
        scratch.push(groupTriples[j] ?? 0);
      }
      sortBy(scratch, cost);
      let left = need;
      for (const i of scratch) {
        const take = Math.min(left, room[capIndex[i] ?? 0] ?? 0);
        if (take <= 0) continue;
        total += take * (cost[i] ?? 0);
        fill.push(i, take);
        left -= take;
        if (left === 0) break;
      }
      if (left > 0) {
        feasible = false;
        break;
      }
    }
    if (feasible && (!best || total < best.cost)) best = { option: g, cost: total, fill };
  }
  return best;
}

/** One projected subgradient step with Polyak's step size, per block (λ, then μ). */
function step(
  model: Prepared,
  lambda: Float64Array,
  mu: Float64Array,
  relaxed: Relaxed,
  theta: number,
  upper: number,
): void {
  const gap = Math.max(upper - relaxed.value, 1e-9 * Math.max(1, Math.abs(upper)));
  let norm = 0;
  for (let c = 0; c < lambda.length; c++) {
    const g = (relaxed.usage[c] ?? 0) - (model.capacity[c] ?? 0);
    if ((lambda[c] ?? 0) > 0 || g > 0) norm += g * g;
  }
  if (norm > 0) {
    const size = (theta * gap) / norm;
    for (let c = 0; c < lambda.length; c++) {
      const g = (relaxed.usage[c] ?? 0) - (model.capacity[c] ?? 0);
      lambda[c] = Math.max(0, (lambda[c] ?? 0) + size * g);
    }
  }
  let muNorm = 0;
  model.commitments.forEach((c, k) => {
    const g = c.minimum - (relaxed.spend[k] ?? 0);
    if (((mu[k] ?? 0) > 0 || g > 0) && ((mu[k] ?? 0) < 1 || g < 0)) muNorm += g * g;
  });
  if (muNorm > 0) {
    const size = (theta * gap) / muNorm;
    model.commitments.forEach((c, k) => {
      const g = c.minimum - (relaxed.spend[k] ?? 0);
      mu[k] = Math.min(1, Math.max(0, (mu[k] ?? 0) + size * g));
    });
  }
}

interface Candidate {
  /** GPUs per triple. */
  readonly x: Float64Array;
  readonly total: number;
  /** Capacity left per pool-month. */
  readonly free: Float64Array;
  /** GPUs short per demand. */
  readonly short: Float64Array;
}

/** A feasible plan guided by prices λ and weights μ, with its objective in USD. */
function greedyPlan(model: Prepared, lambda: Float64Array, mu: Float64Array): Candidate {
  const { capacity, capIndex, demandStart, demandTriples, providerMonth, spendPerGpu } = model;
  const { effective, reduced } = costs(model, lambda, mu);
  const free = Float64Array.from(capacity);
  const x = new Float64Array(spendPerGpu.length);

  // Gang runs first: they need whole blocks of capacity. λ picks the option; whether to run
  // is judged at effective prices (commitment credit included), against the run's value.
  for (let index = 0; index < model.gangOrder.length; index++) {
    const choice = cheapestOption(model, index, reduced, free);
    if (!choice) continue;
    let cost = 0;
    for (let k = 0; k < choice.fill.length; k += 2) {
      cost += (choice.fill[k + 1] ?? 0) * (effective[choice.fill[k] ?? 0] ?? 0);
    }
    if (cost >= (model.optionValue[choice.option] ?? 0)) continue;
    for (let k = 0; k < choice.fill.length; k += 2) {
      const i = choice.fill[k] ?? 0;
      const gpus = choice.fill[k + 1] ?? 0;
      x[i] = gpus;
      free[capIndex[i] ?? 0] = (free[capIndex[i] ?? 0] ?? 0) - gpus;
    }
  }

  // Splittable demand in the prepared order, pools in order of reduced cost.
  const short = new Float64Array(model.demandWorkload.length);
  const scratch: number[] = [];
  for (let d = 0; d < model.demandWorkload.length; d++) {
    scratch.length = 0;
    for (let k = demandStart[d] ?? 0; k < (demandStart[d + 1] ?? 0); k++) {
      const i = demandTriples[k] ?? 0;
      if ((effective[i] ?? 0) < (model.valuePerGpu[i] ?? 0)) scratch.push(i);
    }
    sortBy(scratch, reduced);
    let left = model.demandNeed[d] ?? 0;
    for (const i of scratch) {
      if (left === 0) break;
      const c = capIndex[i] ?? 0;
      const take = Math.min(left, free[c] ?? 0);
      if (take <= 0) continue;
      x[i] = (x[i] ?? 0) + take;
      free[c] = (free[c] ?? 0) - take;
      left -= take;
    }
    short[d] = left;
  }

  // Take-or-pay repair: while a commitment is short, its provider's capacity costs nothing
  // more, so serve demand there even above its value — as much as the shortfall pays for.
  if (model.commitments.length > 0) {
    const shortfall = shortfalls(model, x);
    for (let d = 0; d < model.demandWorkload.length; d++) {
      let left = short[d] ?? 0;
      for (let k = demandStart[d] ?? 0; k < (demandStart[d + 1] ?? 0) && left > 0; k++) {
        const i = demandTriples[k] ?? 0;
        const pm = providerMonth[i] ?? 0;
        const provider = Math.floor(pm / model.months);
        const month = pm % model.months;
        const c = model.commitments.findIndex(
          (commitment, index) =>
            commitment.provider === provider &&
            month >= commitment.from &&
            month <= commitment.to &&
            (shortfall[index] ?? 0) > 0,
        );
        if (c < 0) continue;
        const perGpu = Math.max(spendPerGpu[i] ?? 0, 1e-9);
        const take = Math.min(
          left,
          free[capIndex[i] ?? 0] ?? 0,
          Math.floor((shortfall[c] ?? 0) / perGpu),
        );
        if (take <= 0) continue;
        x[i] = (x[i] ?? 0) + take;
        free[capIndex[i] ?? 0] = (free[capIndex[i] ?? 0] ?? 0) - take;
        shortfall[c] = (shortfall[c] ?? 0) - take * perGpu;
        left -= take;
      }
      short[d] = left;
    }
  }
  return { x, free, short, total: objective(model, x) };
}

/** Take-or-pay shortfall per commitment for a plan. */
function shortfalls(model: Prepared, x: Float64Array): number[] {
  const table = new Float64Array(model.providers * model.months);
  for (let i = 0; i < x.length; i++) {
    const gpus = x[i] ?? 0;
    if (gpus > 0) {
      const pm = model.providerMonth[i] ?? 0;
      table[pm] = (table[pm] ?? 0) + gpus * (model.spendPerGpu[i] ?? 0);
    }
  }
  return model.commitments.map((c) => {
    let spend = 0;
    for (let m = c.from; m <= c.to; m++) spend += table[c.provider * model.months + m] ?? 0;
    return Math.max(0, c.minimum - spend);
  });
}

/** The spec's objective of a plan in USD (float, for comparing candidates). */
function objective(model: Prepared, x: Float64Array): number {
  const { triples } = model.problem;
  let total = model.allDemandValue;
  const gangServed = new Set<number>();
  for (let i = 0; i < x.length; i++) {
    const gpus = x[i] ?? 0;
    if (gpus <= 0) continue;
    total += gpus * ((model.spendPerGpu[i] ?? 0) - (model.valuePerGpu[i] ?? 0));
    const option = triples.option[i] ?? -1;
    if (option >= 0) gangServed.add(option);
  }
  for (const option of gangServed) total -= model.optionValue[option] ?? 0;
  for (const shortfall of shortfalls(model, x)) total += shortfall;
  return total;
}

/**
 * Dual prices from a greedy plan: a pool-month that is full is worth, per GPU, the most that
 * demand turned away from it would have gained there. A good start for the subgradient.
 */
function warmStart(model: Prepared, plan: Candidate, lambda: Float64Array, mu: Float64Array): void {
  const { capIndex, demandStart, demandTriples, valuePerGpu, spendPerGpu } = model;
  const weights = weightTable(model, mu);
  for (let d = 0; d < model.demandWorkload.length; d++) {
    if ((plan.short[d] ?? 0) <= 0) continue;
    for (let k = demandStart[d] ?? 0; k < (demandStart[d + 1] ?? 0); k++) {
      const i = demandTriples[k] ?? 0;
      const c = capIndex[i] ?? 0;
      if ((plan.free[c] ?? 0) > 0) continue;
      const margin =
        (valuePerGpu[i] ?? 0) -
        (spendPerGpu[i] ?? 0) * (1 - (weights[model.providerMonth[i] ?? 0] ?? 0));
      if (margin > (lambda[c] ?? 0)) lambda[c] = margin;
    }
  }
}

function toPlacements(model: Prepared, x: Float64Array): Placement[] {
  const { triples } = model.problem;
  const placements: Placement[] = [];
  for (let i = 0; i < x.length; i++) {
    const gpus = x[i] ?? 0;
    if (gpus <= 0) continue;
    placements.push({
      workload: triples.workload[i] ?? 0,
      pool: triples.pool[i] ?? 0,
      period: (triples.period[i] ?? 0) as Period,
      gpus,
    });
  }
  return placements;
}
