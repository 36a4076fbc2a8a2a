import type { Micros } from '../money.js';
import type { Period } from '../period.js';
import { compareText } from '../order.js';
import { hoursIn } from '../period.js';
import type { ExactModel } from './exact.js';
import { buildExactModel } from './exact.js';
import type { Plan } from './plan.js';
import type { PlacementProblem } from './problem.js';
import type { LinearModel, LinearSolver } from './solver.js';

/** The marginal value of one more GPU of one pool in one month. */
export interface PoolMonthValue {
  readonly pool: string;
  readonly provider: string;
  /** The building the pool comes from, when it does. */
  readonly building?: string;
  readonly period: Period;
  /** GPUs the pool holds that month. */
  readonly gpus: number;
  /** GPUs the plan places there. */
  readonly used: number;
  /**
   * What one more GPU for the whole month would save: minus the capacity row's dual, in
   * micro-dollars per GPU for the month (the model's cost of a GPU-month is hours · price).
   * 0 where the pool is not full; never negative.
   */
  readonly valuePerGpuMonth: Micros;
}

export interface CapacityValues {
  /** Every (pool, month) with a capacity row, highest value first, then pool and month. */
  readonly rows: readonly PoolMonthValue[];
}

/** A dual smaller than this (USD per GPU-month) is the solver's rounding, not a value. */
const DUAL_TOLERANCE = 1e-6;

/**
 * The exact model with the plan's gang choices fixed (each gang workload's chosen option at
 * 1, its other options at 0) and integrality dropped: an LP whose capacity rows have duals.
 * Throws when a gang workload of the plan sits on pools that no viable option of it holds.
 */
export function fixedGangLp(problem: PlacementProblem, plan: Plan): ExactModel {
  const fixed = fixGangChoices(problem, plan);
  if (typeof fixed === 'string') throw new Error(fixed);
  return fixed;
}

/**
 * `fixedGangLp`, or why it cannot be built: a gang workload of the plan on pools that no
 * viable option of it holds in this problem (as when the plan is another scenario's).
 */
export function fixGangChoices(problem: PlacementProblem, plan: Plan): ExactModel | string {
  const exact = buildExactModel(problem);
  const poolIndex = new Map(problem.pools.map((pool, p) => [pool.id, p]));
  const workloadIndex = new Map(problem.workloads.map((workload, w) => [workload.id, w]));
  const usedPools = new Map<number, number>();
  for (const assignment of plan.assignments) {
    const w = workloadIndex.get(assignment.workload);
    if (w === undefined || !problem.workloads[w]?.gang) continue;
    const p = poolIndex.get(assignment.pool);
    if (p !== undefined && !usedPools.has(w)) usedPools.set(w, p);
  }
  const colLower = Float64Array.from(exact.model.colLower);
  const colUpper = Float64Array.from(exact.model.colUpper);
  const chosen = new Set<number>();
  problem.gangOptions.forEach((option, g) => {
    const column = exact.optionColumn[g] ?? -1;
    if (column < 0) return;
    const pool = usedPools.get(option.workload);
    const on = pool !== undefined && option.pools.includes(pool);
    if (on) chosen.add(option.workload);
    colLower[column] = on ? 1 : 0;
    colUpper[column] = on ? 1 : 0;
  });
  for (const w of usedPools.keys()) {
    if (!chosen.has(w)) {
      return `the plan places gang workload ${problem.workloads[w]?.id ?? w} on no viable option of its own`;
    }
  }
  const model: LinearModel = {
    ...exact.model,
    colLower,
    colUpper,
    integer: new Uint8Array(exact.model.numCols),
  };
  return { ...exact, model };
}

/**
 * `fixedGangLp` with each triple's bound min(workload GPUs, pool GPUs) raised to
 * min(workload GPUs, pool GPUs + 1): left at the pool's size, the bound would take the
 * capacity row's dual (and one more GPU of capacity would change nothing) where one workload
 * fills a pool. Raised by one GPU, not lifted: HiGHS solves a bounded LP much faster.
 */
export function capacityLp(problem: PlacementProblem, plan: Plan): ExactModel {
  const exact = fixedGangLp(problem, plan);
  const colUpper = Float64Array.from(exact.model.colUpper);
  const { triples, workloads, pools } = problem;
  for (let i = 0; i < triples.count; i++) {
    const gpus = workloads[triples.workload[i] ?? 0]?.gpus ?? 0;
    const room = (pools[triples.pool[i] ?? 0]?.gpus ?? 0) + 1;
    colUpper[exact.tripleColumn[i] ?? 0] = Math.min(gpus, room);
  }
  return { ...exact, model: { ...exact.model, colUpper } };
}

/**
 * How far above its capacity each pool-month's row is put when the duals are read. At a
 * pool filled exactly (a gang on a pool of its size) the LP is degenerate: one GPU fewer is
 * infeasible, one more serves the next workload, and a dual anywhere between is valid. Half
 * a GPU more puts the LP on the side of "one more": the dual is then the slope from the
 * capacity to the capacity + 1 wherever the LP's breakpoints fall on whole GPUs, as they do
 * with whole-GPU data.
 */
