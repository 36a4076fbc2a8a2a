import type { Placement } from './plan.js';
import { lagrangian, pricesFromDemands } from './fast-bound.js';
import type { Prepared } from './fast-model.js';
import {
  cheaperThan,
  cheapestOption,
  costs,
  objective,
  optionCost,
  prepare,
  shortfalls,
  spends,
  toPlacements,
  weightTable,
} from './fast-model.js';
import { searchGangs } from './gang-search.js';
import { MonthFlows } from './month-flows.js';
import { repackGangs } from './gang-repack.js';
import { BendersMaster, cutsFromFlows } from './gang-benders.js';
import type { PlacementProblem } from './problem.js';
import type { LinearSolver } from './solver.js';

/** How long the fast planner works; step counts keep it deterministic. */
export interface FastOptions {
  /**
   * Month-by-month solves spent searching the commitment weights μ with gang workloads
   * bidding (default 6; a problem without commitments needs 1). The bound comes from the last.
   */
  readonly iterations?: number;
  /**
   * A wall-clock cap, checked between solves. Only a safety net: a run stopped by it depends
   * on the machine's speed, so it is the one thing that is not deterministic. The first solve
   * of each stage always runs, so there is always a plan and a bound.
   */
  readonly deadline?: { readonly now: () => number; readonly at: number };
  /**
   * Exact tries of the local search over gang runs: default 400 up to 200,000 eligible
   * triples, none above; 0 skips it. The relocations at the end (stage 5b) have as many again
   * of their own.
   */
  readonly gangTries?: number;
  /**
   * Whether the search, once its plain passes pay no more, widens its moves: refilling the room
   * that a move's stopped runs leave, and single runs trading places between two places (default
   * true; `gang-search.ts`); false for tests and comparisons.
   */
  readonly widen?: boolean;
  /**
   * Whether the best plan's spend to spare on met commitments moves to cheaper pools at the end
   * (`releaseCommitments`; default true); false for tests and comparisons.
   */
  readonly release?: boolean;
  /** Called after each solve with the fraction done, for a progress bar. */
  readonly onProgress?: (done: number, bestTotal: number, bound: number) => void;
  /**
   * A mixed-integer solver for the sub-MIPs over the gang runs: the Benders round (stage 5,
   * `gang-benders`), or the re-pack (stage 4, `gang-repack`) where `benders` is false. Without
   * it the plan is that of the search.
   */
  readonly solver?: LinearSolver;
  /** Eligible triples from which the sub-MIPs run (default 5,000); for tests. */
  readonly repackFrom?: number;
  /**
   * The Benders round (default) or, false, the re-pack in its place; for tests and
   * comparisons. Both, the re-pack first, cost `mixed` at 400 × 60 × 36 its speed target and
   * `gang-heavy` seed 2 its 20× (docs/planner.md, "Re-packing the gang runs").
   */
  readonly benders?: boolean;
  /**
   * Whether the best plan's runs are tried on their workloads' other options at the end
   * (`relocateOnly` in `gang-search.ts`; default true); false for tests and comparisons.
   */
  readonly relocate?: boolean;
}

export interface FastResult {
  readonly placements: Placement[];
  /** The plan's objective in USD (float; the plan is priced exactly afterwards). */
  readonly total: number;
  /** A proven lower bound on the optimum in USD: a computed Lagrangian value L(λ, μ). */
  readonly bound: number;
  /** Month-by-month solves done. */
  readonly iterations: number;
  /** Whether the deadline stopped the run before its solves were done. */
  readonly stoppedByDeadline: boolean;
}

/**
 * Where a fast run ended, for re-planning a nearby problem from it (`fast-replan.ts`): the
 * weights and capacity prices its bound was computed at, and the weights of its best plan.
 */
export interface FastState {
  /** μ of the bound: the last solve with gang workloads bidding. */
  readonly boundMu: Float64Array;
  /** λ of the bound, per pool-month (pool × months + month offset). */
  readonly lambda: Float64Array;
  /** μ of the solve that gave the plan. */
  readonly planMu: Float64Array;
}

/**
 * Exact tries of the gang local search (stage 3): each solves again the months of the runs it
 * changes and prices the plan, about a millisecond on 400 workloads × 60 pools × 36 months.
 */
const GANG_TRIES = 400;

/**
 * Above this many eligible triples the search is skipped unless asked for (`gangTries`): a try
 * prices the whole plan, about 30 ms on 5,000 × 300 × 72, and the large rung's 3 s would not
 * hold. There the plan is the greedy's, within 0.4 % of the LP bound on the gang-heavy rung.
 */
const SEARCH_TRIPLE_LIMIT = 200_000;

/** The share of the progress bar given to the search. */
const SEARCH_SHARE = 0.2;

/**
 * Below this many eligible triples the sub-MIPs (stages 4 and 5) do not run: there loading HiGHS
 * for a sub-MIP costs about as much as HiGHS's whole solve, and the bench's small rows are within
 * 0.1 % of the optimum without them (docs/planner.md, "What it does not do", names a small
 * portfolio where the plan is not, and where the sub-MIPs do not help either).
 */
const SUB_MIP_TRIPLE_MIN = 5_000;

/**
 * Whether the fast planner, given a solver, may solve sub-MIPs over this problem's gang runs with
 * its default search: so that a caller loads a solver only where it may be used.
 */
