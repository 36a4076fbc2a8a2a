import { pricesFromDemands } from './fast-bound.js';
import type { Prepared } from './fast-model.js';
import { cheaperThan, costs, optionCost } from './fast-model.js';
import type { MonthFlows } from './month-flows.js';

/** What the search needs from the fast planner: the month flows and the plan's true cost. */
export interface GangSearchContext {
  readonly model: Prepared;
  readonly flows: MonthFlows;
  readonly mu: Float64Array;
  /**
   * The spec's objective (USD, float) of the plan the flows hold now with `chosen` runs,
   * repaired for commitments unless `repair` is false; remembers it when it is the best so far.
   */
  readonly evaluate: (chosen: Uint8Array, repair?: boolean) => number;
  /** The runs the last evaluation found not served in full (and did not count). */
  readonly broken: () => readonly number[];
  /** Exact evaluations allowed (each re-solves the months of the runs it changes). */
  readonly budget: number;
  /**
   * Whether the search widens its moves from the first pass that paid nothing on: settling
   * refills the room a move's stopped runs leave, and single runs trade places between two places
   * (default false here; the fast planner passes `FastOptions.widen`, default true).
   */
  readonly widen?: boolean;
  readonly expired?: () => boolean;
  /**
   * Only (d), the relocations, and not the passes before them: for the last plan, once the
   * other stages are done (the fast planner's stage 5b).
   */
  readonly relocateOnly?: boolean;
  /** Told the share of the budget spent after each try, for a progress bar. */
  readonly progress?: (fraction: number) => void;
}

/** A change of gang runs and its estimated effect on the objective at the current prices. */
interface Move {
  readonly drop: readonly number[];
  readonly add: readonly number[];
  readonly estimate: number;
}

/** Moves in (a) whose estimate is below this (USD) are worth an exact try. */
const PROMISING = 0;

/** Other options of a run's workload tried in its place in (d). */
const RELOCATIONS_PER_RUN = 2;

/** Options tried in place of a run whose drop alone does not pay. */
const SWAPS_PER_RUN = 3;

/**
 * Local search over which gang runs the plan makes, on the fast planner's month problems (see
 * docs/planner.md, "The search over gang runs"). From the plan's runs, in passes while one pays:
 *
 * - (a) each run stops; where that alone does not pay, up to three options start in its place,
 *   the most promising at the capacity prices after the stop. Those prices are exact duals of
 *   the month problems (linear programs), so starting option g costs at least Σ (h·price·(1 −
 *   Σμ) + λ) over its cheapest GPUs less its value V(g): options that cannot pay are not tried;
 * - (b) each option not running starts, cheapest estimate first: alone where it has room, else
 *   in place of the runs in its way, each moved to its cheapest other option with room; a move
 *   that does not pay by itself lets the runs it touched settle (`settle`) before it is judged;
 * - (c) whole places (site and accelerator) trade their runs;
 * - (d) only with `relocateOnly`, in place of (a)–(c), once: each run in turn stops, and the other
 *   options of its own workload that the prices after the stop rank first start in its place
 *   (the fast planner's last step over the runs: (a) tries only options sharing the run's pools,
 *   (b) only workloads not running).
 *
 * A try solves again only the months of the options it changes, from their last optimal trees,
 * and prices the plan (`evaluate`, without the take-or-pay repair, which each improvement gets);
 * a try that does not pay is undone the same way. Deterministic: fixed orders, ties by index, a
 * fixed budget of tries (and the optional deadline). Returns the runs it ended with, their
 * value and the tries spent; the best plan is remembered by `evaluate`.
 */
