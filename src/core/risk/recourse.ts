import type { Micros } from '../money.js';
import type { Period } from '../period.js';
import { hoursIn } from '../period.js';
import { evaluatePlacements } from '../planner/evaluate.js';
import type { Objective, Placement } from '../planner/plan.js';
import type { PlacementProblem } from '../planner/problem.js';

/** What one slip draw does to a plan, after recourse. */
export interface RecourseOutcome {
  /** The plan's objective after recourse: compute + shortfall + unmet value. */
  readonly total: Micros;
  /** Unmet GPU-months after recourse, the plan's own unmet included. */
  readonly unmetGpuMonths: number;
}

/**
 * Evaluates a plan under slips. `evaluate(slips)` takes months of slip for each pool of
 * `slipPools` (aligned), and returns the plan's cost after recourse; `onShort` hears of every
 * workload-month left shorter than the plan left it.
 */
export interface RecourseEvaluator {
  /** The plan as scheduled (no slips). */
  readonly nominal: Objective & { readonly unmetGpuMonths: number };
  evaluate(
    slips: Int32Array,
    onShort?: (workload: number, period: Period, gpus: number) => void,
  ): RecourseOutcome;
}

/** A run of eligible periods of one (workload, pool), from the problem's triples. */
interface Alternative {
  readonly pool: number;
  readonly from: number;
  readonly to: number;
  readonly option: number;
}

/**
 * Builds the recourse evaluator of a plan: the rule by which work moves when buildings slip.
 * A slipped building's pool holds no GPUs from its scheduled first month until its new online
 * month; every placement that still fits stays where it is, and only the displaced GPU-months
 * move, in the same month (demand is per month; work does not wait):
 *
 * 1. **Gang workloads** first (all or nothing, so they free the most when they fail), most
 *    valuable per GPU-hour first: the displaced months are refilled on the other pools of the
 *    same site and accelerator; failing that, the whole workload moves to the cheapest other
 *    site and accelerator with room in every month of its window; failing that, it is dropped
 *    and its whole window is unmet (its other placements free their room).
 * 2. **Splittable workloads**, most valuable per GPU-hour first, then by workload and month:
 *    each displaced GPU-month goes to the cheapest eligible pool with room that month (ties by
 *    pool id); what finds no room is unmet.
 *
 * Eligibility is the problem's (terms, accelerators, windows as scheduled). Greedy and
 * deterministic; it never re-plans work the slip did not touch, so it is what an operator can
 * do the month a building is late, not the best plan had the slip been known. Costs are exact:
 * compute and commitment spend are updated per moved GPU-month, unmet value per workload-month.
 * Pure; a draw costs O(displaced GPU-month placements × eligible pools).
 */
