import type { Scenario } from '../model.js';
import type { Cents } from '../money.js';
import { toCents } from '../money.js';
import type { Period } from '../period.js';
import type { PlanCostOnly } from './building-moves.js';
import { evaluatePlacements } from './evaluate.js';
import { dropBrokenGangs, repairCommitments } from './fast.js';
import type { FastState } from './fast.js';
import { lagrangian } from './fast-bound.js';
import type { Prepared } from './fast-model.js';
import {
  cheapestOption,
  costs,
  optionCost,
  prepare,
  toPlacements,
  weightTable,
} from './fast-model.js';
import { MonthFlows } from './month-flows.js';
import type { Plan } from './plan.js';
import type { PlacementProblem } from './problem.js';
import { buildProblem } from './problem.js';
import { verifyPlan } from './verify.js';

/**
 * Re-plans a scenario whose buildings' pools come online in other months than the base
 * scenario's, starting from the base plan and the fast planner's state at its end, re-solving
 * only the months the change touches. Built once per base plan; `replan` per moved scenario.
 *
 * **One model for every move.** The placement problem is built once for the base scenario with
 * every building's pools one month earlier (`widened`): each move is then a change of capacity
 * on that model (a pool-month not online has no GPUs), not a new problem. Every triple of a
 * moved scenario is a triple of the widened one, so capacity 0 where a pool is not online
 * gives the moved problem, for the plan and for the bound.
 *
 * **The plan.** The base plan's placements stay in every month the move does not touch. In
 * the touched months (those whose capacity changed, and the whole window of any gang run that
 * has to move) the fast planner's month problem is solved again with the base plan's
 * commitment weights: a gang run on lost capacity is put back on its option (its site's other
 * pools) where that still has room, else on its cheapest option with room at the base bound's
 * prices where one pays; a gang workload the base plan does not run, with an option on gained
 * capacity, is tried the second way. The result is priced exactly and checked against the
 * moved scenario by `verifyPlan`, as every plan is.
 *
 * **The bound.** The Lagrangian L(λ, μ) of the moved problem (`lagrangian`), at the base
 * bound's μ and λ, with λ of the touched months recomputed from those months' exact month
 * problems with gang workloads bidding: what the fast planner's own bound would be at that μ.
 * Valid for any λ ≥ 0 and μ ∈ [0, 1], however found. Where the move only removes capacity,
 * the base plan's bound holds too (less capacity never lowers the optimum); the higher is kept.
 */
export class FastReplanner {
  private readonly problem: PlacementProblem;
  private readonly model: Prepared;
  private readonly state: FastState;
  private readonly baseCapacity: Float64Array;
  private readonly baseBound: Cents;
  /** The base plan on the widened model: GPUs per triple, and the triples with GPUs. */
  private readonly x: Float64Array;
  private readonly baseUsed: Int32Array;
  private readonly baseGpus: Float64Array;
  /** 1 per option of the widened model that the base plan runs. */
  private readonly baseChosen: Uint8Array;
  /** Gang groups per month offset. */
  private readonly groupsOfMonth: number[][];
  private readonly positionInOrder: Map<number, number>;
  private readonly effective: Float64Array;
  private readonly reduced: Float64Array;