export function searchGangs(
  context: GangSearchContext,
  start: Uint8Array,
  startTotal: number,
): { chosen: Uint8Array; total: number; tries: number } {
  const { model, flows, mu, evaluate, broken, budget } = context;
  const options = model.optionValue.length;
  const firstGang = model.groupStart[0] ?? 0;
  const n = model.spendPerGpu.length;
  let chosen: Uint8Array = Uint8Array.from(start);
  let total = startTotal;
  let tries = 0;
  const demandPrice = new Float64Array(model.demandWorkload.length);
  const lambda = new Float64Array(model.capacity.length);
  const effective = new Float64Array(n);
  const reduced = new Float64Array(n);
  const workloadOf = new Int32Array(options).fill(-1);
  model.problem.gangOptions.forEach((option, g) => {
    workloadOf[g] = option.workload;
  });
  const monthsOf = optionMonths(model);
  const optionsOf: number[][] = model.problem.workloads.map(() => []);
  for (let g = 0; g < options; g++) {
    if ((model.optionValue[g] ?? 0) > 0) optionsOf[workloadOf[g] ?? 0]?.push(g);
  }
  const neighbours = sharedCapacity(model);
  const better = (value: number) => cheaperThan(value, total);
  const reprice = () => {
    flows.demandPrices(demandPrice);
    pricesFromDemands(model, demandPrice, mu, lambda);
    costs(model, lambda, mu, effective, reduced, firstGang);
  };
  const out = () => {
    context.progress?.(Math.min(1, tries / budget));
    return tries >= budget || context.expired?.() === true;
  };
  /** Moves the flows from `from` to `to`, which differ in the options `changed`. */
  const shift = (to: Uint8Array, changed: readonly number[]) => {
    const months = new Set<number>();
    for (const g of changed) for (const m of monthsOf[g] ?? []) months.add(m);
    flows.resolve(
      to,
      [...months].sort((a, b) => a - b),
    );
  };

  /** Tries each change of `current`, keeping the one that lowers `worth` most. */
  const bestStep = (current: Uint8Array, worth: number, steps: readonly (readonly number[])[]) => {
    let best: { next: Uint8Array; value: number; step: readonly number[] } | undefined;
    for (const step of steps) {
      if (out()) break;
      const next = Uint8Array.from(current);
      for (const g of step) next[g] = next[g] === 1 ? 0 : 1;
      shift(next, step);
      tries++;
      const value = evaluate(next, false);
      if (best ? value < best.value : cheaperThan(value, worth)) {
        best = { next, value, step };
      }
      shift(current, step);
    }
    if (best) shift(best.next, best.step);
    return best;
  };
  /** Each run's other options and stopping it, as changes of the runs. */
  const changesOf = (h: number) => [
    [h],
    ...(optionsOf[workloadOf[h] ?? 0] ?? []).filter((o) => o !== h).map((o) => [h, o]),
  ];

  /**
   * Whether the moves are wider — settling also refills the room a move's stopped runs left, and
   * (c) also trades single runs between two places: from the first pass that paid nothing on
   * (`context.widen`), so that the search ends where it did without them or at a cheaper plan
   * from there.
   */
  let wide = false;

  /**
   * A descent from `base` (flows holding it, worth `value`) after the options `focus` started
   * and `left` stopped: first each run the change left short moves to its best other option or
   * stops; each workload of `left` starts again elsewhere where that pays; when `wide`, options
   * of workloads not running start in the room `left` freed, one at a time while one pays; then,
   * once, the best move or stop of any run near `focus`. Returns where it ended and every option
   * it changed.
   */
  const settle = (
    base: Uint8Array,
    value: number,
    focus: readonly number[],
    left: readonly number[],
  ) => {
    let current = base;
    let worth = value;
    const changed: number[] = [];
    const take = (found: ReturnType<typeof bestStep>) => {
      if (!found) return false;
      current = found.next;
      worth = found.value;
      changed.push(...found.step);
      return true;
    };
    for (const h of [...broken()].sort((x, y) => x - y)) {
      if (current[h] !== 1 || focus.includes(h) || out()) continue;
      take(bestStep(current, worth, changesOf(h)));
    }
    // A workload whose run the move stopped starts again elsewhere, alone or in place of a
    // run there.
    for (const h of left) {
      const w = workloadOf[h] ?? 0;
      if (out() || runsWorkload(current, workloadOf, h) || current[h] === 1) continue;
      const steps: number[][] = [];
      for (const o of optionsOf[w] ?? []) {
        if (o === h) continue;
        steps.push([o]);
        for (const b of neighbours[o] ?? []) {
          if (current[b] === 1 && !focus.includes(b)) steps.push([o, b]);
        }
      }
      take(bestStep(current, worth, steps));
    }
    // Room the stopped runs left that nothing took: options of workloads not running start
    // there, one at a time while one pays, the most promising at the prices of the moment (a
    // few each time), alone where they fit, else each in place of one run in their way.
    for (let round = 0; wide && round < left.length && !out(); round++) {
      reprice();
      const room = roomLeft(model, current, reduced);
      const running = workloadsRunning(model, current, workloadOf);
      const fills: { g: number; estimate: number }[] = [];
      const seen = new Set<number>();
      for (const h of left) {
        for (const g of neighbours[h] ?? []) {
          if (seen.has(g) || current[g] === 1 || running[workloadOf[g] ?? 0] === 1) continue;
          seen.add(g);
          const estimate =
            optionCost(model, g, reduced, model.capacity, undefined) - (model.optionValue[g] ?? 0);
          if (estimate < 0) fills.push({ g, estimate });
        }
      }
      fills.sort((x, y) => x.estimate - y.estimate || x.g - y.g);
      const steps: number[][] = [];
      for (const { g } of fills.slice(0, SWAPS_PER_RUN)) {
        if (optionCost(model, g, reduced, room, undefined) < Infinity) steps.push([g]);
        else {
          for (const b of blockers(model, g, current, room)) {
            if (!focus.includes(b)) steps.push([g, b]);
          }
        }
      }
      if (!take(bestStep(current, worth, steps))) break;
    }
    const near = new Set<number>();
    for (const g of focus) for (const h of neighbours[g] ?? []) near.add(h);
    const steps = [...near]
      .sort((x, y) => x - y)
      .filter((h) => current[h] === 1 && !focus.includes(h))
      .flatMap(changesOf);
    take(bestStep(current, worth, steps));
    return { chosen: current, value: worth, changed };
  };

  /** `base` with the options of `drop` stopped and those of `add` started. */
  const changedFrom = (base: Uint8Array, drop: readonly number[], add: readonly number[]) => {
    const next = Uint8Array.from(base);
    for (const g of drop) next[g] = 0;
    for (const g of add) next[g] = 1;
    return next;
  };
  /** Moves the flows from their runs to `next` (which differ in `changed`), and prices it. */
  const attempt = (next: Uint8Array, changed: readonly number[]) => {
    shift(next, changed);
    tries++;
    return evaluate(next, false);
  };
  /** Makes `next`, worth `value`, the current runs; the best plan is priced in full. */
  const keep = (next: Uint8Array, value: number) => {
    evaluate(next);
    chosen = next;
    total = value;
  };

  /**
   * From `base` (the flows holding it), tries `moves` in turn until one pays and keeps it, or
   * `stop` says to stop; whether one paid. A move that does not pay is undone.
   */
  const firstPaying = (base: Uint8Array, moves: readonly Move[], stop: () => boolean) => {
    for (const move of moves) {
      if (stop()) break;
      const trial = changedFrom(base, move.drop, move.add);
      const changed = [...move.drop, ...move.add];
      const value = attempt(trial, changed);
      if (better(value)) {
        keep(trial, value);
        return true;
      }
      shift(base, changed);
    }
    return false;
  };

  /** The first pass with `wide` set: (b) and (c)'s single trades only. */
  let firstWide = false;
  for (let pass = 0; !context.relocateOnly && !out(); pass++) {
    let improved = false;
    // (a) Each run: drop it; if that does not pay, put in its place the option (of another
    // workload not running, or its own) that the prices after the drop say may pay most.
    for (let a = 0; a < options && !out() && !firstWide; a++) {
      if (chosen[a] !== 1) continue;
      const dropped = changedFrom(chosen, [a], []);
      const afterDrop = attempt(dropped, [a]);
      if (better(afterDrop)) {
        keep(dropped, afterDrop);
        improved = true;
        continue;
      }
      reprice();
      const room = roomLeft(model, dropped, reduced);
      const runCost = costOfRuns(model, dropped, reduced);
      const candidates: Move[] = [];
      const running = workloadsRunning(model, dropped, workloadOf);
      for (const g of neighbours[a] ?? []) {
        if (dropped[g] === 1 || running[workloadOf[g] ?? 0] === 1) continue;
        for (const move of placements(model, g, dropped, room, reduced, runCost, optionsOf)) {
          const estimate = afterDrop - total + move.estimate;
          if (estimate < PROMISING) candidates.push({ ...move, estimate });
        }
      }
      candidates.sort(byEstimate);
      if (firstPaying(dropped, candidates.slice(0, SWAPS_PER_RUN), out)) improved = true;
      else shift(chosen, [a]);
    }
    // (b) Adds, and adds that take the room of runs in their way, at the current prices.
    reprice();
    for (const move of candidateMoves(model, chosen, reduced, workloadOf, optionsOf)) {
      if (out()) break;
      if (move.drop.some((g) => chosen[g] !== 1)) continue;
      const trial = changedFrom(chosen, move.drop, move.add);
      if (move.add.some((g) => chosen[g] === 1 || runsWorkload(trial, workloadOf, g))) continue;
      const changed = [...move.drop, ...move.add];
      const value = attempt(trial, changed);
      if (better(value)) {
        keep(trial, value);
        improved = true;
        continue;
      }
      // Not better alone: let the runs around the new ones move or stop, then judge the whole.
      const settled = settle(trial, value, move.add, move.drop);
      if (better(settled.value)) {
        keep(settled.chosen, settled.value);
        improved = true;
      } else {
        shift(chosen, [...changed, ...settled.changed]);
      }
    }
    // (c) Whole sites trade places: every run on one site (and accelerator) that may run on
    // another moves there, and the other's runs move back, or one way only; once the moves are
    // wide, single runs of two places also trade.
    const exchanges = siteExchanges(model, chosen, workloadOf, optionsOf, {
      whole: !firstWide,
      pairs: wide,
    });
    for (const change of exchanges) {
      if (out()) break;
      if (change.drop.some((g) => chosen[g] !== 1) || change.add.some((g) => chosen[g] === 1)) {
        continue;
      }
      const trial = changedFrom(chosen, change.drop, change.add);
      const changed = [...change.drop, ...change.add];
      const value = attempt(trial, changed);
      if (better(value)) {
        keep(trial, value);
        improved = true;
      } else {
        shift(chosen, changed);
      }
    }
    if (!improved) {
      if (wide || context.widen !== true) break;
      // One more pass, wider: (b), whose settling refills, and (c)'s single trades; (a) and
      // (c)'s whole-place moves would try again what they just tried.
      wide = firstWide = true;
    } else firstWide = false;
  }
  if (context.relocateOnly) {
    // (d) Each run, in turn (in option order, so a run that a move started further on is visited
    // again): stopped, exactly; then, at the prices after the stop, the two other options of its
    // workload that the prices rank first start in its place — alone where they have room, else
    // in place of the runs in their way, each moved to its cheapest other option with room. The
    // first that pays is kept. Three tries per run at most.
    // Its own tries, at most the search's budget (0 where a deadline has passed).
    const first = tries;
    const stop = () => tries - first >= budget || context.expired?.() === true;
    for (let a = 0; a < options && !stop(); a++) {
      if (chosen[a] !== 1) continue;
      const own = optionsOf[workloadOf[a] ?? 0] ?? [];
      if (own.length < 2) continue;
      const dropped = changedFrom(chosen, [a], []);
      const afterDrop = attempt(dropped, [a]);
      if (better(afterDrop)) {
        keep(dropped, afterDrop);
        continue;
      }
      reprice();
      const room = roomLeft(model, dropped, reduced);
      const runCost = costOfRuns(model, dropped, reduced);
      const candidates: Move[] = [];
      for (const g of own) {
        if (g !== a)
          candidates.push(...placements(model, g, dropped, room, reduced, runCost, optionsOf));
      }
      candidates.sort(byEstimate);
      // The best way to start each option (the first of its moves), for the options first.
      const started = new Set<number>();
      const tried = candidates.filter((move) => {
        const g = move.add[0] ?? -1;
        if (!(move.estimate < Infinity) || started.has(g)) return false;
        started.add(g);
        return true;
      });
      if (!firstPaying(dropped, tried.slice(0, RELOCATIONS_PER_RUN), stop)) shift(chosen, [a]);
    }
  }
  return { chosen, total, tries };
}