export function recourseEvaluator(
  problem: PlacementProblem,
  placements: readonly Placement[],
  slipPools: readonly number[],
): RecourseEvaluator {
  const { workloads, pools, scenario, triples } = problem;
  const start: number = scenario.horizon.from;
  const M = scenario.horizon.to - start + 1;
  const P = pools.length;
  const W = workloads.length;
  const hours = Array.from({ length: M }, (_, m) => BigInt(hoursIn((start + m) as Period)));
  const price = pools.map((p) => p.pricePerGpuHour);
  const value = workloads.map((w) => w.valuePerGpuHour);

  // Capacity: a pool's GPUs in the months of its window.
  const capacity = new Float64Array(P * M);
  pools.forEach((pool, p) => {
    const from = Math.max(pool.window.from, start);
    const to = Math.min(pool.window.to, start + M - 1);
    for (let t = from; t <= to; t++) capacity[p * M + t - start] = pool.gpus;
  });

  // The plan: GPUs used per pool-month and placed per workload-month.
  const live = placements.filter((x) => x.gpus > 0 && x.period >= start && x.period < start + M);
  const used = new Float64Array(P * M);
  const placed = new Float64Array(W * M);
  for (const x of live) {
    used[x.pool * M + x.period - start] = (used[x.pool * M + x.period - start] ?? 0) + x.gpus;
    placed[x.workload * M + x.period - start] =
      (placed[x.workload * M + x.period - start] ?? 0) + x.gpus;
  }
  const byPool: Placement[][] = Array.from({ length: P }, () => []);
  const byWorkload: Placement[][] = Array.from({ length: W }, () => []);
  for (const x of live) {
    byPool[x.pool]?.push(x);
    byWorkload[x.workload]?.push(x);
  }
  for (const list of byPool) list.sort((a, b) => a.period - b.period || a.workload - b.workload);

  // Eligible runs per workload, cheapest pool first (ties by pool index: ids in code-point
  // order); and the gang option of each (workload, pool).
  const alternatives: Alternative[][] = Array.from({ length: W }, () => []);
  const optionOf = new Map<number, number>();
  for (let i = 0; i < triples.count;) {
    const w = triples.workload[i] ?? 0;
    const p = triples.pool[i] ?? 0;
    const option = triples.option[i] ?? -1;
    const from = triples.period[i] ?? 0;
    let j = i + 1;
    while (
      j < triples.count &&
      triples.workload[j] === w &&
      triples.pool[j] === p &&
      triples.period[j] === (triples.period[j - 1] ?? 0) + 1
    )
      j++;
    alternatives[w]?.push({ pool: p, from, to: triples.period[j - 1] ?? from, option });
    if (option >= 0) optionOf.set(w * P + p, option);
    i = j;
  }
  for (const list of alternatives) {
    list.sort((a, b) => {
      const pa = price[a.pool] ?? 0n;
      const pb = price[b.pool] ?? 0n;
      return pa < pb ? -1 : pa > pb ? 1 : a.pool - b.pool || a.from - b.from;
    });
  }

  // Commitments each pool's spend counts toward.
  const commitments = problem.commitments;
  const poolCommitments = pools.map((pool) =>
    commitments.flatMap((c, index) => (c.term.provider === pool.provider ? [index] : [])),
  );

  const evaluation = evaluatePlacements(problem, live);
  const nominalSpend = commitments.map((c) => {
    const status = evaluation.commitments.find(
      (s) => s.contract === c.contract.id && s.term === c.term.id,
    );
    return status?.spend ?? 0n;
  });
  const nominalUnmetGpuMonths = evaluation.shortages.reduce((sum, s) => sum + s.gpus, 0);

  // Per-draw state, reset after each draw through the touched lists.
  const deltaUsed = new Float64Array(P * M);
  const deltaPlaced = new Float64Array(W * M);
  const placedTouched = new Uint8Array(W * M);
  const touched: number[] = [];
  const usedTouched: number[] = [];
  const lostTo = new Int32Array(P).fill(-1);
  const spendDelta: Micros[] = commitments.map(() => 0n);
  let computeDelta = 0n;
  // A log of changes, so a gang's tentative moves can be undone.
  const log: number[] = [];

  const change = (w: number, p: number, t: number, gpus: number, record = true) => {
    const m = t - start;
    deltaUsed[p * M + m] = (deltaUsed[p * M + m] ?? 0) + gpus;
    usedTouched.push(p * M + m);
    deltaPlaced[w * M + m] = (deltaPlaced[w * M + m] ?? 0) + gpus;
    if (placedTouched[w * M + m] === 0) {
      placedTouched[w * M + m] = 1;
      touched.push(w * M + m);
    }
    const cost = BigInt(gpus) * (hours[m] ?? 0n) * (price[p] ?? 0n);
    computeDelta += cost;
    for (const c of poolCommitments[p] ?? []) {
      const range = commitments[c]?.range;
      if (range && t >= range.from && t <= range.to) spendDelta[c] = (spendDelta[c] ?? 0n) + cost;
    }
    if (record) log.push(w, p, t, gpus);
  };
  const undoTo = (mark: number) => {
    while (log.length > mark) {
      const gpus = log.pop() ?? 0;
      const t = log.pop() ?? 0;
      const p = log.pop() ?? 0;
      const w = log.pop() ?? 0;
      change(w, p, t, -gpus, false);
    }
  };
  const room = (p: number, t: number) => {
    if (t <= (lostTo[p] ?? -1)) return 0;
    const at = p * M + t - start;
    return Math.max(0, (capacity[at] ?? 0) - (used[at] ?? 0) - (deltaUsed[at] ?? 0));
  };
  /** Places up to `gpus` of workload w in month t on its alternatives (of `option`, if ≥ 0). */
  const fill = (w: number, t: number, gpus: number, option: number) => {
    let left = gpus;
    for (const a of alternatives[w] ?? []) {
      if (left <= 0) break;
      if (t < a.from || t > a.to || (option >= 0 && a.option !== option)) continue;
      const take = Math.min(left, room(a.pool, t));
      if (take > 0) {
        change(w, a.pool, t, take);
        left -= take;
      }
    }
    return left;
  };
  /** The GPUs workload w holds in month t after the changes so far. */
  const holds = (w: number, t: number) =>
    (placed[w * M + t - start] ?? 0) + (deltaPlaced[w * M + t - start] ?? 0);

  const byValue = (a: number, b: number) => {
    const va = value[a] ?? 0n;
    const vb = value[b] ?? 0n;
    return va > vb ? -1 : va < vb ? 1 : a - b;
  };

  const evaluate = (
    slips: Int32Array,
    onShort?: (workload: number, period: Period, gpus: number) => void,
  ): RecourseOutcome => {
    // 1. Cut each slipped pool to 0 GPUs before its new online month; take its work off.
    const displaced: Placement[] = [];
    for (let k = 0; k < slipPools.length; k++) {
      const s = slips[k] ?? 0;
      const p = slipPools[k] ?? -1;
      if (s <= 0 || p < 0) continue;
      const last = (pools[p]?.window.from ?? 0) + s - 1;
      lostTo[p] = last;
      for (const x of byPool[p] ?? []) {
        if (x.period > last) break;
        change(x.workload, p, x.period, -x.gpus);
        displaced.push(x);
      }
    }
    if (displaced.length > 0) {
      const gangs = new Set<number>();
      const splittable: Placement[] = [];
      for (const x of displaced) {
        if (workloads[x.workload]?.gang) gangs.add(x.workload);
        else splittable.push(x);
      }
      // 2. Gangs: repair on the same site and accelerator, else move whole, else drop.
      for (const w of [...gangs].sort(byValue)) repairGang(w, displaced);
      // 3. Splittable work: the cheapest pool with room, that month.
      splittable.sort(
        (a, b) => byValue(a.workload, b.workload) || a.period - b.period || a.pool - b.pool,
      );
      for (const x of splittable) fill(x.workload, x.period, x.gpus, -1);
    }

    // 4. Price the changes: unmet per touched workload-month, shortfall per commitment.
    let unmetDelta = 0n;
    let gpuMonthsDelta = 0;
    for (const at of touched) {
      const w = Math.floor(at / M);
      const m = at - w * M;
      const need = workloads[w]?.gpus ?? 0;
      const before = Math.max(0, need - (placed[at] ?? 0));
      const after = Math.max(0, need - (placed[at] ?? 0) - (deltaPlaced[at] ?? 0));
      if (after !== before) {
        unmetDelta += BigInt(after - before) * (hours[m] ?? 0n) * (value[w] ?? 0n);
        gpuMonthsDelta += after - before;
        if (after > before) onShort?.(w, (start + m) as Period, after - before);
      }
    }
    let shortfallDelta = 0n;
    commitments.forEach((c, i) => {
      const delta = spendDelta[i] ?? 0n;
      if (delta === 0n) return;
      const before = nominalSpend[i] ?? 0n;
      const min = c.term.minSpend;
      const was = before >= min ? 0n : min - before;
      const now = before + delta >= min ? 0n : min - before - delta;
      shortfallDelta += now - was;
    });
    const outcome = {
      total: evaluation.objective.total + computeDelta + shortfallDelta + unmetDelta,
      unmetGpuMonths: nominalUnmetGpuMonths + gpuMonthsDelta,
    };

    // Reset.
    for (const at of usedTouched) deltaUsed[at] = 0;
    for (const at of touched) {
      deltaPlaced[at] = 0;
      placedTouched[at] = 0;
    }
    usedTouched.length = 0;
    touched.length = 0;
    log.length = 0;
    for (let k = 0; k < slipPools.length; k++) lostTo[slipPools[k] ?? 0] = -1;
    spendDelta.fill(0n);
    computeDelta = 0n;
    return outcome;
  };

  /** Recourse for one gang workload whose placements the slips displaced. */
  const repairGang = (w: number, displaced: readonly Placement[]) => {
    const workload = workloads[w];
    const range = problem.demandRange[w];
    if (!workload || !range) return;
    const mine = displaced.filter((x) => x.workload === w);
    const current = optionOf.get(w * P + (mine[0]?.pool ?? 0)) ?? -1;
    // Same site and accelerator: refill the displaced months.
    let mark = log.length;
    const months = [...new Set(mine.map((x) => x.period))].sort((a, b) => a - b);
    if (current >= 0 && months.every((t) => fill(w, t, workload.gpus - holds(w, t), current) === 0))
      return;
    undoTo(mark);
    // Take off what it still holds; then the cheapest other option that holds it whole.
    for (const x of byWorkload[w] ?? []) {
      if (x.period <= (lostTo[x.pool] ?? -1)) continue;
      change(w, x.pool, x.period, -x.gpus);
    }
    mark = log.length;
    let best: { option: number; cost: Micros } | undefined;
    problem.gangOptions.forEach((option, index) => {
      if (option.workload !== w || !option.viable || index === current) return;
      const before = computeDelta;
      let fits = true;
      for (let t = range.from; t <= range.to && fits; t++)
        fits = fill(w, t, workload.gpus, index) === 0;
      const cost = computeDelta - before;
      undoTo(mark);
      if (fits && (best === undefined || cost < best.cost)) best = { option: index, cost };
    });
    if (best !== undefined) {
      for (let t = range.from; t <= range.to; t++) fill(w, t, workload.gpus, best.option);
    }
    // Otherwise dropped: its whole window is unmet, priced from the touched workload-months.
    else for (let t = range.from; t <= range.to; t++) markTouched(w, t);
  };
  const markTouched = (w: number, t: number) => {
    const at = w * M + t - start;
    if (placedTouched[at] === 0) {
      placedTouched[at] = 1;
      touched.push(at);
    }
  };

  return {
    nominal: { ...evaluation.objective, unmetGpuMonths: nominalUnmetGpuMonths },
    evaluate,
  };
}
