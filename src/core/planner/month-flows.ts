import type { Prepared } from './fast-model.js';
import { NetworkSimplex } from './network-simplex.js';

/** Costs inside the flow problems are whole multiples of 1/UNITS_PER_USD USD per GPU-month. */
const UNITS_PER_USD = 1e4;

/**
 * What a chosen gang run gains per GPU placed, in cost units ($10M per GPU-month): more than
 * any chain of other moves can save, so a chosen run is always served in full.
 */
const MUST = 1e11;

/** Pivots allowed per arc and solve: a guard against a bug, never reached in practice. */
const PIVOTS_PER_ARC = 50;

/**
 * One month as a transportation problem, solved exactly by network simplex. Nodes: the sink
 * (the root), one per splittable demand, one per pool with eligible triples that month, one
 * per gang workload with a viable option that month. Arcs:
 *
 * - demand → pool for each eligible triple whose effective cost can fall below its value: cost
 *   h·price·(1 − min(1, Σμ)) − h·value, no bound;
 * - pool → sink: the pool's capacity, cost 0;
 * - demand → sink and gang → sink: unserved, cost 0, no bound;
 * - gang → pool for each triple of the workload's viable options that month. When bidding,
 *   the gang workload is priced like splittable demand: cost h·price·(1 − min(1, Σμ)) −
 *   h·value. Otherwise only its chosen option is open: cost h·price·(1 − min(1, Σμ)) − MUST
 *   there, MUST elsewhere (and everywhere when no option is chosen).
 *
 * Each demand supplies its GPUs, each gang workload its run's GPUs. Choosing gang runs, bidding
 * and weights only change costs, so each month goes on from its last optimal tree. Pools
 * without GPUs get no node.
 *
 * Most triples never carry flow, so their arcs are generated: a demand starts with the arc of
 * its first solution only; after each optimal solve every other candidate is priced against
 * the potentials and those with a negative reduced cost join, until none does. The result is
 * optimal for the whole month.
 */
interface MonthProblem {
  readonly flows: NetworkSimplex;
  /** The month's demands: demand node j + 1 is demand `firstDemand + j`. */
  readonly firstDemand: number;
  readonly demands: number;
  /** The splittable candidates on provider-months some commitment covers: μ moves their cost. */
  readonly committed: Int32Array;
  /**
   * The splittable candidates without an arc yet, in index order, `pending[0 ..pendingCount]`
   * (some may have got one since the last price-out: it drops them). Pricing out reads these
   * instead of every triple of the month, most of which have no chance or an arc already.
   */
  readonly pending: Int32Array;
  pendingCount: number;
  /** Pool node per pool, -1 for pools without triples this month. */
  readonly poolNode: Int32Array;
  /** The month's gang arcs: `gangArcs[0] ..gangArcs[1]`. */
  readonly gangArcs: readonly [number, number];
}

/**
 * The month-by-month transportation problems: the splittable demand and the chosen gang runs,
 * given the commitment weights. Deterministic: arcs, nodes and pivots follow index order.
 */
export class MonthFlows {
  private readonly model: Prepared;
  /** Built months by offset; `solveMonths` leaves the others unbuilt. */
  private readonly months: (MonthProblem | undefined)[] = [];
  /** How many commitments cover each provider-month: > 0 when its weight can be positive. */
  private readonly covered: Float64Array;
  /** Per triple: its arc in its month, or -1. */
  private readonly tripleArc: Int32Array;
  /** Per splittable triple: its cost in units; NaN when it never gets an arc. */
  private readonly tripleCost: Float64Array;
  private lastWeights: Float64Array | undefined;
  /** Σμ capped at 1 per provider-month in the last solve. */
  private cappedBefore = new Float64Array(0);
  /** Pivots made so far over all months, for tests and tuning. */
  pivots = 0;

  constructor(model: Prepared) {
    this.model = model;
    this.covered = new Float64Array(model.providers * model.months);
    for (const c of model.commitments) {
      for (let m = c.from; m <= c.to; m++) {
        const pm = c.provider * model.months + m;
        this.covered[pm] = (this.covered[pm] ?? 0) + 1;
      }
    }
    const splittable = model.groupStart[0] ?? 0;
    this.tripleArc = new Int32Array(model.spendPerGpu.length).fill(-1);
    this.tripleCost = new Float64Array(splittable);
  }