/**
 * Moves of whole sites: for each two places (site and accelerator) with runs on at least one,
 * every run on the first whose workload has an option at the second moves there, with and
 * without the second's runs moving back (`whole`); and (`pairs`) for two places with runs on
 * both, each run of one that may run on the other trading places with each such run of the
 * other. In order of places, deterministic.
 */
function siteExchanges(
  model: Prepared,
  chosen: Uint8Array,
  workloadOf: Int32Array,
  optionsOf: readonly (readonly number[])[],
  kinds: { readonly whole: boolean; readonly pairs: boolean },
): { drop: number[]; add: number[] }[] {
  const { gangOptions } = model.problem;
  const placeOf = (g: number) =>
    `${gangOptions[g]?.site ?? ''}/${gangOptions[g]?.accelerator ?? ''}`;
  const places = [...new Set(gangOptions.map((_, g) => placeOf(g)))].sort();
  const runsAt = new Map<string, number[]>();
  for (let g = 0; g < chosen.length; g++) {
    if (chosen[g] !== 1) continue;
    const list = runsAt.get(placeOf(g));
    if (list) list.push(g);
    else runsAt.set(placeOf(g), [g]);
  }
  /** Each run at `from` that has an option at `to`, as (run, that option). */
  const movable = (from: string, to: string) => {
    const moves: [number, number][] = [];
    for (const g of runsAt.get(from) ?? []) {
      const target = (optionsOf[workloadOf[g] ?? 0] ?? []).find((o) => placeOf(o) === to);
      if (target !== undefined) moves.push([g, target]);
    }
    return moves;
  };
  const changes: { drop: number[]; add: number[] }[] = [];
  for (const a of places) {
    if (!runsAt.has(a)) continue;
    for (const b of places) {
      if (a === b) continue;
      const there = movable(a, b);
      if (there.length === 0) continue;
      if (kinds.whole) {
        changes.push({ drop: there.map(([g]) => g), add: there.map(([, o]) => o) });
      }
      const back = movable(b, a);
      if (back.length > 0 && a < b) {
        if (kinds.whole) {
          changes.push({
            drop: [...there.map(([g]) => g), ...back.map(([g]) => g)],
            add: [...there.map(([, o]) => o), ...back.map(([, o]) => o)],
          });
        }
        if (kinds.pairs) {
          for (const [g, o] of there) {
            for (const [h, q] of back) changes.push({ drop: [g, h], add: [o, q] });
          }
        }
      }
    }
  }
  return changes;
}

