import { pricesFromDemands } from './fast-bound.js';
import type { Prepared } from './fast-model.js';
import { costs } from './fast-model.js';
import type { MonthFlows } from './month-flows.js';
import { placeIndices } from './problem.js';
import type { RepackModel } from './gang-repack.js';
import { solveAround } from './gang-repack.js';
import type { LinearSolver } from './solver.js';
import { ModelBuilder } from './solver.js';

/**
 * Benders optimality cuts of the month problems, one per month, taken at one set of gang runs:
 *
 *     v[m](y) ≥ constant[m] + Σ over groups of month m of slope[group]·y[option of group]
 *
 * where v[m](y) is month m's flow cost (Σ x·(h·price·(1 − Σμ) − h·value) over splittable triples,
 * Σ x·h·price·(1 − Σμ) over gang triples) with the runs y served in full.
 */
export interface MonthCuts {
  /** Per month offset. */
  readonly constant: Float64Array;
  /** Per group (option-month). */
  readonly slope: Float64Array;
}

/**
 * The cuts from a dual solution of the month problems: demand prices π ≥ 0 (one per splittable
 * demand), capacity prices λ ≥ 0 with λ[c] ≥ h·value − h·price·(1 − Σμ) − π[d] on every
 * splittable triple (as `pricesFromDemands` makes them), and `reduced` = h·price·(1 − Σμ) + λ
 * on the gang triples (as `costs` makes them). A run's node, whose GPUs must all be placed, is
 * priced at its cheapest triple's reduced cost: then every arc's dual row holds, and the dual
 * objective
 *
 *     −Σ π[d]·need[d] − Σ λ[c]·cap[c] + Σ runs' need·(cheapest reduced cost of each month)
 *
 * is a lower bound on the month's flow cost for every y, by weak duality: a valid cut wherever it
 * is taken, and a tight one at the runs whose optimal prices gave it.
 */
export function monthCuts(
  model: Prepared,
  demandPrice: Float64Array,
  lambda: Float64Array,
  reduced: Float64Array,
): MonthCuts {
  const { months, monthDemandStart, demandNeed, capacity, groupStart, groupOption, optionNeed } =
    model;
  const constant = new Float64Array(months);
  for (let m = 0; m < months; m++) {
    let sum = 0;
    for (let d = monthDemandStart[m] ?? 0; d < (monthDemandStart[m + 1] ?? 0); d++) {
      sum -= (demandPrice[d] ?? 0) * (demandNeed[d] ?? 0);
    }
    constant[m] = sum;
  }
  for (let c = 0; c < capacity.length; c++) {
    const m = c % months;
    constant[m] = (constant[m] ?? 0) - (lambda[c] ?? 0) * (capacity[c] ?? 0);
  }
  const groups = groupStart.length - 1;
  const slope = new Float64Array(groups);
  for (let group = 0; group < groups; group++) {
    let cheapest = Infinity;
    for (let i = groupStart[group] ?? 0; i < (groupStart[group + 1] ?? 0); i++) {
      cheapest = Math.min(cheapest, reduced[i] ?? 0);
    }
    slope[group] = cheapest < Infinity ? cheapest * (optionNeed[groupOption[group] ?? 0] ?? 0) : 0;
  }
  return { constant, slope };
}

/**
 * The cuts at the runs the month flows hold now, at the commitment weights μ: demand prices from
 * the flows' optimal potentials, capacity prices from their pool potentials. Where a chosen run
 * is not served in full, its pools' potentials carry the weight that forces runs to be served
 * (`MUST` in `month-flows.ts`); each price is therefore held between the least that keeps every
 * splittable demand from wanting the pool (`pricesFromDemands`: the cut stays valid) and the
 * most any demand, splittable or gang, could earn there (so no such weight enters the master).
 * Where every run is served, the potentials' own prices lie within those limits and the cut is
 * exact at these runs: the dual objective equals the flows' cost.
 */
export function cutsFromFlows(model: Prepared, flows: MonthFlows, mu: Float64Array): MonthCuts {
  const n = model.spendPerGpu.length;
  const demandPrice = new Float64Array(model.demandWorkload.length);
  flows.demandPrices(demandPrice);
  const lambda = new Float64Array(model.capacity.length);
  pricesFromDemands(model, demandPrice, mu, lambda);
  const potential = new Float64Array(model.capacity.length);
  flows.poolPrices(potential);
  const effective = new Float64Array(n);
  const reduced = new Float64Array(n);
  costs(model, undefined, mu, effective, reduced);
  const most = new Float64Array(model.capacity.length);
  const splittable = model.groupStart[0] ?? 0;
  for (let i = 0; i < n; i++) {
    const value =
      i < splittable ? (model.valuePerGpu[i] ?? 0) : (model.gangValuePerGpu[i - splittable] ?? 0);
    const c = model.capIndex[i] ?? 0;
    most[c] = Math.max(most[c] ?? 0, value - (effective[i] ?? 0));
  }
  for (let c = 0; c < lambda.length; c++) {
    lambda[c] = Math.max(lambda[c] ?? 0, Math.min(potential[c] ?? 0, most[c] ?? 0));
  }
  costs(model, lambda, mu, effective, reduced);
  return monthCuts(model, demandPrice, lambda, reduced);
}