export function mayUseSolver(problem: PlacementProblem): boolean {
  const triples = problem.triples.count;
  return (
    triples >= SUB_MIP_TRIPLE_MIN &&
    triples <= SEARCH_TRIPLE_LIMIT &&
    problem.gangOptions.some((o) => o.viable)
  );
}

/** Nor where the plan is within this of its bound (relative): there is nothing to gain. */
const SUB_MIP_PLAN_GAP = 1e-4;

/** Rounds of re-packing, each from the plan the last one's search ended with. */
const REPACK_ROUNDS = 3;

/**
 * Each sub-MIP solve's time limit (a Benders master's or the re-pack's, LP and MIP alike): a
 * safety net, as the deadline is. The sub-MIPs stop at 100 nodes; on 400 × 60 × 36 a master
 * takes 0.1–1 s, a re-pack on `mixed` 1–4 s. A solve stopped by the clock depends on the
 * machine's speed.
 */
const SUB_MIP_SECONDS = 30;

/**
 * Masters in the Benders round: each about 0.1–1 s of HiGHS on 400 × 60 × 36, growing with the
 * cuts (docs/planner.md, "Benders rounds").
 */
const BENDERS_MASTERS = 12;

/**
 * The round ends after this many proposals in a row, priced, were not cheaper (a master that
 * proposes nothing widens its radius or ends the round, as before). On `gang-heavy` (seed 3,
 * 400 × 60 × 36), when up to three rounds ran, a second round's first eleven masters found
 * nothing, for 5 s of HiGHS, and the twelfth 0.005 %.
 */
const BENDERS_PATIENCE = 4;

/**
 * How many options a master may change from the incumbent (stopped or started): 20, then 40
 * once nothing within 20 pays in the master. Far from the incumbent the cuts are loose and the
 * proposals worse; wider, each master's MIP takes seconds.
 */
const BENDERS_RADIUS = 20;

/** Rounds of choosing gang runs and solving with them fixed. */
const RUNS_ROUNDS = 2;

/**
 * Steps correcting the commitment weights in each such round, each giving a plan. With one, a
 * commitment's spend was left over its minimum on `binding-commitments` (seed 3, 400 × 60 × 36:
 * 0.165 % over the optimum); with two, 0.089 % (docs/planner.md, "Commitment weights").
 */
const CORRECTIONS = 2;

/**
 * The fast planner for large portfolios: exact month-by-month transportation problems for the
 * plan and the prices, and the Lagrangian relaxation of capacity and commitments for a proven
 * bound. See docs/planner.md.
 *
 * **Month problems.** Price the commitments by weights μ[k] ∈ [0, 1] (a committed provider's
 * spend counts at (1 − min(1, Σμ)) of its price) and fix what gang workloads do; the rest of
 * the model splits into one transportation problem per month: demands supply GPUs, pools take
 * up to their size, served GPUs earn their value. `MonthFlows` solves every month exactly with
 * a network simplex (integral flows: whole GPUs) and keeps it, so new weights or new gang runs
 * go on from the last optimal tree. Gang workloads enter in one of two ways: *bidding*, priced
 * like splittable demand at their value per GPU-hour (a relaxation: any part, any option, month
 * by month); or *runs*, where each chosen option must be served in full every month and no
 * other gang GPU is placed. The optimal potentials price every demand, π ≥ 0 per GPU-month; a
 * pool-month's capacity price is then the least that keeps every demand from wanting it more:
 *
 *     λ[p,t] = max(0, max over triples (d, p, t) of h·value − h·price·(1 − Σμ) − π[d]).
 *
 * **Stage 1: prices and bound.** `iterations` solves with gang workloads bidding, starting at
 * μ = ½; after each, every commitment's spend moves its μ[k] towards the weight where spend
 * meets the minimum (the interval's ends first, then regula falsi with the Illinois rule once
 * bracketed). The bound is L(λ, μ) at the last solve's prices.
 *
 * **Stage 2: plan.** Two rounds. Each chooses gang runs at the current λ — highest value per
 * GPU-hour first, each on its option cheapest at h·price·(1 − Σμ) + λ with room left by the
 * runs before it, when that is below its value — then solves with the runs fixed, corrects μ
 * twice for the runs' spend (a search around stage 1's interval), solving after each. Every solve
 * gives a plan: its flows, gang runs not served in full dropped (never, by construction), and
 * a take-or-pay repair that serves unmet demand on a committed provider while the shortfall
 * would be paid anyway. The second round chooses runs at the prices of the first round's
 * flows. The cheapest plan wins.
 *
 * **Stage 3: search.** Where there are gang options and at most 200,000 triples, a local search
 * over the gang runs from the best plan (`searchGangs`). Then stage 2 and the search run again
 * from the bound's λ and μ with the runs chosen biggest first (value × GPUs × hours); the second
 * start's plan is given only where it is cheaper by more than float noise.
 *
 * **Stage 5: a Benders round.** Where a solver is given, the search ran, the problem has at
 * least 5,000 triples and the plan is more than 0.01 % above its bound: a Benders master over
 * the gang runs (`BendersMaster`), with per month a value bounded below by a cut from each run
 * set evaluated, proposes runs near the incumbent; each proposal is solved exactly, priced and
 * cut; where the masters found a cheaper plan it is searched.
 *
 * **Stage 4: re-pack** (`benders: false` only, in the Benders round's place): the best plan's
 * gang runs chosen again as one sub-MIP beside its splittable flows (`repackGangs`), solved
 * exactly by the month problems and searched; again while a round pays, at most three rounds.
 *
 * **Stage 5b: relocations.** Where the search runs: each of the best plan's runs in turn stops
 * (solved exactly), and at the prices after the stop the two most promising other options of its
 * workload start in its place, alone or in place of the runs in their way (`searchGangs` with
 * `relocateOnly`); the first that pays is kept. The search's own moves miss these: (a) tries
 * only options that share the run's pools, (b) only workloads not running.
 *
 * **Stage 6: release.** Where commitments are met with spend to spare, the best plan's served
 * demand on their pools moves to cheaper pools of its own with room, as far as the spare allows
 * (`releaseCommitments`); given where cheaper.
 *
 * **Bound.** L(λ, μ) (`lagrangian`) is computed from the model's exact reduced costs with
 * compensated summation; for any λ ≥ 0 and μ ∈ [0, 1] it is at most the optimum by weak
 * duality, whatever heuristic produced λ and μ. It is also at least the dual value of the
 * bidding relaxation at the stage-1 prices, which those prices maximise: the bound is at least
 * the optimum of the model with gang workloads relaxed month by month.
 *
 * **Determinism.** Fixed solve counts, no clock (but the optional deadline), ties broken by
 * index; network simplex on integer costs (1/10,000 USD per GPU-month) decides optimality
 * without tolerances; the re-pack's sub-MIP and the Benders masters are limited by nodes and
 * counts, not time (their time limit, 30 s per solve or what the deadline leaves, is a safety
 * net).
 */