/** Per option, the month offsets of its groups. */
function optionMonths(model: Prepared): number[][] {
  const { optionGroupStart, groupMonth } = model;
  return Array.from(model.optionValue, (_, g) => {
    const months: number[] = [];
    for (let group = optionGroupStart[g] ?? 0; group < (optionGroupStart[g + 1] ?? 0); group++) {
      months.push(groupMonth[group] ?? 0);
    }
    return months;
  });
}

/** Per viable option, the other viable options that can use one of its pool-months. */
function sharedCapacity(model: Prepared): number[][] {
  const { optionGroupStart, groupStart, capIndex, optionValue } = model;
  const optionsAt = new Map<number, number[]>();
  const capacityOf = (g: number) => {
    const found = new Set<number>();
    for (let group = optionGroupStart[g] ?? 0; group < (optionGroupStart[g + 1] ?? 0); group++) {
      for (let i = groupStart[group] ?? 0; i < (groupStart[group + 1] ?? 0); i++) {
        found.add(capIndex[i] ?? 0);
      }
    }
    return found;
  };
  const cells = Array.from(optionValue, (value, g) =>
    value > 0 ? capacityOf(g) : new Set<number>(),
  );
  cells.forEach((set, g) => {
    for (const c of set) {
      const list = optionsAt.get(c);
      if (list) list.push(g);
      else optionsAt.set(c, [g]);
    }
  });
  return cells.map((set, g) => {
    const near = new Set<number>();
    for (const c of set) for (const h of optionsAt.get(c) ?? []) if (h !== g) near.add(h);
    return [...near].sort((a, b) => a - b);
  });
}