  /**
   * Solves every month to optimality with the gang options `chosen` (1 per chosen option), or,
   * without it, with every gang workload bidding like splittable demand; and with `weights`
   * (Σμ per provider-month). The first call builds the months in order, each from a first
   * solution that follows the month before.
   */
  solve(chosen: Uint8Array | undefined, weights: Float64Array): void {
    const { months } = this.model;
    const capped = Float64Array.from(weights, (w) => Math.min(1, w));
    const first = this.months.length === 0;
    const weightsChanged = !first && !sameValues(this.lastWeights, weights);
    this.lastWeights = Float64Array.from(weights);
    if (this.cappedBefore.length !== capped.length)
      this.cappedBefore = new Float64Array(capped.length).fill(NaN);
    const groupsOf = first ? this.groupsByMonth() : [];
    const lastPool = new Int32Array(this.model.problem.workloads.length).fill(-1);
    for (let m = 0; m < months; m++) {
      let month = this.months[m];
      if (!month) {
        month = this.build(m, capped, groupsOf[m] ?? [], lastPool);
        this.months.push(month);
      }
      let changed = first;
      if (weightsChanged && this.repriceSplittable(month, capped)) changed = true;
      if (this.repriceGangs(month, capped, chosen)) changed = true;
      if (!changed) continue;
      month.flows.refreshPotentials();
      const before = month.flows.pivots;
      do month.flows.solve(PIVOTS_PER_ARC * (month.flows.arcs + 1));
      while (this.priceOut(month) > 0);
      this.pivots += month.flows.pivots - before;
      if (first) this.recordPools(month, lastPool);
    }
    this.cappedBefore = capped;
  }

  /**
   * After `solve`, with the same weights: solves again the months `only` (offsets), where the
   * gang runs changed to `chosen`. The other months must not be touched by the change.
   */
  resolve(chosen: Uint8Array, only: Iterable<number>): void {
    for (const m of only) {
      const month = this.months[m];
      if (!month || !this.repriceGangs(month, this.cappedBefore, chosen)) continue;
      month.flows.refreshPotentials();
      const before = month.flows.pivots;
      do month.flows.solve(PIVOTS_PER_ARC * (month.flows.arcs + 1));
      while (this.priceOut(month) > 0);
      this.pivots += month.flows.pivots - before;
    }
  }

  /**
   * `solve` for the months `only` (offsets) and no others, building each the first time it is
   * asked for, from a crash that does not follow the month before: for re-planning a few
   * months of a plan. The other methods then read these months alone. Not to be mixed with
   * `solve` on one instance.
   */
  solveMonths(
    only: readonly number[],
    chosen: Uint8Array | undefined,
    weights: Float64Array,
  ): void {
    const capped = Float64Array.from(weights, (w) => Math.min(1, w));
    if (this.cappedBefore.length !== capped.length)
      this.cappedBefore = new Float64Array(capped.length).fill(NaN);
    const lastPool = new Int32Array(this.model.problem.workloads.length).fill(-1);
    let groupsOf: number[][] | undefined;
    for (const m of only) {
      let month = this.months[m];
      let changed = false;
      if (!month) {
        groupsOf ??= this.groupsByMonth();
        month = this.build(m, capped, groupsOf[m] ?? [], lastPool);
        this.months[m] = month;
        changed = true;
      } else if (this.repriceSplittable(month, capped)) changed = true;
      if (this.repriceGangs(month, capped, chosen)) changed = true;
      if (!changed) continue;
      month.flows.refreshPotentials();
      const before = month.flows.pivots;
      do month.flows.solve(PIVOTS_PER_ARC * (month.flows.arcs + 1));
      while (this.priceOut(month) > 0);
      this.pivots += month.flows.pivots - before;
    }
    this.lastWeights = Float64Array.from(weights);
    this.cappedBefore = capped;
  }