export function planFast(problem: PlacementProblem, options: FastOptions = {}): FastResult {
  return planFastState(problem, options).result;
}

/** `planFast`, with where it ended (`FastState`). */
export function planFastState(
  problem: PlacementProblem,
  options: FastOptions = {},
): { result: FastResult; state: FastState } {
  const model = prepare(problem);
  const n = model.spendPerGpu.length;
  const commitments = model.commitments.length;
  const steps = commitments === 0 ? 1 : Math.max(1, options.iterations ?? 6);
  const corrections = commitments === 0 ? 0 : CORRECTIONS;
  const budget =
    options.gangTries ?? (model.spendPerGpu.length <= SEARCH_TRIPLE_LIMIT ? GANG_TRIES : 0);
  const searching = model.optionValue.some((value) => value > 0) && budget > 0;
  const total = steps + RUNS_ROUNDS * (1 + corrections);
  const mu = new Float64Array(commitments).fill(0.5);
  const search = model.commitments.map(() => new WeightSearch());
  const lambda = new Float64Array(model.capacity.length);
  const demandPrice = new Float64Array(model.demandWorkload.length);
  const gangPrice = new Float64Array(n - (model.groupStart[0] ?? 0));
  const effective = new Float64Array(n);
  const reduced = new Float64Array(n);
  const flows = new MonthFlows(model);
  const expired = () =>
    options.deadline !== undefined && options.deadline.now() >= options.deadline.at;

  const x = new Float64Array(n);
  let used: number[] = [];
  let best = {
    used: new Int32Array(0),
    gpus: new Float64Array(0),
    total: objective(model, x, used),
    mu: Float64Array.from(mu),
    chosen: new Uint8Array(model.optionValue.length),
  };
  /** The runs the last evaluation found not served in full and removed. */
  let broken: number[] = [];
  /** The plan the flows hold with runs `chosen`, priced; kept when it is the best so far. */
  const evaluate = (chosen: Uint8Array, repair = true): number => {
    for (const i of used) x[i] = 0;
    used = [];
    flows.addFlows(x, chosen, used);
    broken = dropBrokenGangs(model, x);
    if (repair) repairCommitments(model, x, used);
    const value = objective(model, x, used);
    if (value < best.total) {
      best = {
        used: Int32Array.from(used),
        gpus: Float64Array.from(used, (i) => x[i] ?? 0),
        total: value,
        mu: Float64Array.from(mu),
        chosen: Uint8Array.from(chosen),
      };
    }
    return value;
  };
  let bound = -Infinity;
  let done = 0;
  let stoppedByDeadline = false;
  /** The first start's best plan while the second start is planned and searched. */
  let kept: typeof best | undefined;
  let reported = 0;
  /** Reports progress, never backwards, with the best plan of either start. */
  const report = (fraction: number) => {
    reported = Math.max(reported, fraction);
    options.onProgress?.(reported, Math.min(best.total, kept?.total ?? Infinity), bound);
  };
  // Stages 1 and 2 fill the first 1 − SEARCH_SHARE of the progress bar's way, the search (with
  // the second start's stage 2) the rest.
  const progress = () => {
    done++;
    if (done <= total) report((done / total) * (1 - SEARCH_SHARE));
  };

  // (1) Gang workloads bid like splittable demand; the commitment weights are searched on the
  // spend of the exact month flows. The bound is the Lagrangian at the last flows' prices.
  /** The weights of the last solve: where the deadline stops the search, μ goes back to them. */
  const solvedMu = Float64Array.from(mu);
  for (let step = 0; step < steps; step++) {
    if (step > 0 && expired()) {
      stoppedByDeadline = true;
      mu.set(solvedMu);
      break;
    }
    flows.solve(undefined, weightTable(model, mu));
    solvedMu.set(mu);
    progress();
    if (step + 1 === steps) break;
    const spend = flows.spend(undefined);
    model.commitments.forEach((c, k) => {
      mu[k] = search[k]?.next(mu[k] ?? 0, (spend[k] ?? 0) - c.minimum) ?? 0;
    });
  }
  flows.demandPrices(demandPrice);
  flows.gangPrices(gangPrice);
  pricesFromDemands(model, demandPrice, mu, lambda, gangPrice);
  bound = lagrangian(model, lambda, mu, effective, reduced);
  const boundMu = Float64Array.from(mu);
  const boundLambda = Float64Array.from(lambda);

  // (2) Gang runs chosen at those prices and fixed; the months solved again, the weights
  // corrected for the runs' spend, a plan from each solve. Then once more with runs chosen at
  // the prices of the runs' own flows.
  let planned = false;
  /** Stage 2 with the runs in `order`; false where the deadline cut it short. */
  const chooseAndSolve = (order?: Int32Array): boolean => {
    for (let round = 0; round < RUNS_ROUNDS; round++) {
      if (round > 0) {
        flows.demandPrices(demandPrice);
        pricesFromDemands(model, demandPrice, mu, lambda);
      }
      const chosen = chooseGangs(model, lambda, mu, effective, reduced, order);
      const local = search.map((s) => s.around());
      for (let step = 0; step <= corrections; step++) {
        if (planned && expired()) return false;
        flows.solve(chosen, weightTable(model, mu));
        evaluate(chosen);
        planned = true;
        progress();
        if (step === corrections) break;
        const spend = flows.spend(chosen);
        model.commitments.forEach((c, k) => {
          mu[k] = local[k]?.next(mu[k] ?? 0, (spend[k] ?? 0) - c.minimum) ?? 0;
        });
      }
    }
    return true;
  };
  // (3) Local search over the gang runs of the best plan, at its weights.
  /**
   * The search from the runs `start`, at the weights μ now set (only its relocations (d) where
   * `relocateOnly`); returns the tries it spent.
   */
  const searchFrom = (
    start: Uint8Array,
    progress?: (fraction: number) => void,
    relocateOnly = false,
  ): number => {
    flows.solve(start, weightTable(model, mu));
    evaluate(start);
    const startTotal = evaluate(start, false);
    const context = {
      model,
      flows,
      mu,
      evaluate,
      broken: () => broken,
      budget,
      expired,
      widen: options.widen !== false,
      relocateOnly,
    };
    return searchGangs(progress ? { ...context, progress } : context, start, startTotal).tries;
  };
  const searchFromBest = (share: number, shareBefore: number) => {
    mu.set(best.mu);
    searchFrom(Uint8Array.from(best.chosen), (fraction) => {
      report(1 - SEARCH_SHARE + (shareBefore + fraction * share) * SEARCH_SHARE);
    });
  };
  /** Each sub-MIP solve's time limit: what the deadline leaves, at most `SUB_MIP_SECONDS`. */
  const solveLimit = () => {
    const { deadline } = options;
    return deadline
      ? Math.min(SUB_MIP_SECONDS, Math.max(0, (deadline.at - deadline.now()) / 1000))
      : SUB_MIP_SECONDS;
  };
  /**
   * Stage 4: from the best plan, `repackGangs` re-chooses the runs as one sub-MIP at the plan's
   * prices; the runs it gives are solved exactly and searched. Again from the new best plan
   * while a round pays; a round whose sub-MIP keeps the runs searches once more where the last
   * search ran out of tries.
   */
  const repack = (solver: LinearSolver) => {
    let exhausted = false;
    for (let round = 0; round < REPACK_ROUNDS && !expired(); round++) {
      const before = best.total;
      mu.set(best.mu);
      const current = Uint8Array.from(best.chosen);
      flows.solve(current, weightTable(model, mu));
      evaluate(current);
      // Only the runs the flows serve: a run they could not is not in the plan.
      keepServed(model, x, current);
      flows.demandPrices(demandPrice);
      pricesFromDemands(model, demandPrice, mu, lambda);
      costs(model, lambda, mu, effective, reduced);
      const next = repackGangs(
        { model, chosen: current, x, used, lambda, effective },
        solver,
        solveLimit,
      );
      if (!next && !exhausted) break;
      exhausted = searchFrom(next ?? current) >= budget;
      report(reported);
      if (!cheaperThan(best.total, before)) break;
    }
  };
  /**
   * Stage 5: a Benders round over the gang runs (`gang-benders.ts`). From the best plan, the
   * master proposes runs within `BENDERS_RADIUS` changes of the incumbent (twice that once it
   * has nothing nearer); each proposal is solved exactly, priced, and adds its cut; a cheaper one
   * becomes the incumbent. After at most `BENDERS_MASTERS` masters (fewer where
   * `BENDERS_PATIENCE` in a row found nothing cheaper), where they found a cheaper plan, it is
   * searched (stage 3). One round: a second, from the searched plan, found nothing cheaper on
   * 23 of 24 medium portfolios (docs/planner.md, "Benders rounds").
   */
  const benders = (solver: LinearSolver) => {
    if (expired()) return;
    const master = new BendersMaster(model);
    const weights = () => weightTable(model, mu);
    const before = best.total;
    // The weights of the best plan: nothing in stage 5 changes them, so every plan it finds
    // has them and every cut holds.
    mu.set(best.mu);
    let incumbent = Uint8Array.from(best.chosen);
    flows.solve(incumbent, weights());
    let incumbentTotal = evaluate(incumbent);
    if (keepServed(model, x, incumbent)) {
      flows.solve(incumbent, weights());
      incumbentTotal = evaluate(incumbent);
    }
    master.addCut(cutsFromFlows(model, flows, mu));
    let radius = BENDERS_RADIUS;
    let fruitless = 0;
    for (let k = 0; k < BENDERS_MASTERS && fruitless < BENDERS_PATIENCE && !expired(); k++) {
      const next = master.propose(incumbent, solver, solveLimit, radius);
      if (!next) {
        if (radius >= 2 * BENDERS_RADIUS) break;
        radius = 2 * BENDERS_RADIUS;
        continue;
      }
      fruitless++;
      flows.solve(next, weights());
      const total = evaluate(next);
      report(reported);
      master.addCut(cutsFromFlows(model, flows, mu));
      if (total < incumbentTotal) {
        incumbent = Uint8Array.from(next);
        keepServed(model, x, incumbent);
        incumbentTotal = total;
        fruitless = 0;
      } else {
        // The master's value is the month problems' at fixed weights, the plan's takes the
        // commitments' shortfall: a proposal can look cheaper to it after its own cut. Once
        // priced and not cheaper, it is not proposed again.
        master.exclude(next);
      }
    }
    // Masters that found nothing cheaper leave the plan that was searched already.
    if (!cheaperThan(best.total, before) || expired()) return;
    searchFrom(Uint8Array.from(best.chosen));
    report(reported);
  };
  // `stoppedByDeadline` says that the deadline cut stages 1 and 2 of the first start; a search
  // cut short, and the second start with it, still leaves the plan of a whole run.
  if (!chooseAndSolve()) stoppedByDeadline = true;
  if (!stoppedByDeadline && searching) searchFromBest(0.5, 0);
  // (2b, 3b) Where the search runs, all again from the bound's prices and weights with the
  // biggest runs first (value × GPUs × hours). Runs placed by value per GPU-hour can leave gaps
  // no big run fits: on `mixed` at 400 × 60 × 36 the second start ends 0.6 % cheaper. Neither
  // start is better everywhere, so each is searched from its own runs (docs/planner.md, "Two
  // starts"). The month problems go on from the trees the first start left.
  if (!stoppedByDeadline && searching && !expired()) {
    kept = best;
    best = { ...best, total: Infinity };
    lambda.set(boundLambda);
    mu.set(boundMu);
    if (chooseAndSolve(model.gangOrderByWorth)) searchFromBest(0.5, 0.5);
    // The second start's plan only where it is cheaper by more than float noise: two plans of
    // one cost, summed in another order, differ in their last bits, and the first start's plan
    // is the one a plan of the same cost should stay.
    if (!cheaperThan(best.total, kept.total)) best = kept;
    kept = undefined;
  }
  // (5) A Benders round over the gang runs, or (4) the gang runs re-packed as one sub-MIP.
  if (
    options.solver !== undefined &&
    searching &&
    !stoppedByDeadline &&
    n >= (options.repackFrom ?? SUB_MIP_TRIPLE_MIN) &&
    best.total - bound > SUB_MIP_PLAN_GAP * Math.abs(best.total)
  ) {
    if (options.benders === false) repack(options.solver);
    else benders(options.solver);
  }
  // (5b) The best plan's runs, each moved to another option of its workload where that pays
  // (docs/planner.md, "Moving runs at the end").
  if (options.relocate !== false && searching && !stoppedByDeadline && !expired()) {
    mu.set(best.mu);
    searchFrom(Uint8Array.from(best.chosen), undefined, true);
    report(reported);
  }
  for (const i of used) x[i] = 0;
  best.used.forEach((i, k) => {
    x[i] = best.gpus[k] ?? 0;
  });
  // (6) The best plan's spend to spare on met commitments goes back to cheaper pools. Last, on
  // the plan given only: done in every repair, it moved the stages' paths, and some plans ended
  // dearer (docs/planner.md, "Releasing spend to spare").
  if (options.release !== false && model.commitments.length > 0) {
    const list = Array.from(best.used);
    releaseCommitments(model, x, list);
    const value = objective(model, x, list);
    if (cheaperThan(value, best.total)) {
      const kept = list.filter((i) => (x[i] ?? 0) > 0);
      best = {
        ...best,
        used: Int32Array.from(kept),
        gpus: Float64Array.from(kept, (i) => x[i] ?? 0),
        total: value,
      };
      report(reported);
    } else {
      for (const i of list) x[i] = 0;
      best.used.forEach((i, k) => {
        x[i] = best.gpus[k] ?? 0;
      });
    }
  }
  return {
    result: {
      placements: toPlacements(model, x, best.used),
      total: best.total,
      bound: Math.min(bound, best.total),
      iterations: done,
      stoppedByDeadline,
    },
    state: { boundMu, lambda: boundLambda, planMu: best.mu },
  };
}