/** Capacity left by the runs `chosen`, each placed cheapest first at the costs `reduced`. */
function roomLeft(model: Prepared, chosen: Uint8Array, reduced: Float64Array): Float64Array {
  const room = Float64Array.from(model.capacity);
  for (let g = 0; g < chosen.length; g++) {
    if (chosen[g] !== 1) continue;
    optionCost(model, g, reduced, model.capacity, (i, gpus) => {
      const c = model.capIndex[i] ?? 0;
      room[c] = (room[c] ?? 0) - gpus;
    });
  }
  return room;
}

/** 1 per workload with a run among `chosen`. */
function workloadsRunning(model: Prepared, chosen: Uint8Array, workloadOf: Int32Array): Uint8Array {
  const running = new Uint8Array(model.problem.workloads.length);
  for (let g = 0; g < chosen.length; g++) if (chosen[g] === 1) running[workloadOf[g] ?? 0] = 1;
  return running;
}

/** Whether another option of g's workload runs. */
function runsWorkload(chosen: Uint8Array, workloadOf: Int32Array, g: number): boolean {
  const w = workloadOf[g] ?? -1;
  for (let h = 0; h < chosen.length; h++) {
    if (h !== g && chosen[h] === 1 && workloadOf[h] === w) return true;
  }
  return false;
}