/** Money in the master's model is in millions of USD: its numbers stay near 1. */
const SCALE = 1e-6;

/**
 * The Benders master over the gang runs: a binary per option, at most one per workload, the
 * runs' GPUs within each place-month's capacity, and per month a value θ[m] at least every cut
 * taken so far; minimise Σ θ − Σ V·y. Each cut is exact at the runs it was taken at, so the
 * master learns the splittable demand's value of capacity as runs move, which one cut (the
 * re-pack's linearisation) cannot.
 */
export class BendersMaster {
  private readonly model: Prepared;
  private readonly cuts: MonthCuts[] = [];
  /** Run sets the master may not propose again (`exclude`). */
  private readonly excluded: Uint8Array[] = [];
  /** Per group: its cell (place × months + month). */
  private readonly groupCell: Int32Array;
  /** Per cell: the GPUs of the pools its groups use. */
  private readonly cellCapacity: Map<number, number>;

  constructor(model: Prepared) {
    this.model = model;
    const { months, groupStart, groupMonth, pool, capIndex, capacity } = model;
    const placeOfPool = placeIndices(model.problem.pools);
    const groups = groupStart.length - 1;
    this.groupCell = new Int32Array(groups);
    const cellCaps = new Map<number, Set<number>>();
    for (let group = 0; group < groups; group++) {
      const first = groupStart[group] ?? 0;
      const cell = (placeOfPool[pool[first] ?? 0] ?? 0) * months + (groupMonth[group] ?? 0);
      this.groupCell[group] = cell;
      let set = cellCaps.get(cell);
      if (!set) cellCaps.set(cell, (set = new Set()));
      for (let i = first; i < (groupStart[group + 1] ?? 0); i++) set.add(capIndex[i] ?? 0);
    }
    this.cellCapacity = new Map();
    for (const [cell, set] of cellCaps) {
      let sum = 0;
      for (const c of set) sum += capacity[c] ?? 0;
      this.cellCapacity.set(cell, sum);
    }
  }

  addCut(cut: MonthCuts): void {
    this.cuts.push(cut);
  }

  /**
   * Forbids the run set `chosen` (1 per option) from now on: a row that at least one option
   * differs from it, Σ over its runs (1 − y) + Σ over the others y ≥ 1.
   */
  exclude(chosen: Uint8Array): void {
    this.excluded.push(Uint8Array.from(chosen));
  }

  /** The master's value of the runs `chosen`: Σ over months of the highest cut − Σ V. */
  value(chosen: Uint8Array): number {
    const { optionValue } = this.model;
    let total = 0;
    for (let g = 0; g < chosen.length; g++) if (chosen[g] === 1) total -= optionValue[g] ?? 0;
    const theta = this.theta(chosen);
    for (const t of theta) if (Number.isFinite(t)) total += t;
    return total;
  }

  /** Per month, the highest cut at the runs `chosen`. */
  private theta(chosen: Uint8Array): Float64Array {
    const { months, optionGroupStart, groupMonth } = this.model;
    const theta = new Float64Array(months).fill(-Infinity);
    for (const cut of this.cuts) {
      const at = Float64Array.from(cut.constant);
      for (let g = 0; g < chosen.length; g++) {
        if (chosen[g] !== 1) continue;
        for (
          let group = optionGroupStart[g] ?? 0;
          group < (optionGroupStart[g + 1] ?? 0);
          group++
        ) {
          const m = groupMonth[group] ?? 0;
          at[m] = (at[m] ?? 0) + (cut.slope[group] ?? 0);
        }
      }
      for (let m = 0; m < months; m++) theta[m] = Math.max(theta[m] ?? 0, at[m] ?? 0);
    }
    return theta;
  }