/**
 * Where the weight search interpolates: strictly inside this share of the interval's width from
 * either end, else it bisects. With the ends measured first and 0.05 here, a commitment whose
 * weight lies near 0 (a bracket of [0, 0.5] with spend short by $58M at one end and over by
 * $1.4B at the other, t = 0.04) was bisected for five steps (gang-heavy, seed 3,
 * 400 × 60 × 36); at 0.01 it is found in three.
 */
const SECANT_GUARD = 0.01;

/**
 * The search for one commitment's weight μ ∈ [0, 1], where spend grows with μ: first the
 * interval's ends, until both a weight with spend short of the minimum and one reaching it are
 * known, then regula falsi on the excess spend (Illinois: an end kept twice has its excess
 * halved), bisecting whenever the interpolation lands near an end (`SECANT_GUARD`).
 */
export class WeightSearch {
  private low: number;
  private high: number;
  private excessLow = NaN;
  private excessHigh = NaN;
  private side = 0;
  /** The interval it started with, which a stale end reopens to. */
  private readonly lowest: number;
  private readonly highest: number;

  constructor(low = 0, high = 1) {
    this.low = low;
    this.high = high;
    this.lowest = low;
    this.highest = high;
  }

  /**
   * A new search for a nearby problem (gang runs fixed instead of bidding): its interval is
   * this one widened by its own width on each side, its ends not measured yet.
   */
  around(): WeightSearch {
    const width = Math.max(this.high - this.low, 1 / 64);
    return new WeightSearch(Math.max(0, this.low - width), Math.min(1, this.high + width));
  }