/**
 * Moves that may lower the objective at the current prices (`reduced`: per gang triple,
 * h·price·(1 − Σμ) + λ), cheapest estimate first.
 */
function candidateMoves(
  model: Prepared,
  chosen: Uint8Array,
  reduced: Float64Array,
  workloadOf: Int32Array,
  optionsOf: readonly (readonly number[])[],
): Move[] {
  const room = roomLeft(model, chosen, reduced);
  const runCost = costOfRuns(model, chosen, reduced);
  const moves: Move[] = [];
  const running = workloadsRunning(model, chosen, workloadOf);
  for (let g = 0; g < chosen.length; g++) {
    if ((model.optionValue[g] ?? 0) <= 0 || chosen[g] === 1) continue;
    if (running[workloadOf[g] ?? 0] === 1) continue;
    for (const move of placements(model, g, chosen, room, reduced, runCost, optionsOf)) {
      if (move.estimate < (model.optionValue[g] ?? 0)) moves.push(move);
    }
  }
  return moves.sort(byEstimate);
}

function byEstimate(a: Move, b: Move): number {
  return (
    a.estimate - b.estimate ||
    (a.add[0] ?? -1) - (b.add[0] ?? -1) ||
    a.drop.length - b.drop.length ||
    (a.drop[0] ?? -1) - (b.drop[0] ?? -1)
  );
}

/** What each chosen run costs at the prices, placed cheapest first (0 for other options). */
function costOfRuns(model: Prepared, chosen: Uint8Array, reduced: Float64Array): Float64Array {
  const runCost = new Float64Array(chosen.length);
  for (let g = 0; g < chosen.length; g++) {
    if (chosen[g] === 1) runCost[g] = optionCost(model, g, reduced, model.capacity, undefined);
  }
  return runCost;
}

/**
 * Ways to start running option g beside the runs `chosen`, with their estimates at the prices:
 * alone where it has room; else in place of the runs in its way (each one, or all), each of
 * which goes back on its cheapest other option with room when that pays.
 */