const HALF_GPU = 0.5;

/**
 * What one more GPU is worth, per pool and month: the capacity rows' duals in the LP of the
 * plan's problem with the plan's gang choices fixed (`capacityLp`), each capacity half a GPU
 * up (see `HALF_GPU`). A dual is a marginal value: true for one GPU, not for a thousand.
 * Throws when the solver gives no optimal LP with duals.
 *
 * @example capacityValues(buildProblem(scenario), plan, solver).rows[0] // the most valuable
 */
export function capacityValues(
  problem: PlacementProblem,
  plan: Plan,
  solver: LinearSolver,
): CapacityValues {
  const exact = capacityLp(problem, plan);
  const rowUpper = Float64Array.from(exact.model.rowUpper);
  for (const capacity of exact.capacityRows) {
    rowUpper[capacity.row] = (rowUpper[capacity.row] ?? 0) + HALF_GPU;
  }
  const { first, demandOf } = firstColumns(problem, plan, exact);
  const duals = solveByColumns(
    { ...exact, model: { ...exact.model, rowUpper } },
    first,
    demandOf,
    solver,
  );
  const usedBy = new Map<string, number>();
  for (const a of plan.assignments) {
    const key = `${a.pool}\u0000${a.period}`;
    usedBy.set(key, (usedBy.get(key) ?? 0) + a.gpus);
  }
  const rows = exact.capacityRows.map((capacity): PoolMonthValue => {
    const pool = problem.pools[capacity.pool];
    if (!pool) throw new Error('capacityValues: pool out of range');
    const value = -(duals[capacity.row] ?? 0);
    return {
      pool: pool.id,
      provider: pool.provider,
      ...(pool.building === undefined ? {} : { building: pool.building }),
      period: capacity.period,
      gpus: pool.gpus,
      used: usedBy.get(`${pool.id}\u0000${capacity.period}`) ?? 0,
      valuePerGpuMonth: value > DUAL_TOLERANCE ? BigInt(Math.round(value * 1e6)) : 0n,
    };
  });
  rows.sort(
    (a, b) =>
      (a.valuePerGpuMonth === b.valuePerGpuMonth
        ? 0
        : a.valuePerGpuMonth > b.valuePerGpuMonth
          ? -1
          : 1) ||
      compareText(a.pool, b.pool) ||
      a.period - b.period,
  );
  return { rows };
}

/**
 * A reduced cost above −this (USD per GPU-month) counts as none: the solver's own dual
 * feasibility tolerance is of this order.
 */
const PRICING_TOLERANCE = 1e-6;

/**
 * The LP's row duals by column generation: the LP is solved over a subset of its triple
 * columns (`first`, 1 per column kept; every other column is always kept), the left-out
 * columns are priced against the duals (reduced cost c_j − Σ a_ij y_i), those below zero join,
 * and again, until none does. The last duals are then feasible for the whole LP and
 * complementary to a solution of it (the subset's, with the rest at 0): optimal for the whole
 * LP, as a solve of it would give. Left out for good: triples of gang options fixed at 0, which
 * their gang row keeps at 0 whatever their cost (its dual is free). Throws when the solver
 * gives no optimal LP with duals.
 */
function solveByColumns(
  exact: ExactModel,
  first: Uint8Array,
  demandOf: Int32Array,
  solver: LinearSolver,
): Float64Array {
  const { model } = exact;
  const kept = Uint8Array.from(first);
  const reduced = new Float64Array(model.numCols);
  const demands = demandOf.reduce((most, d) => Math.max(most, d + 1), 0);
  const best = new Int32Array(demands);
  for (;;) {
    const sub = restrict(model, kept);
    const outcome = solver.solve(sub, { relax: true, duals: true });
    if ('message' in outcome)
      throw new Error(`${solver.name} could not solve the LP: ${outcome.message}`);
    const duals = outcome.rowDuals;
    if (outcome.status !== 'optimal' || !duals) {
      throw new Error(`${solver.name} gave no optimal LP with duals (status ${outcome.status})`);
    }
    reduced.set(model.colCost);
    for (let r = 0; r < model.numRows; r++) {
      const y = duals[r] ?? 0;
      if (y === 0) continue;
      for (let k = model.rowStarts[r] ?? 0; k < (model.rowStarts[r + 1] ?? 0); k++) {
        const j = model.rowIndex[k] ?? 0;
        reduced[j] = (reduced[j] ?? 0) - (model.rowValue[k] ?? 0) * y;
      }
    }
    // Each demand's most negative column joins (many are a hair below zero at degenerate
    // duals: all of them would triple the LP for next to nothing).
    best.fill(-1);
    let added = 0;
    for (let j = 0; j < model.numCols; j++) {
      // Kept (1) or left out for good (LEFT_OUT): not priced.
      if (kept[j] !== 0 || (reduced[j] ?? 0) >= -PRICING_TOLERANCE) continue;
      if ((model.colUpper[j] ?? 0) <= 0) continue;
      const d = demandOf[j] ?? -1;
      if (d < 0) {
        kept[j] = 1;
        added++;
        continue;
      }
      const b = best[d] ?? -1;
      if (b < 0 || (reduced[j] ?? 0) < (reduced[b] ?? 0)) best[d] = j;
    }
    for (const j of best) {
      if (j < 0) continue;
      kept[j] = 1;
      added++;
    }
    if (added === 0) return duals;
  }
}