  /** Records the excess spend (spend − minimum) at `mu`; returns the next weight to try. */
  next(mu: number, excess: number): number {
    // Every commitment's weight moves at once, so an end measured under the others' earlier
    // weights can stop holding: spend short at or above the end where it was met (or met at or
    // below the end where it was short). That end is then not known, back to where it started.
    if (excess < 0 && mu >= this.high && this.high < this.highest) {
      this.high = this.highest;
      this.excessHigh = NaN;
    } else if (excess >= 0 && mu <= this.low && this.low > this.lowest) {
      this.low = this.lowest;
      this.excessLow = NaN;
    }
    if (excess < 0) {
      if (this.side === -1) this.excessHigh /= 2;
      this.low = mu;
      this.excessLow = excess;
      this.side = -1;
    } else {
      if (this.side === 1) this.excessLow /= 2;
      this.high = mu;
      this.excessHigh = excess;
      this.side = 1;
    }
    // Until both ends are measured, the next weight is the end not measured: a commitment met
    // at weight 0 stays there while it is met there, one short at 1 stays there while it is
    // short there, and any other has spend short at one end and met at the other after two
    // steps, not after bisecting down to it.
    if (Number.isNaN(this.excessLow)) return this.low;
    if (Number.isNaN(this.excessHigh)) return this.high;
    const t = -this.excessLow / (this.excessHigh - this.excessLow);
    return t > SECANT_GUARD && t < 1 - SECANT_GUARD
      ? this.low + t * (this.high - this.low)
      : (this.low + this.high) / 2;
  }
}

