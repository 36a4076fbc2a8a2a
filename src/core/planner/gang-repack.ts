import type { Prepared } from './fast-model.js';
import { optionCost } from './fast-model.js';
import { placeIndices } from './problem.js';
import type { LinearModel, LinearSolver } from './solver.js';
import { ModelBuilder } from './solver.js';

/** The plan the repack starts from, and its prices. */
export interface RepackInput {
  readonly model: Prepared;
  /** 1 per gang option the plan runs. */
  readonly chosen: Uint8Array;
  /** GPUs per triple of the plan; `used` lists the triples with GPUs. */
  readonly x: Float64Array;
  readonly used: readonly number[];
  /** Capacity prices per pool-month (pool × months + month), from the plan's month problems. */
  readonly lambda: Float64Array;
  /** Per triple, the effective spend h·price·(1 − Σμ) at the plan's commitment weights. */
  readonly effective: Float64Array;
}

/** The repack's model: which column is which option (-1: none), and the plan's runs as a start. */
export interface RepackModel {
  readonly model: LinearModel;
  /** Per column, the gang option it runs, or -1 for a displacement column. */
  readonly columnOption: Int32Array;
  readonly start: Float64Array;
}

/** The relative gap at which the sub-MIP stops. */
const SUB_MIP_GAP = 1e-4;

/**
 * The sub-MIP's branch-and-bound nodes: a limit on work, not time, so that the runs it gives do
 * not depend on the machine. On the `mixed` portfolios at 400 × 60 × 36 it proved its gap
 * within 100 nodes or found the same runs as without a limit; most of its time is the root.
 */
const SUB_MIP_NODES = 100;

/** A binary is fixed where the relaxation and the plan agree within this. */
const AGREE = 1e-6;

/**
 * The gang runs of a plan as one small mixed-integer program, with the splittable flows held
 * where they are (docs/planner.md, "Re-packing the gang runs"):
 *
 * - a binary per viable option whose cost (its GPUs at the cheapest pools of its place, at the
 *   effective prices) is below its value V, or that the plan runs, costing cost − V;
 * - at most one option per workload;
 * - per place (site and accelerator) and month, a *cell*: the runs' GPUs fit in the room the
 *   splittable flows leave there, plus GPUs displaced from those flows — per pool-month a
 *   column up to its splittable GPUs, at its capacity price λ (what a GPU there is worth to
 *   the demand on it, from the month problems' duals);
 * - and room the runs leave in a cell whose pools all have a price earns that price, the least
 *   of them, per GPU: the splittable demand that wants those pools takes it. Without this, a
 *   run moved out of a full place frees nothing worth having, and the model keeps runs where
 *   they crowd out demand.
 *
 * The plan's runs are feasible in it (they fit beside the flows). Columns and rows in a fixed
 * order: options by index, then each cell's columns, cells in order of first use.
 */