  /**
   * `base` is the base scenario's plan and `state` the fast planner's state at the end of its
   * run (`planFastState`); they need not come from the same run: any μ and λ give a valid bound
   * and the plan starts from `base`'s placements. Throws when a placement of `base` is not a
   * triple of the scenario.
   */
  constructor(scenario: Scenario, base: Plan, state: FastState) {
    this.problem = buildProblem(widened(scenario));
    this.model = prepare(this.problem);
    this.state = state;
    this.baseCapacity = capacityOf(scenario, this.model);
    this.baseBound = base.lowerBound;
    const { model } = this;
    const n = model.spendPerGpu.length;
    const months = model.months;
    const pools = scenario.pools.length;
    const start = model.horizonStart;
    const workloadIndex = new Map(scenario.workloads.map((w, i) => [w.id, i]));
    const poolIndex = new Map(scenario.pools.map((p, i) => [p.id, i]));
    const key = (w: number, p: number, m: number) => (w * pools + p) * months + m;
    const wanted = new Map<number, number>();
    for (const a of base.assignments) {
      const w = workloadIndex.get(a.workload);
      const p = poolIndex.get(a.pool);
      if (w === undefined || p === undefined)
        throw new Error(`FastReplanner: ${a.workload} on ${a.pool}`);
      wanted.set(key(w, p, a.period - start), a.gpus);
    }
    this.x = new Float64Array(n);
    const used: number[] = [];
    const { triples } = this.problem;
    for (let i = 0; i < n; i++) {
      const t = model.origin[i] ?? 0;
      const gpus = wanted.get(
        key(triples.workload[t] ?? 0, triples.pool[t] ?? 0, (triples.period[t] ?? 0) - start),
      );
      if (gpus === undefined) continue;
      this.x[i] = gpus;
      used.push(i);
    }
    if (used.length !== wanted.size) {
      throw new Error(
        'FastReplanner: a placement of the base plan is not a triple of its scenario',
      );
    }
    this.baseUsed = Int32Array.from(used);
    this.baseGpus = Float64Array.from(used, (i) => this.x[i] ?? 0);
    this.baseChosen = new Uint8Array(model.optionValue.length);
    for (const i of used) {
      const g = model.option[i] ?? -1;
      if (g >= 0) this.baseChosen[g] = 1;
    }
    this.groupsOfMonth = Array.from({ length: months }, () => []);
    model.groupMonth.forEach((m, group) => this.groupsOfMonth[m]?.push(group));
    this.positionInOrder = new Map(Array.from(model.gangOrder, (w, index) => [w, index]));
    this.effective = new Float64Array(n);
    this.reduced = new Float64Array(n);
  }