/**
 * Gang runs in `order` (positions in `model.gangOrder`; by default highest value per GPU-hour
 * first), each on its option cheapest at prices λ with room left by the runs before it; run
 * when that costs less than its value at those prices. Returns 1 per chosen option.
 */
function chooseGangs(
  model: Prepared,
  lambda: Float64Array,
  mu: Float64Array,
  effective: Float64Array,
  reduced: Float64Array,
  order?: Int32Array,
): Uint8Array {
  costs(model, lambda, mu, effective, reduced, model.groupStart[0] ?? 0);
  const free = Float64Array.from(model.capacity);
  const chosen = new Uint8Array(model.optionValue.length);
  const { capIndex } = model;
  const place = (i: number, gpus: number) => {
    const c = capIndex[i] ?? 0;
    free[c] = (free[c] ?? 0) - gpus;
  };
  for (let position = 0; position < model.gangOrder.length; position++) {
    const index = order ? (order[position] ?? 0) : position;
    const choice = cheapestOption(model, index, reduced, free);
    if (choice < 0) continue;
    if (optionCost(model, choice, reduced, free, undefined) >= (model.optionValue[choice] ?? 0)) {
      continue;
    }
    optionCost(model, choice, reduced, free, place);
    chosen[choice] = 1;
  }
  return chosen;
}

/**
 * A gang run must be served in full in every month of its window; the flows guarantee it, and
 * this makes sure: a run short anywhere is removed whole. Returns the options removed.
 */
export function dropBrokenGangs(model: Prepared, x: Float64Array): number[] {
  const { optionGroupStart, groupStart, optionNeed } = model;
  const broken: number[] = [];
  for (let g = 0; g < optionNeed.length; g++) {
    const from = optionGroupStart[g] ?? 0;
    const to = optionGroupStart[g + 1] ?? 0;
    let served = 0;
    let whole = true;
    for (let group = from; group < to; group++) {
      let gpus = 0;
      for (let j = groupStart[group] ?? 0; j < (groupStart[group + 1] ?? 0); j++) {
        gpus += x[j] ?? 0;
      }
      served += gpus;
      if (gpus !== (optionNeed[g] ?? 0)) whole = false;
    }
    if (served === 0 || whole) continue;
    broken.push(g);
    for (let group = from; group < to; group++) {
      for (let j = groupStart[group] ?? 0; j < (groupStart[group + 1] ?? 0); j++) {
        x[j] = 0;
      }
    }
  }
  return broken;
}

/**
 * Clears in `chosen` each run the flows `x` (after `dropBrokenGangs`) do not serve: a run cut
 * short, and one they gave no GPUs at all (which `dropBrokenGangs` leaves, having nothing to
 * remove). Returns whether it cleared any.
 */