export function buildRepackModel(input: RepackInput): RepackModel {
  const { model, chosen, x, used, lambda, effective } = input;
  const { months, capacity, pool, optionGroupStart, groupStart, groupMonth, optionValue } = model;
  const splittable = groupStart[0] ?? 0;
  const splitAt = new Float64Array(capacity.length);
  for (const i of used) {
    if (i >= splittable) continue;
    const c = model.capIndex[i] ?? 0;
    splitAt[c] = (splitAt[c] ?? 0) + (x[i] ?? 0);
  }
  const placeOfPool = placeIndices(model.problem.pools);

  const builder = new ModelBuilder();
  const columnOption: number[] = [];
  const start: number[] = [];
  const addColumn = (cost: number, upper: number, integer: boolean, option: number, at: number) => {
    columnOption.push(option);
    start.push(at);
    return builder.addColumn(cost, 0, upper, integer);
  };
  /**
   * Per cell (place × months + month), in order of first use: its pools, its option columns
   * with their GPUs, and the GPUs the plan's runs take there.
   */
  interface Cell {
    readonly pools: Set<number>;
    readonly columns: number[];
    readonly gpus: number[];
    load: number;
  }
  const cells = new Map<number, Cell>();
  const columnsOf = new Map<number, number[]>();
  for (let g = 0; g < optionValue.length; g++) {
    const value = optionValue[g] ?? 0;
    const runs = chosen[g] === 1;
    if (value <= 0 && !runs) continue;
    const cost = optionCost(model, g, effective, capacity, undefined);
    if (!(cost < value) && !runs) continue;
    const column = addColumn(cost - value, 1, true, g, runs ? 1 : 0);
    const workload = model.problem.gangOptions[g]?.workload ?? 0;
    const list = columnsOf.get(workload);
    if (list) list.push(column);
    else columnsOf.set(workload, [column]);
    const need = model.optionNeed[g] ?? 0;
    for (let group = optionGroupStart[g] ?? 0; group < (optionGroupStart[g + 1] ?? 0); group++) {
      const first = groupStart[group] ?? 0;
      const key = (placeOfPool[pool[first] ?? 0] ?? 0) * months + (groupMonth[group] ?? 0);
      let cell = cells.get(key);
      if (!cell) {
        cell = { pools: new Set(), columns: [], gpus: [], load: 0 };
        cells.set(key, cell);
      }
      for (let i = first; i < (groupStart[group + 1] ?? 0); i++) cell.pools.add(pool[i] ?? 0);
      cell.columns.push(column);
      cell.gpus.push(need);
      if (runs) cell.load += need;
    }
  }
  for (const [, list] of [...columnsOf].sort((a, b) => a[0] - b[0])) {
    if (list.length > 1) builder.addRow(list, new Array<number>(list.length).fill(1), -Infinity, 1);
  }
  for (const [key, cell] of cells) {
    const m = key % months;
    const columns = [...cell.columns];
    const coefficients = [...cell.gpus];
    let room = 0;
    let price = Infinity;
    for (const p of [...cell.pools].sort((a, b) => a - b)) {
      const c = p * months + m;
      const split = splitAt[c] ?? 0;
      room += (capacity[c] ?? 0) - split;
      price = Math.min(price, lambda[c] ?? 0);
      if (split <= 0) continue;
      columns.push(addColumn(lambda[c] ?? 0, split, false, -1, 0));
      coefficients.push(-1);
    }
    if (price > 0 && room > 0) {
      columns.push(addColumn(-price, room, false, -1, Math.max(0, room - cell.load)));
      coefficients.push(1);
    }
    builder.addRow(columns, coefficients, -Infinity, room);
  }
  return {
    model: builder.build(),
    columnOption: Int32Array.from(columnOption),
    start: Float64Array.from(start),
  };
}

/**
 * Re-chooses the plan's gang runs on {@link buildRepackModel}'s model (`solveAround`). Returns
 * the runs it chose (1 per option), or undefined where they are the plan's or the solver found
 * nothing.
 */
export function repackGangs(
  input: RepackInput,
  solver: LinearSolver,
  timeLimit: () => number,
): Uint8Array | undefined {
  return solveAround(buildRepackModel(input), input.chosen, solver, timeLimit);
}

/**
 * Solves a model over the gang options (`columnOption`: per column its option, -1 for others)
 * relaxation-induced (RINS) around the runs `current`, which `start` holds: the LP relaxation is
 * solved, every binary on which it agrees with `start` is fixed there, and the rest is solved as
 * a mixed-integer program from `start`, without presolve (these small models solve about twice
 * as fast without it) and within 100 nodes. Returns the runs it chose, or undefined where they
 * are `current` or the solver found nothing. Each solve gets `timeLimit()` seconds, a safety
 * net: a solve stopped by the clock depends on the machine's speed, where the node limit does
 * not. The re-pack and the Benders masters (`gang-benders.ts`) are solved so.
 */
export function solveAround(
  { model, columnOption, start }: RepackModel,
  current: Uint8Array,
  solver: LinearSolver,
  timeLimit: () => number,
): Uint8Array | undefined {
  if (!columnOption.some((g) => g >= 0)) return undefined;
  const relaxed = solver.solve(model, { relax: true, timeLimitSeconds: timeLimit() });
  if (relaxed.status !== 'optimal') return undefined;
  const lower = Float64Array.from(model.colLower);
  const upper = Float64Array.from(model.colUpper);
  let free = 0;
  for (let j = 0; j < model.numCols; j++) {
    if (model.integer[j] !== 1) continue;
    const value = start[j] ?? 0;
    if (Math.abs((relaxed.values[j] ?? 0) - value) <= AGREE) {
      lower[j] = value;
      upper[j] = value;
    } else free++;
  }
  if (free === 0) return undefined;
  const outcome = solver.solve(
    { ...model, colLower: lower, colUpper: upper },
    {
      timeLimitSeconds: timeLimit(),
      relativeGap: SUB_MIP_GAP,
      start,
      presolve: false,
      maxNodes: SUB_MIP_NODES,
    },
  );
  if (outcome.status !== 'optimal' && outcome.status !== 'time-limit') return undefined;
  const next = new Uint8Array(current.length);
  columnOption.forEach((g, j) => {
    if (g >= 0 && (outcome.values[j] ?? 0) > 0.5) next[g] = 1;
  });
  return next.every((v, g) => v === current[g]) ? undefined : next;
}