  /** Spend per commitment of the current flows (splittable and chosen or bidding gang arcs). */
  spend(chosen: Uint8Array | undefined): Float64Array {
    const { providers, months, spendPerGpu, providerMonth, option, commitments } = this.model;
    const table = new Float64Array(providers * months);
    // Triple arcs have no upper bound: those with flow are tree arcs.
    for (const month of this.months) {
      if (!month) continue;
      const { flow, tag } = month.flows;
      for (const e of month.flows.treeArcs()) {
        const i = tag[e] ?? -1;
        const gpus = flow[e] ?? 0;
        if (i < 0 || gpus <= 0) continue;
        const g = option[i] ?? -1;
        if (g >= 0 && chosen && (chosen[g] ?? 0) === 0) continue;
        const pm = providerMonth[i] ?? 0;
        table[pm] = (table[pm] ?? 0) + gpus * (spendPerGpu[i] ?? 0);
      }
    }
    return Float64Array.from(commitments, (c) => {
      let total = 0;
      for (let m = c.from; m <= c.to; m++) total += table[c.provider * months + m] ?? 0;
      return total;
    });
  }

  /**
   * Adds each month's flows to `x`, GPUs per triple, for splittable and chosen gang arcs, and
   * lists the triples it sets in `used`.
   */
  addFlows(x: Float64Array, chosen: Uint8Array, used: number[]): void {
    const option = this.model.option;
    // Triple arcs have no upper bound: those with flow are tree arcs.
    for (const month of this.months) {
      if (!month) continue;
      const { flow, tag } = month.flows;
      for (const e of month.flows.treeArcs()) {
        const i = tag[e] ?? -1;
        const gpus = flow[e] ?? 0;
        if (i < 0 || gpus <= 0) continue;
        const g = option[i] ?? -1;
        if (g >= 0 && (chosen[g] ?? 0) === 0) continue;
        if ((x[i] ?? 0) === 0) used.push(i);
        x[i] = (x[i] ?? 0) + gpus;
      }
    }
  }

  /**
   * Writes each splittable demand's dual price into `out` (USD per GPU-month): the value of
   * serving one more GPU of it, ≥ 0, as the optimal potentials give it.
   */
  demandPrices(out: Float64Array): void {
    out.fill(0);
    for (const month of this.months) {
      if (!month) continue;
      const { potential } = month.flows;
      for (let j = 0; j < month.demands; j++) {
        out[month.firstDemand + j] = Math.max(0, (potential[j + 1] ?? 0) / UNITS_PER_USD);
      }
    }
  }

  /**
   * Writes each pool-month's capacity price into `out` (pool × months + month offset; USD per
   * GPU-month, ≥ 0): minus its pool node's optimal potential, 0 where the pool has no node.
   */
  poolPrices(out: Float64Array): void {
    const { months } = this.model;
    out.fill(0);
    this.months.forEach((month, m) => {
      if (!month) return;
      const { potential } = month.flows;
      month.poolNode.forEach((node, p) => {
        if (node >= 0) out[p * months + m] = Math.max(0, -(potential[node] ?? 0) / UNITS_PER_USD);
      });
    });
  }

  /**
   * Writes, for each gang triple i, the dual price of its workload's node (USD per GPU-month)
   * into `out[i - firstGangTriple]`: meaningful while bidding.
   */
  gangPrices(out: Float64Array): void {
    const splittable = this.model.groupStart[0] ?? 0;
    out.fill(0);
    for (const month of this.months) {
      if (!month) continue;
      const { potential, source, tag } = month.flows;
      for (let e = month.gangArcs[0]; e < month.gangArcs[1]; e++) {
        const i = tag[e] ?? -1;
        const node = source[e] ?? 0;
        out[i - splittable] = Math.max(0, (potential[node] ?? 0) / UNITS_PER_USD);
      }
    }
  }

  /** For each workload of the month, the pool carrying most of its GPUs (ties: lowest). */
  private recordPools(month: MonthProblem, lastPool: Int32Array): void {
    const { flow, tag, source } = month.flows;
    const { demandWorkload, option, pool } = this.model;
    const most = new Float64Array(month.demands);
    for (let j = 0; j < month.demands; j++)
      lastPool[demandWorkload[month.firstDemand + j] ?? 0] = -1;
    for (let e = 0; e < month.flows.arcs; e++) {
      const i = tag[e] ?? -1;
      const gpus = flow[e] ?? 0;
      if (i < 0 || gpus <= 0 || (option[i] ?? -1) >= 0) continue;
      const j = (source[e] ?? 1) - 1;
      const w = demandWorkload[month.firstDemand + j] ?? 0;
      const p = pool[i] ?? 0;
      if (gpus > (most[j] ?? 0) || (gpus === most[j] && p < (lastPool[w] ?? 0))) {
        most[j] = gpus;
        lastPool[w] = p;
      }
    }
  }