function keepServed(model: Prepared, x: Float64Array, chosen: Uint8Array): boolean {
  const { optionGroupStart, groupStart } = model;
  let cleared = false;
  for (let g = 0; g < chosen.length; g++) {
    if (chosen[g] !== 1) continue;
    let served = 0;
    for (let group = optionGroupStart[g] ?? 0; group < (optionGroupStart[g + 1] ?? 0); group++) {
      for (let j = groupStart[group] ?? 0; j < (groupStart[group + 1] ?? 0); j++) {
        served += x[j] ?? 0;
      }
    }
    if (served === 0) {
      chosen[g] = 0;
      cleared = true;
    }
  }
  return cleared;
}

/**
 * Take-or-pay repair: while a commitment is short, its provider's capacity costs nothing more,
 * so (1) serve unmet demand there even above its value — as much as the shortfall pays for —
 * and then (2) move served demand there from other providers' pools, saving what those cost,
 * as long as the shortfall still pays for it and no other commitment falls short by the move.
 * The month problems price a commitment by a weight, and at the weight where its spend meets
 * the minimum a whole block of demand moves at once: a plan from just below that weight,
 * repaired so, meets the minimum as the exact optimum does.
 */
export function repairCommitments(model: Prepared, x: Float64Array, used: number[]): void {
  if (model.commitments.length === 0) return;
  const shortfall = shortfalls(model, x, used);
  if (shortfall.every((s) => s <= 0)) return;
  const { capIndex, demandStart, providerMonth, spendPerGpu, commitments } = model;
  const free = freeCapacity(model, x, used);
  const cover = coverage(model);
  /** The first short commitment covering triple i's provider-month, or -1. */
  const shortAt = (i: number) => {
    const pm = providerMonth[i] ?? 0;
    for (let k = cover.start[pm] ?? 0; k < (cover.start[pm + 1] ?? 0); k++) {
      const index = cover.list[k] ?? 0;
      if ((shortfall[index] ?? 0) > 0) return index;
    }
    return -1;
  };
  /** Whether some short commitment covers month m. */
  const shortMonth = new Uint8Array(model.months);
  const markShortMonths = () => {
    shortMonth.fill(0);
    commitments.forEach((commitment, k) => {
      if ((shortfall[k] ?? 0) > 0) shortMonth.fill(1, commitment.from, commitment.to + 1);
    });
  };
  markShortMonths();
  const place = (i: number, gpus: number, c: number) => {
    if ((x[i] ?? 0) === 0) used.push(i);
    x[i] = (x[i] ?? 0) + gpus;
    free[capIndex[i] ?? 0] = (free[capIndex[i] ?? 0] ?? 0) - gpus;
    shortfall[c] = (shortfall[c] ?? 0) - gpus * Math.max(spendPerGpu[i] ?? 0, 1e-9);
  };
  const room = (i: number, c: number) =>
    Math.min(
      free[capIndex[i] ?? 0] ?? 0,
      Math.floor((shortfall[c] ?? 0) / Math.max(spendPerGpu[i] ?? 0, 1e-9)),
    );
  for (let d = 0; d < model.demandWorkload.length; d++) {
    if (shortMonth[monthOfDemand(model, d)] !== 1) continue;
    let left = model.demandNeed[d] ?? 0;
    for (let k = demandStart[d] ?? 0; k < (demandStart[d + 1] ?? 0); k++) {
      left -= x[k] ?? 0;
    }
    for (let i = demandStart[d] ?? 0; i < (demandStart[d + 1] ?? 0) && left > 0; i++) {
      const c = shortAt(i);
      if (c < 0) continue;
      const take = Math.min(left, room(i, c));
      if (take <= 0) continue;
      place(i, take, c);
      left -= take;
    }
  }
  if (shortfall.every((s) => s <= 0)) return;
  markShortMonths();
  // (2) Served demand moves onto the short commitments' pools, dearest source first.
  const slack = commitmentSlack(model, x, used);
  for (let d = 0; d < model.demandWorkload.length; d++) {
    if (shortMonth[monthOfDemand(model, d)] !== 1) continue;
    const from = demandStart[d] ?? 0;
    const to = demandStart[d + 1] ?? 0;
    for (let i = from; i < to; i++) {
      const c = shortAt(i);
      if (c < 0 || room(i, c) <= 0) continue;
      // Sources: this demand's other triples with GPUs, not on a short commitment.
      for (;;) {
        let source = -1;
        for (let k = from; k < to; k++) {
          if (k === i || (x[k] ?? 0) <= 0 || shortAt(k) >= 0) continue;
          if (source < 0 || (spendPerGpu[k] ?? 0) > (spendPerGpu[source] ?? 0)) source = k;
        }
        if (source < 0) break;
        const perGpu = Math.max(spendPerGpu[source] ?? 0, 1e-9);
        const take = Math.min(x[source] ?? 0, room(i, c), Math.floor(slack.spare(source) / perGpu));
        if (take <= 0) break;
        x[source] = (x[source] ?? 0) - take;
        free[capIndex[source] ?? 0] = (free[capIndex[source] ?? 0] ?? 0) + take;
        slack.add(source, -take * perGpu);
        place(i, take, c);
        if (room(i, c) <= 0 || (shortfall[c] ?? 0) <= 0) break;
      }
      if (shortfall.every((s) => s <= 0)) return;
    }
  }
}

/** Per provider-month, the commitments covering it: `list[start[pm] ..start[pm + 1]]`. */
interface Coverage {
  readonly start: Int32Array;
  readonly list: Int32Array;
}

const coverages = new WeakMap<Prepared, Coverage>();