  /**
   * The moved scenario's plan from the base plan, its cost and proven bound; undefined when
   * the moved scenario differs from the base in more than its pools' windows, or a window
   * reaches past the widened model's.
   */
  replan(moved: Scenario): PlanCostOnly | undefined {
    if (!this.covers(moved)) return undefined;
    const { model, state } = this;
    const capacity = capacityOf(moved, model);
    const base = this.baseCapacity;
    const months = model.months;
    const splittable = model.groupStart[0] ?? 0;
    const n = model.spendPerGpu.length;
    const movedModel: Prepared = { ...model, capacity };

    // The pool-months whose capacity changed, and the gang runs that lose theirs.
    const touched = new Set<number>();
    const changedCap = new Uint8Array(capacity.length);
    let gained = false;
    for (let c = 0; c < capacity.length; c++) {
      if (capacity[c] === base[c]) continue;
      changedCap[c] = 1;
      touched.add(c % months);
      if ((capacity[c] ?? 0) > (base[c] ?? 0)) gained = true;
    }
    const chosen = Uint8Array.from(this.baseChosen);
    /** Gang workloads to place again, with the option they had (-1: none). */
    const retry = new Map<number, number>();
    for (const i of this.baseUsed) {
      const g = model.option[i] ?? -1;
      const c = model.capIndex[i] ?? 0;
      if (g < 0 || chosen[g] === 0 || (capacity[c] ?? 0) >= (base[c] ?? 0)) continue;
      chosen[g] = 0;
      retry.set(this.problem.gangOptions[g]?.workload ?? -1, g);
      this.addMonthsOf(g, touched);
    }
    // Gang workloads not run that could run on gained capacity.
    for (let i = splittable; i < n; i++) {
      const c = model.capIndex[i] ?? 0;
      if (changedCap[c] === 0 || (capacity[c] ?? 0) <= (base[c] ?? 0)) continue;
      const w = this.problem.gangOptions[model.option[i] ?? 0]?.workload ?? -1;
      if (!this.runs(w, chosen) && !retry.has(w)) retry.set(w, -1);
    }

    // Prices of the touched months with gang workloads bidding, at the bound's μ.
    const flows = new MonthFlows(movedModel);
    const boundWeights = weightTable(model, state.boundMu);
    flows.solveMonths(sorted(touched), undefined, boundWeights);
    const demandPrice = new Float64Array(model.demandWorkload.length);
    const gangPrice = new Float64Array(n - splittable);
    flows.demandPrices(demandPrice);
    flows.gangPrices(gangPrice);
    const lambda = Float64Array.from(state.lambda);
    for (const m of touched) this.monthPrices(m, boundWeights, demandPrice, gangPrice, lambda);

    // Gang runs to place again: on the option they had where it still has room (its pools
    // shuffled), else on the cheapest option with room where one pays.
    if (retry.size > 0) {
      const { effective, reduced } = this;
      costs(movedModel, lambda, state.planMu, effective, reduced, splittable);
      const free = Float64Array.from(capacity);
      for (const i of this.baseUsed) {
        const g = model.option[i] ?? -1;
        if (g >= 0 && chosen[g] === 1) {
          const c = model.capIndex[i] ?? 0;
          free[c] = (free[c] ?? 0) - (this.x[i] ?? 0);
        }
      }
      const take = (i: number, gpus: number) => {
        const c = model.capIndex[i] ?? 0;
        free[c] = (free[c] ?? 0) - gpus;
      };
      const order = [...retry.keys()]
        .map((w) => this.positionInOrder.get(w) ?? -1)
        .filter((index) => index >= 0)
        .sort((a, b) => a - b);
      for (const index of order) {
        const had = retry.get(model.gangOrder[index] ?? -1) ?? -1;
        const kept =
          had >= 0 && Number.isFinite(optionCost(movedModel, had, reduced, free, undefined));
        const g = kept ? had : cheapestOption(movedModel, index, reduced, free);
        if (g < 0) continue;
        const cost = optionCost(movedModel, g, reduced, free, undefined);
        if (!kept && cost >= (model.optionValue[g] ?? 0)) continue;
        optionCost(movedModel, g, reduced, free, take);
        chosen[g] = 1;
        this.addMonthsOf(g, touched);
      }
    }

    // The touched months solved again with the runs fixed, at the plan's μ.
    const planMonths = sorted(touched);
    flows.solveMonths(planMonths, chosen, weightTable(model, state.planMu));
    const { x } = this;
    const inPlan = new Uint8Array(months);
    for (const m of planMonths) inPlan[m] = 1;
    const used: number[] = [];
    for (const i of this.baseUsed) {
      if (inPlan[(model.capIndex[i] ?? 0) % months] === 1) x[i] = 0;
      else used.push(i);
    }
    flows.addFlows(x, chosen, used);
    dropBrokenGangs(movedModel, x);
    repairCommitments(movedModel, x, used);
    const placements = toPlacements(model, x, used);
    for (const i of used) x[i] = 0;
    this.baseUsed.forEach((i, k) => {
      x[i] = this.baseGpus[k] ?? 0;
    });

    const bound = lagrangian(movedModel, lambda, state.boundMu, this.effective, this.reduced);
    const problem: PlacementProblem = { ...this.problem, scenario: moved, pools: moved.pools };
    const evaluation = evaluatePlacements(problem, placements);
    const violations = verifyPlan(moved, evaluation.assignments);
    if (violations.length > 0) {
      throw new Error(`re-plan produced an invalid plan: ${violations.slice(0, 5).join('; ')}`);
    }
    const total = toCents(evaluation.objective.total);
    let lowerBound = lagrangianCents(bound, total);
    // Less capacity never lowers the optimum: the base plan's bound holds as well.
    if (!gained && this.baseBound > lowerBound) {
      lowerBound = this.baseBound > total ? total : this.baseBound;
    }
    return { objective: { total: evaluation.objective.total }, lowerBound };
  }

  /** Whether the moved scenario is the base with other pool windows inside the widened ones. */
  private covers(moved: Scenario): boolean {
    const wide = this.problem.scenario;
    if (moved.pools.length !== wide.pools.length) return false;
    if (
      moved.workloads !== wide.workloads ||
      moved.contracts !== wide.contracts ||
      moved.providers !== wide.providers ||
      moved.horizon.from !== wide.horizon.from ||
      moved.horizon.to !== wide.horizon.to
    ) {
      return false;
    }
    return moved.pools.every((pool, p) => {
      const other = wide.pools[p];
      return (
        other !== undefined &&
        other.id === pool.id &&
        other.gpus === pool.gpus &&
        other.pricePerGpuHour === pool.pricePerGpuHour &&
        pool.window.from >= other.window.from &&
        pool.window.to <= other.window.to
      );
    });
  }

  /** Whether gang workload w has a chosen option. */
  private runs(w: number, chosen: Uint8Array): boolean {
    const index = this.positionInOrder.get(w);
    if (index === undefined) return false;
    const { gangOptionStart, gangOptions } = this.model;
    for (let k = gangOptionStart[index] ?? 0; k < (gangOptionStart[index + 1] ?? 0); k++) {
      if (chosen[gangOptions[k] ?? 0] === 1) return true;
    }
    return false;
  }