  private groupsByMonth(): number[][] {
    const { months, groupOption, groupMonth, optionNeed } = this.model;
    const byMonth: number[][] = Array.from({ length: months }, () => []);
    for (let group = 0; group < groupOption.length; group++) {
      if ((optionNeed[groupOption[group] ?? 0] ?? 0) > 0) {
        byMonth[groupMonth[group] ?? 0]?.push(group);
      }
    }
    return byMonth;
  }

  private gangCost(i: number, capped: Float64Array, chosen: Uint8Array | undefined): number {
    const { spendPerGpu, providerMonth, option, gangValuePerGpu, groupStart } = this.model;
    const effective = (spendPerGpu[i] ?? 0) * (1 - (capped[providerMonth[i] ?? 0] ?? 0));
    if (!chosen) {
      const value = gangValuePerGpu[i - (groupStart[0] ?? 0)] ?? 0;
      return Math.round((effective - value) * UNITS_PER_USD);
    }
    if ((chosen[option[i] ?? 0] ?? 0) === 0) return MUST;
    return Math.round(effective * UNITS_PER_USD) - MUST;
  }

  /**
   * New weights: the cost and arc of every splittable candidate whose weight changed; returns
   * whether any did (the month must then be solved and priced out again).
   */
  private repriceSplittable(month: MonthProblem, capped: Float64Array): boolean {
    const { spendPerGpu, valuePerGpu, providerMonth } = this.model;
    const { tripleArc, tripleCost, cappedBefore } = this;
    const { cost } = month.flows;
    let changed = false;
    for (const i of month.committed) {
      const pm = providerMonth[i] ?? 0;
      if (capped[pm] === cappedBefore[pm]) continue;
      const effective = (spendPerGpu[i] ?? 0) * (1 - (capped[pm] ?? 0));
      const next = Math.round((effective - (valuePerGpu[i] ?? 0)) * UNITS_PER_USD);
      if (tripleCost[i] === next) continue;
      tripleCost[i] = next;
      changed = true;
      const e = tripleArc[i] ?? -1;
      if (e >= 0) cost[e] = next;
    }
    return changed;
  }

  /** Every gang arc's cost for the choice (or bidding) and weights; whether any changed. */
  private repriceGangs(
    month: MonthProblem,
    capped: Float64Array,
    chosen: Uint8Array | undefined,
  ): boolean {
    const { cost, tag } = month.flows;
    let changed = false;
    for (let e = month.gangArcs[0]; e < month.gangArcs[1]; e++) {
      const next = this.gangCost(tag[e] ?? 0, capped, chosen);
      if (cost[e] !== next) {
        cost[e] = next;
        changed = true;
      }
    }
    return changed;
  }

  /** Adds the splittable candidates with a negative reduced cost as arcs; returns how many. */
  private priceOut(month: MonthProblem): number {
    const { demandStart, pool } = this.model;
    const { tripleArc, tripleCost } = this;
    const { flows, poolNode, pending, firstDemand } = month;
    const { potential } = flows;
    let added = 0;
    let kept = 0;
    // Demands own consecutive index ranges, so the demand of each pending triple is found by
    // walking forward: arcs join in (demand, index) order, as a scan of every triple adds them.
    let d = firstDemand;
    let next = demandStart[d + 1] ?? 0;
    for (let k = 0; k < month.pendingCount; k++) {
      const i = pending[k] ?? 0;
      if ((tripleArc[i] ?? 0) >= 0) continue;
      while (i >= next) next = demandStart[++d + 1] ?? 0;
      const node = d - firstDemand + 1;
      const cost = tripleCost[i] ?? 0;
      const v = poolNode[pool[i] ?? 0] ?? 0;
      if (cost + (potential[node] ?? 0) - (potential[v] ?? 0) >= 0) {
        pending[kept++] = i;
        continue;
      }
      tripleArc[i] = flows.addArc(node, v, cost, Infinity, i);
      added++;
    }
    month.pendingCount = kept;
    return added;
  }

