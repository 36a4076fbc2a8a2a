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
  const outcome = solver.solve({ ...exact.model, rowUpper }, { relax: true, duals: true });
  if ('message' in outcome)
    throw new Error(`${solver.name} could not solve the LP: ${outcome.message}`);
  const duals = outcome.rowDuals;
  if (outcome.status !== 'optimal' || !duals) {
    throw new Error(`${solver.name} gave no optimal LP with duals (status ${outcome.status})`);
  }
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

/** A value per GPU-month as micro-dollars per GPU-hour of that month, rounded half-up. */
export function perGpuHour(row: PoolMonthValue): Micros {
  const hours = BigInt(hoursIn(row.period));
  return (row.valuePerGpuMonth + hours / 2n) / hours;
}