function coverage(model: Prepared): Coverage {
  const known = coverages.get(model);
  if (known) return known;
  const cells = model.providers * model.months;
  const lists: number[][] = Array.from({ length: cells }, () => []);
  model.commitments.forEach((c, k) => {
    for (let m = c.from; m <= c.to; m++) lists[c.provider * model.months + m]?.push(k);
  });
  const start = new Int32Array(cells + 1);
  lists.forEach((list, pm) => {
    start[pm + 1] = (start[pm] ?? 0) + list.length;
  });
  const made = { start, list: Int32Array.from(lists.flat()) };
  coverages.set(model, made);
  return made;
}

/**
 * Where a commitment is met with spend to spare, served demand on its provider's pools moves to
 * cheaper pools of its own with room, as far as the spare of every commitment covering the
 * source allows. The month problems price a commitment's spend at (1 − Σμ) of its price, and at
 * the weight where its spend meets the minimum a whole block of demand moves at once: from the
 * side where the block is on the provider's pools, this takes back what the minimum does not
 * need. Only a saving: served demand stays served, no commitment falls short.
 */
function releaseCommitments(model: Prepared, x: Float64Array, used: number[]): void {
  const { capIndex, demandStart, spendPerGpu } = model;
  const slack = commitmentSlack(model, x, used);
  if (slack.over.every((s) => s <= 0)) return;
  /** Spend that may leave triple i's provider-month, 0 where no commitment covers it. */
  const movable = (i: number) => (slack.covered(i) ? slack.spare(i) : 0);
  const free = freeCapacity(model, x, used);
  // Triples listed once each (`toPlacements`); the take-or-pay repair leaves triples it emptied
  // listed, so one with no GPUs may be listed already.
  const listed = new Set(used);
  for (let d = 0; d < model.demandWorkload.length; d++) {
    const from = demandStart[d] ?? 0;
    const to = demandStart[d + 1] ?? 0;
    for (let i = from; i < to; i++) {
      while ((x[i] ?? 0) > 0) {
        const perGpu = Math.max(spendPerGpu[i] ?? 0, 1e-9);
        // A dollar short of the spare: the slack is a float sum, and a division that lands just
        // under a whole number of GPUs must not round the commitment short.
        const spare = Math.floor(Math.max(0, movable(i) - 1) / perGpu);
        if (spare <= 0) break;
        let target = -1;
        for (let k = from; k < to; k++) {
          if (k === i || (free[capIndex[k] ?? 0] ?? 0) <= 0) continue;
          if ((spendPerGpu[k] ?? 0) >= (spendPerGpu[i] ?? 0)) continue;
          if (target < 0 || (spendPerGpu[k] ?? 0) < (spendPerGpu[target] ?? 0)) target = k;
        }
        if (target < 0) break;
        const take = Math.min(x[i] ?? 0, spare, free[capIndex[target] ?? 0] ?? 0);
        x[i] = (x[i] ?? 0) - take;
        free[capIndex[i] ?? 0] = (free[capIndex[i] ?? 0] ?? 0) + take;
        slack.add(i, -take * (spendPerGpu[i] ?? 0));
        if (!listed.has(target)) {
          listed.add(target);
          used.push(target);
        }
        x[target] = (x[target] ?? 0) + take;
        free[capIndex[target] ?? 0] = (free[capIndex[target] ?? 0] ?? 0) - take;
        slack.add(target, take * (spendPerGpu[target] ?? 0));
      }
    }
  }
}

/** Each pool-month's capacity less the GPUs `x` places on it. */
function freeCapacity(model: Prepared, x: Float64Array, used: readonly number[]): Float64Array {
  const { capIndex } = model;
  const free = Float64Array.from(model.capacity);
  for (const i of used) free[capIndex[i] ?? 0] = (free[capIndex[i] ?? 0] ?? 0) - (x[i] ?? 0);
  return free;
}

/**
 * Each commitment's spend under `x` over its minimum (`over`, below 0 where short), for moving
 * served demand between provider-months: what may leave triple i's provider-month without making
 * a commitment that covers it short (`spare`: Infinity where none covers it), and spend moved
 * there (`add`, below 0 where it leaves).
 */
function commitmentSlack(model: Prepared, x: Float64Array, used: readonly number[]) {
  const { providerMonth, commitments } = model;
  const over = spends(model, x, used).map((spend, k) => spend - (commitments[k]?.minimum ?? 0));
  const cover = coverage(model);
  const from = (i: number) => cover.start[providerMonth[i] ?? 0] ?? 0;
  const to = (i: number) => cover.start[(providerMonth[i] ?? 0) + 1] ?? 0;
  return {
    over,
    covered: (i: number) => to(i) > from(i),
    spare: (i: number) => {
      let most = Infinity;
      for (let k = from(i); k < to(i); k++) {
        most = Math.min(most, Math.max(0, over[cover.list[k] ?? 0] ?? 0));
      }
      return most;
    },
    add: (i: number, amount: number) => {
      for (let k = from(i); k < to(i); k++) {
        const index = cover.list[k] ?? 0;
        over[index] = (over[index] ?? 0) + amount;
      }
    },
  };
}

/** The month offset of splittable demand d. */
function monthOfDemand(model: Prepared, d: number): number {
  const { monthDemandStart } = model;
  let low = 0;
  let high = model.months - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if ((monthDemandStart[middle] ?? 0) <= d) low = middle;
    else high = middle - 1;
  }
  return low;
}