function placements(
  model: Prepared,
  g: number,
  chosen: Uint8Array,
  room: Float64Array,
  reduced: Float64Array,
  runCost: Float64Array,
  optionsOf: readonly (readonly number[])[],
): Move[] {
  const value = model.optionValue[g] ?? 0;
  const alone = optionCost(model, g, reduced, model.capacity, undefined) - value;
  if (!(alone < Infinity)) return [];
  if (optionCost(model, g, reduced, room, undefined) < Infinity) {
    return [{ drop: [], add: [g], estimate: alone }];
  }
  const inWay = blockers(model, g, chosen, room);
  const sets = inWay.length > 1 ? [...inWay.map((h) => [h]), inWay] : inWay.map((h) => [h]);
  return sets.map((out) => ejectionChain(model, g, alone, out, room, reduced, runCost, optionsOf));
}

/**
 * Adding option g in place of the runs `out`: their room is freed, g takes its GPUs cheapest
 * first, then each run taken out goes back on its cheapest option with room left when that
 * costs less than its value at the prices.
 */
function ejectionChain(
  model: Prepared,
  g: number,
  alone: number,
  out: readonly number[],
  room: Float64Array,
  reduced: Float64Array,
  runCost: Float64Array,
  optionsOf: readonly (readonly number[])[],
): Move {
  const left = Float64Array.from(room);
  const { capIndex } = model;
  const give = (i: number, gpus: number) => {
    const c = capIndex[i] ?? 0;
    left[c] = (left[c] ?? 0) + gpus;
  };
  const take = (i: number, gpus: number) => {
    const c = capIndex[i] ?? 0;
    left[c] = (left[c] ?? 0) - gpus;
  };
  for (const h of out) optionCost(model, h, reduced, model.capacity, give);
  let estimate = alone;
  const add = [g];
  if (optionCost(model, g, reduced, left, take) === Infinity) {
    return { drop: out, add, estimate: Infinity };
  }
  for (const h of out) {
    estimate += (model.optionValue[h] ?? 0) - (runCost[h] ?? 0);
    let best = -1;
    let bestNet = 0;
    for (const other of optionsOf[model.problem.gangOptions[h]?.workload ?? 0] ?? []) {
      if (other === h) continue;
      const net =
        optionCost(model, other, reduced, left, undefined) - (model.optionValue[other] ?? 0);
      if (net < bestNet) {
        best = other;
        bestNet = net;
      }
    }
    if (best >= 0) {
      optionCost(model, best, reduced, left, take);
      add.push(best);
      estimate += bestNet;
    }
  }
  return { drop: out, add, estimate };
}

/** The chosen runs that use a pool-month option g needs and lacks room in. */
function blockers(model: Prepared, g: number, chosen: Uint8Array, room: Float64Array): number[] {
  const { optionGroupStart, groupStart, capIndex, optionNeed } = model;
  const short = new Set<number>();
  for (let group = optionGroupStart[g] ?? 0; group < (optionGroupStart[g + 1] ?? 0); group++) {
    let free = 0;
    for (let i = groupStart[group] ?? 0; i < (groupStart[group + 1] ?? 0); i++) {
      free += Math.max(0, room[capIndex[i] ?? 0] ?? 0);
    }
    if (free >= (optionNeed[g] ?? 0)) continue;
    for (let i = groupStart[group] ?? 0; i < (groupStart[group + 1] ?? 0); i++) {
      short.add(capIndex[i] ?? 0);
    }
  }
  const found: number[] = [];
  for (let h = 0; h < chosen.length; h++) {
    if (chosen[h] !== 1) continue;
    let hits = false;
    for (
      let group = optionGroupStart[h] ?? 0;
      group < (optionGroupStart[h + 1] ?? 0) && !hits;
      group++
    ) {
      for (let i = groupStart[group] ?? 0; i < (groupStart[group + 1] ?? 0); i++) {
        if (short.has(capIndex[i] ?? 0)) {
          hits = true;
          break;
        }
      }
    }
    if (hits) found.push(h);
  }
  return found;
}