  /**
   * Builds month m with its first tree. First solution (crash): demands in the model's order
   * (value first) each take, up to the room left, the pool their workload used most the month
   * before if it is a candidate with room, else their cheapest candidate with room. A pool this
   * fills hangs under the demand that filled it, its pool arc at its upper bound; other served
   * demands hang under their pool, the rest under the sink. Every tree path to the sink can
   * then still carry more flow: the tree is strongly feasible.
   */
  private build(
    m: number,
    capped: Float64Array,
    groups: readonly number[],
    lastPool: Int32Array,
  ): MonthProblem {
    const model = this.model;
    const { months, capacity, demandStart, demandNeed, demandWorkload, groupStart } = model;
    const { spendPerGpu, valuePerGpu, providerMonth, optionNeed, groupOption, pool } = model;
    const gangOptions = model.problem.gangOptions;
    const { tripleArc, tripleCost, covered } = this;
    const pools = model.problem.pools.length;
    const firstDemand = model.monthDemandStart[m] ?? 0;
    const demands = (model.monthDemandStart[m + 1] ?? 0) - firstDemand;
    const first = demandStart[firstDemand] ?? 0;
    const last = demandStart[firstDemand + demands] ?? 0;

    // Pools with a triple this month, numbered in pool order after the demands.
    const poolNode = new Int32Array(pools).fill(-1);
    for (let i = first; i < last; i++) poolNode[pool[i] ?? 0] = 0;
    let gangArcCount = 0;
    for (const group of groups) {
      for (let i = groupStart[group] ?? 0; i < (groupStart[group + 1] ?? 0); i++) {
        poolNode[pool[i] ?? 0] = 0;
        gangArcCount++;
      }
    }
    // A pool without GPUs gets no node: its arc to the sink could not be strongly feasible.
    let poolCount = 0;
    for (let p = 0; p < pools; p++) {
      if ((poolNode[p] ?? -1) < 0 || (capacity[p * months + m] ?? 0) <= 0) poolNode[p] = -1;
      else poolNode[p] = demands + 1 + poolCount++;
    }
    const room = new Float64Array(poolCount);
    for (let p = 0; p < pools; p++) {
      const node = poolNode[p] ?? -1;
      if (node >= 0) room[node - demands - 1] = capacity[p * months + m] ?? 0;
    }

    // Candidates: triples that can pay for themselves at some weight; those on committed
    // provider-months are repriced when the weights move.
    const committedAll = new Int32Array(last - first);
    let committedCount = 0;
    const pending = new Int32Array(last - first);
    let pendingCount = 0;
    for (let i = first; i < last; i++) {
      const pm = providerMonth[i] ?? 0;
      const spend = spendPerGpu[i] ?? 0;
      const value = valuePerGpu[i] ?? 0;
      const isCommitted = (covered[pm] ?? 0) > 0;
      if ((isCommitted ? 0 : spend) >= value || (poolNode[pool[i] ?? 0] ?? -1) < 0) {
        tripleCost[i] = NaN;
        continue;
      }
      tripleCost[i] = Math.round((spend * (1 - (capped[pm] ?? 0)) - value) * UNITS_PER_USD);
      if (isCommitted) committedAll[committedCount++] = i;
      pending[pendingCount++] = i;
    }
    const committed = committedAll.slice(0, committedCount);

    // The first solution.
    const choice = new Int32Array(demands).fill(-1);
    const placed = new Float64Array(demands);
    const used = new Float64Array(poolCount);
    /** Per pool: the demand node that filled it, or 0. */
    const filler = new Int32Array(poolCount);
    for (let j = 0; j < demands; j++) {
      const d = firstDemand + j;
      const previous = lastPool[demandWorkload[d] ?? 0] ?? -1;
      let best = -1;
      let bestCost = 0;
      for (let i = demandStart[d] ?? 0; i < (demandStart[d + 1] ?? 0); i++) {
        const cost = tripleCost[i] ?? NaN;
        if (!(cost < 0)) continue;
        const q = (poolNode[pool[i] ?? 0] ?? 0) - demands - 1;
        if ((room[q] ?? 0) - (used[q] ?? 0) <= 0) continue;
        if ((pool[i] ?? 0) === previous) {
          best = i;
          break;
        }
        if (best < 0 || cost < bestCost) {
          best = i;
          bestCost = cost;
        }
      }
      if (best < 0) continue;
      const q = (poolNode[pool[best] ?? 0] ?? 0) - demands - 1;
      const gpus = Math.min(demandNeed[d] ?? 0, (room[q] ?? 0) - (used[q] ?? 0));
      choice[j] = best;
      placed[j] = gpus;
      used[q] = (used[q] ?? 0) + gpus;
      if ((used[q] ?? 0) === (room[q] ?? 0)) filler[q] = j + 1;
    }

    // One node per gang workload: groups come in option order, a workload's options together.
    const gangBase = 1 + demands + poolCount;
    const groupNode = new Int32Array(groups.length);
    const gangNeed: number[] = [];
    let lastWorkload = -1;
    groups.forEach((group, k) => {
      const g = groupOption[group] ?? 0;
      const workload = gangOptions[g]?.workload ?? 0;
      if (workload !== lastWorkload) {
        gangNeed.push(optionNeed[g] ?? 0);
        lastWorkload = workload;
      }
      groupNode[k] = gangBase + gangNeed.length - 1;
    });
    const nodes = gangBase + gangNeed.length;
    // Every arc the month can ever have: one to the sink per node but the sink, the gang arcs,
    // and one per candidate.
    const flows = new NetworkSimplex(
      nodes,
      0,
      nodes + 2 * demands + gangArcCount,
      nodes - 1 + gangArcCount + pendingCount,
    );
    const treeParent = new Int32Array(nodes);
    const treeArc = new Int32Array(nodes).fill(-1);
    for (let j = 0; j < demands; j++) {
      const need = demandNeed[firstDemand + j] ?? 0;
      treeArc[j + 1] = flows.addArc(j + 1, 0, 0, Infinity, -1, need - (placed[j] ?? 0));
    }
    for (let q = 0; q < poolCount; q++) {
      const node = demands + 1 + q;
      treeArc[node] = flows.addArc(node, 0, 0, room[q] ?? 0, -1, used[q] ?? 0);
    }
    gangNeed.forEach((need, k) => {
      treeArc[gangBase + k] = flows.addArc(gangBase + k, 0, 0, Infinity, -1, need);
    });
    for (let j = 0; j < demands; j++) {
      const chosen = choice[j] ?? -1;
      if (chosen >= 0) {
        const node = poolNode[pool[chosen] ?? 0] ?? 0;
        const e = flows.addArc(j + 1, node, tripleCost[chosen] ?? 0, Infinity, chosen, placed[j]);
        tripleArc[chosen] = e;
        // The demand hangs under its pool, or, where it filled the pool, the pool under it.
        if ((filler[node - demands - 1] ?? 0) === j + 1) {
          treeParent[node] = j + 1;
          treeArc[node] = e;
        } else {
          treeParent[j + 1] = node;
          treeArc[j + 1] = e;
        }
      }
    }
    // Parents before children: the root's children, then pools under the demands that filled
    // them, then demands under their pools.
    const order = new Int32Array(nodes - 1);
    let at = 0;
    for (let v = 1; v < nodes; v++) if ((treeParent[v] ?? 0) === 0) order[at++] = v;
    for (let v = demands + 1; v < gangBase; v++) if ((treeParent[v] ?? 0) !== 0) order[at++] = v;
    for (let v = 1; v <= demands; v++) if ((treeParent[v] ?? 0) !== 0) order[at++] = v;
    // Gang arcs, closed until the first solve prices them.
    const gangFrom = flows.arcs;
    groups.forEach((group, k) => {
      for (let i = groupStart[group] ?? 0; i < (groupStart[group + 1] ?? 0); i++) {
        const target = poolNode[pool[i] ?? 0] ?? -1;
        if (target >= 0) tripleArc[i] = flows.addArc(groupNode[k] ?? 0, target, MUST, Infinity, i);
      }
    });
    flows.start(order, treeParent, treeArc);
    return {
      flows,
      firstDemand,
      demands,
      committed,
      pending,
      pendingCount,
      poolNode,
      gangArcs: [gangFrom, flows.arcs],
    };
  }
}

function sameValues(a: Float64Array | undefined, b: Float64Array): boolean {
  if (!a || a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
}