  private addMonthsOf(g: number, months: Set<number>): void {
    const { optionGroupStart, groupMonth } = this.model;
    for (let group = optionGroupStart[g] ?? 0; group < (optionGroupStart[g + 1] ?? 0); group++) {
      months.add(groupMonth[group] ?? 0);
    }
  }

  /**
   * λ of month m's pool-months from its demands' prices (as `pricesFromDemands` does for every
   * month): the least price at which no demand, nor bidding gang workload, would rather be there.
   */
  private monthPrices(
    m: number,
    weights: Float64Array,
    demandPrice: Float64Array,
    gangPrice: Float64Array,
    lambda: Float64Array,
  ): void {
    const { model } = this;
    const { months, demandStart, spendPerGpu, valuePerGpu, providerMonth, capIndex } = model;
    const splittable = model.groupStart[0] ?? 0;
    for (let p = 0; p < model.problem.pools.length; p++) lambda[p * months + m] = 0;
    const raise = (i: number, margin: number) => {
      const c = capIndex[i] ?? 0;
      if (margin > (lambda[c] ?? 0)) lambda[c] = margin;
    };
    for (let d = model.monthDemandStart[m] ?? 0; d < (model.monthDemandStart[m + 1] ?? 0); d++) {
      const price = demandPrice[d] ?? 0;
      for (let i = demandStart[d] ?? 0; i < (demandStart[d + 1] ?? 0); i++) {
        const spend = (spendPerGpu[i] ?? 0) * (1 - (weights[providerMonth[i] ?? 0] ?? 0));
        raise(i, (valuePerGpu[i] ?? 0) - spend - price);
      }
    }
    for (const group of this.groupsOfMonth[m] ?? []) {
      for (let i = model.groupStart[group] ?? 0; i < (model.groupStart[group + 1] ?? 0); i++) {
        const spend = (spendPerGpu[i] ?? 0) * (1 - (weights[providerMonth[i] ?? 0] ?? 0));
        const value = model.gangValuePerGpu[i - splittable] ?? 0;
        raise(i, value - spend - (gangPrice[i - splittable] ?? 0));
      }
    }
  }
}

/**
 * The scenario with each building's pools online from a month before the building (or from
 * the horizon's start): every pool window a building move can give lies inside it.
 */
export function widened(scenario: Scenario): Scenario {
  const earliest = new Map(
    scenario.buildings.map((b) => [b.id, Math.max(b.online - 1, scenario.horizon.from)]),
  );
  return {
    ...scenario,
    buildings: scenario.buildings.map((b) => ({
      ...b,
      online: Math.min(b.online, earliest.get(b.id) ?? b.online) as Period,
    })),
    pools: scenario.pools.map((pool) => {
      const from = pool.building === undefined ? undefined : earliest.get(pool.building);
      return from === undefined || from >= pool.window.from
        ? pool
        : { ...pool, window: { ...pool.window, from: from as Period } };
    }),
  };
}

/** GPUs per pool-month of the model's horizon: the pool's size where its window is, else 0. */
function capacityOf(scenario: Scenario, model: Prepared): Float64Array {
  const { months, horizonStart } = model;
  const capacity = new Float64Array(scenario.pools.length * months);
  scenario.pools.forEach((pool, p) => {
    const from = Math.max(pool.window.from - horizonStart, 0);
    const to = Math.min(pool.window.to - horizonStart, months - 1);
    if (from <= to) capacity.fill(pool.gpus, p * months + from, p * months + to + 1);
  });
  return capacity;
}

function sorted(months: Set<number>): number[] {
  return [...months].sort((a, b) => a - b);
}

/**
 * A Lagrangian bound in cents as `finishPlan` takes it: a sum of a million float terms gives up
 * a relative 1e-9 to stay a bound despite rounding, rounded down, never above the plan's total.
 */
function lagrangianCents(bound: number, total: Cents): Cents {
  if (!Number.isFinite(bound)) return 0n;
  const cents = BigInt(Math.floor((bound - Math.abs(bound) * 1e-9) * 100));
  return cents > total ? total : cents < 0n ? 0n : cents;
}