  /**
   * The master's model around the incumbent: columns for the options that run or that may pay
   * (their value above their cheapest cut's cost, month by month), then one θ per month with a
   * gang group among them; rows for one option per workload, each place-month's GPUs, the
   * changes allowed, the run sets excluded and the cuts.
   */
  build(incumbent: Uint8Array, maxChanges = Infinity): RepackModel {
    const { model, cuts } = this;
    const { months, optionValue, optionNeed, optionGroupStart, groupMonth } = model;
    const builder = new ModelBuilder();
    const columnOption: number[] = [];
    const start: number[] = [];
    const columnOf = new Int32Array(optionValue.length).fill(-1);
    const byWorkload = new Map<number, number[]>();
    for (let g = 0; g < optionValue.length; g++) {
      const value = optionValue[g] ?? 0;
      const runs = incumbent[g] === 1;
      if (value <= 0 && !runs) continue;
      // θ is the highest cut in each month, so an option's least cost is that of its cheapest
      // cut month by month.
      let cost = 0;
      for (let group = optionGroupStart[g] ?? 0; group < (optionGroupStart[g + 1] ?? 0); group++) {
        let least = Infinity;
        for (const cut of cuts) least = Math.min(least, cut.slope[group] ?? 0);
        cost += least;
      }
      if (!runs && !(cost < value)) continue;
      const column = builder.addColumn(-value * SCALE, 0, 1, true);
      columnOf[g] = column;
      columnOption.push(g);
      start.push(runs ? 1 : 0);
      const workload = model.problem.gangOptions[g]?.workload ?? 0;
      const list = byWorkload.get(workload);
      if (list) list.push(column);
      else byWorkload.set(workload, [column]);
    }
    // θ per month that has a group among the columns.
    const thetaColumn = new Int32Array(months).fill(-1);
    const monthGroups: number[][] = Array.from({ length: months }, () => []);
    const cellColumns = new Map<number, { columns: number[]; gpus: number[] }>();
    for (const g of columnOption) {
      for (let group = optionGroupStart[g] ?? 0; group < (optionGroupStart[g + 1] ?? 0); group++) {
        monthGroups[groupMonth[group] ?? 0]?.push(group);
        const cell = this.groupCell[group] ?? 0;
        let entry = cellColumns.get(cell);
        if (!entry) cellColumns.set(cell, (entry = { columns: [], gpus: [] }));
        entry.columns.push(columnOf[g] ?? 0);
        entry.gpus.push(optionNeed[g] ?? 0);
      }
    }
    const theta = this.theta(incumbent);
    for (let m = 0; m < months; m++) {
      if ((monthGroups[m]?.length ?? 0) === 0) continue;
      thetaColumn[m] = builder.addColumn(1, -Infinity, Infinity, false);
      columnOption.push(-1);
      start.push((theta[m] ?? 0) * SCALE);
    }
    for (const [, list] of [...byWorkload].sort((a, b) => a[0] - b[0])) {
      if (list.length > 1)
        builder.addRow(list, new Array<number>(list.length).fill(1), -Infinity, 1);
    }
    for (const [cell, entry] of [...cellColumns].sort((a, b) => a[0] - b[0])) {
      builder.addRow(entry.columns, entry.gpus, -Infinity, this.cellCapacity.get(cell) ?? 0);
    }
    if (maxChanges < Infinity) {
      const columns: number[] = [];
      const coefficients: number[] = [];
      let running = 0;
      columnOption.forEach((g, j) => {
        if (g < 0) return;
        columns.push(j);
        coefficients.push(incumbent[g] === 1 ? -1 : 1);
        if (incumbent[g] === 1) running++;
      });
      builder.addRow(columns, coefficients, -Infinity, maxChanges - running);
    }
    for (const runs of this.excluded) {
      const columns: number[] = [];
      const coefficients: number[] = [];
      let count = 0;
      let covered = 0;
      runs.forEach((run) => {
        if (run === 1) count++;
      });
      columnOption.forEach((g, j) => {
        if (g < 0) return;
        columns.push(j);
        coefficients.push(runs[g] === 1 ? -1 : 1);
        if (runs[g] === 1) covered++;
      });
      // A run of `runs` without a column is 0 in every proposal: they all differ already.
      if (covered < count) continue;
      builder.addRow(columns, coefficients, 1 - count, Infinity);
    }
    for (const cut of cuts) {
      for (let m = 0; m < months; m++) {
        const t = thetaColumn[m] ?? -1;
        if (t < 0) continue;
        const columns = [t];
        const coefficients = [1];
        for (const group of monthGroups[m] ?? []) {
          columns.push(columnOf[model.groupOption[group] ?? 0] ?? 0);
          coefficients.push(-(cut.slope[group] ?? 0) * SCALE);
        }
        builder.addRow(columns, coefficients, (cut.constant[m] ?? 0) * SCALE, Infinity);
      }
    }
    return {
      model: builder.build(),
      columnOption: Int32Array.from(columnOption),
      start: Float64Array.from(start),
    };
  }

  /**
   * New runs from the master within `maxChanges` options of `incumbent`, solved around it as the
   * re-pack's sub-MIP is (`solveAround`: RINS, 100 nodes, no presolve). Undefined where that keeps
   * the incumbent or the solver found nothing.
   */
  propose(
    incumbent: Uint8Array,
    solver: LinearSolver,
    timeLimit: () => number,
    maxChanges = Infinity,
  ): Uint8Array | undefined {
    return solveAround(this.build(incumbent, maxChanges), incumbent, solver, timeLimit);
  }
}