/** In `solveByColumns`' first subset: a column never to be added. */
const LEFT_OUT = 2;

/**
 * The first columns of `solveByColumns`: every column but the triples; the triples the plan
 * uses; each splittable demand's cheapest triple that pays; the triples of the gang options
 * the plan runs. Triples of options fixed at 0 are marked left out for good.
 */
function firstColumns(
  problem: PlacementProblem,
  plan: Plan,
  exact: ExactModel,
): { first: Uint8Array; demandOf: Int32Array } {
  const { model, tripleColumn } = exact;
  const { triples, workloads, pools } = problem;
  const first = new Uint8Array(model.numCols).fill(1);
  const demandOf = new Int32Array(model.numCols).fill(-1);
  for (let i = 0; i < triples.count; i++) first[tripleColumn[i] ?? 0] = 0;
  const months = problem.scenario.horizon.to - problem.scenario.horizon.from + 1;
  const start = problem.scenario.horizon.from;
  const key = (w: number, p: number, t: number) => (w * pools.length + p) * months + (t - start);
  const workloadIndex = new Map(workloads.map((w, i) => [w.id, i]));
  const poolIndex = new Map(pools.map((p, i) => [p.id, i]));
  const used = new Set<number>();
  for (const a of plan.assignments) {
    const w = workloadIndex.get(a.workload);
    const p = poolIndex.get(a.pool);
    if (w !== undefined && p !== undefined) used.add(key(w, p, a.period));
  }
  // Per splittable (workload, period): the cheapest triple with a negative cost.
  const cheapest = new Map<number, number>();
  for (let i = 0; i < triples.count; i++) {
    const w = triples.workload[i] ?? 0;
    const t = triples.period[i] ?? 0;
    const column = tripleColumn[i] ?? 0;
    const g = triples.option[i] ?? -1;
    if (g >= 0) {
      const optionColumn = exact.optionColumn[g] ?? -1;
      const on = optionColumn >= 0 && (model.colUpper[optionColumn] ?? 0) > 0;
      first[column] = on ? 1 : LEFT_OUT;
      continue;
    }
    if (used.has(key(w, triples.pool[i] ?? 0, t))) first[column] = 1;
    const demand = w * months + (t - start);
    demandOf[column] = demand;
    const cost = model.colCost[column] ?? 0;
    if (cost >= 0) continue;
    const best = cheapest.get(demand);
    if (best === undefined || cost < (model.colCost[best] ?? 0)) cheapest.set(demand, column);
  }
  for (const column of cheapest.values()) first[column] = 1;
  return { first, demandOf };
}

/** The LP over the columns marked 1 in `kept`, with every row. */
function restrict(model: LinearModel, kept: Uint8Array): LinearModel {
  const map = new Int32Array(model.numCols).fill(-1);
  let count = 0;
  for (let j = 0; j < model.numCols; j++) if (kept[j] === 1) map[j] = count++;
  const columns = new Int32Array(count);
  for (let j = 0; j < model.numCols; j++) if ((map[j] ?? -1) >= 0) columns[map[j] ?? 0] = j;
  const rowStarts = new Int32Array(model.numRows + 1);
  const index: number[] = [];
  const value: number[] = [];
  for (let r = 0; r < model.numRows; r++) {
    for (let k = model.rowStarts[r] ?? 0; k < (model.rowStarts[r + 1] ?? 0); k++) {
      const j = map[model.rowIndex[k] ?? 0] ?? -1;
      if (j < 0) continue;
      index.push(j);
      value.push(model.rowValue[k] ?? 0);
    }
    rowStarts[r + 1] = index.length;
  }
  const pick = (array: Float64Array) => Float64Array.from(columns, (j) => array[j] ?? 0);
  return {
    ...model,
    numCols: count,
    colCost: pick(model.colCost),
    colLower: pick(model.colLower),
    colUpper: pick(model.colUpper),
    integer: new Uint8Array(count),
    rowStarts,
    rowIndex: Int32Array.from(index),
    rowValue: Float64Array.from(value),
  };
}

/** A value per GPU-month as micro-dollars per GPU-hour of that month, rounded half-up. */
export function perGpuHour(row: PoolMonthValue): Micros {
  const hours = BigInt(hoursIn(row.period));
  return (row.valuePerGpuMonth + hours / 2n) / hours;
}
