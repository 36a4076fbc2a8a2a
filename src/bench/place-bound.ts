import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildExactModel, push, readPlacements } from '../core/planner/exact.js';
import type { ExactModel } from '../core/planner/exact.js';
import { finishPlan } from '../core/planner/finish.js';
import type { Placement } from '../core/planner/plan.js';
import type { PlacementProblem } from '../core/planner/problem.js';
import { placeKey } from '../core/planner/problem.js';
import type { LinearModel, LinearSolver, SolveOutcome } from '../core/planner/solver.js';
import { ModelBuilder } from '../core/planner/solver.js';
import { microsToFloat } from '../core/money.js';
import type { Period } from '../core/period.js';
import { hoursIn, periodsOf } from '../core/period.js';

/**
 * A third prover for the family bench: column generation over places (Dantzig–Wolfe).
 *
 * Where neither HiGHS nor Cbc proves an optimum, their bounds stay near the LP relaxation's:
 * on `mixed` at 400 × 60 × 36 seed 2, Cbc's bound after 1,800 s was $137.2026B, its root bound
 * $137.2019B. The gang rule is what the relaxation loses: a gang run half on a place and half
 * not. Here every place (site and accelerator) is a block whose _patterns_ are the sets of gang
 * runs it can host in whole, every month of each window, with their GPUs on its pools. The
 * master LP chooses a mix of patterns per place (at most one in all), with the splittable flows,
 * the shortfalls and the rows that tie places together (each pool-month's capacity, each
 * splittable demand, each gang at most one place, each commitment) as in the exact model. Its
 * pricing problem, per place, is a small mixed-integer program: a binary per gang option there,
 * its GPUs on the place's pools at the master's prices.
 *
 * The bound is a Lagrangian value, valid whatever prices it is taken at (weak duality): with u
 * the prices of the linking rows (signs clamped to the rows' senses),
 *
 *     L(u) = offset + Σ u·rhs + Σ over splittable flows and shortfalls of min over their bounds
 *            of (cost − u·column)·x + Σ over places of min(0, the pricing MIP's dual bound)
 *
 * — the empty pattern costs 0, so a place never adds more than 0; each dual bound less a
 * relative 10⁻⁷ for HiGHS's tolerances. It is computed at prices
 * smoothed towards the best so far (Wentges), so it climbs while the master falls; the two meet
 * at the decomposition's bound, which is at least the LP relaxation's. Gang GPUs within a
 * pattern and the splittable flows are continuous here (a relaxation: the bound stays valid).
 *
 * Its plan: the master with its patterns whole (one per place, a binary each) is solved as a
 * mixed-integer program; its gang runs are then fixed in the exact model, solved for the flows,
 * and the plan priced and verified by our own code, as Cbc's is.
 */

/** The prover's run on one instance. */
export interface PlaceBoundRun {
  /**
   * `converged`: the master and the bound met (within 10⁻⁶); `stalled`: the master's prices
   * gave no new pattern before they met (the pricing MIPs' gap); `iterations`: stopped at the
   * cap; `failed`: a solve failed (`error`), with the bound proven until then.
   */
  status: 'converged' | 'stalled' | 'iterations' | 'failed';
  seconds: number;
  iterations: number;
  /** Patterns generated (of every place). */
  patterns: number;
  /** The best Lagrangian value: a proven lower bound on the optimum. */
  lowerBoundUSD?: number;
  /** The master LP's last value: the decomposition's bound is at most this. */
  masterUSD?: number;
  /** The plan from the patterns, priced and verified by our code; none where none was found. */
  totalUSD?: number;
  /** What the restricted master's MIP did: `optimal` or `time-limit`. */
  planStatus?: string;
  /** The plan's placements (not kept in the bench's cache: `place-bound-run --plan-out`). */
  placements?: Placement[];
  error?: string;
  /** {@link PLACE_BOUND_VERSION}, where the bench ran it. */
  version?: string;
}

export interface PlaceBoundOptions {
  /** Master solves at most; default 80. */
  readonly iterations?: number;
  /** Seconds for the restricted master's MIP; default 300 (0: no plan). */
  readonly planSeconds?: number;
  /** A plan to start from: its gang runs become each place's first pattern. */
  readonly start?: readonly Placement[];
  /** Weight of the best prices in the smoothed ones; default 0.8. */
  readonly smoothing?: number;
  /** Called after each master solve (progress). */
  readonly onIteration?: (step: { iteration: number; bound: number; master: number }) => void;
}

/** Money in the models is in millions of USD: in USD, HiGHS's LP met numerical trouble. */
const UNIT = 1e6;
/** The relative distance at which master and bound have met. */
const CONVERGED = 1e-6;
/** The pricing MIPs' relative gap; their dual bound, not their plan, enters the bound. */
const PRICING_GAP = 1e-4;
/** Taken off each pricing MIP's dual bound: HiGHS's holds within its feasibility tolerances. */
const PRICING_MARGIN = 1e-7;
/** The whole child process at most (the bench's): 80 masters and their pricing, then the plan. */
const RUN_LIMIT_SECONDS = 3 * 3600;
/** A safety net per solve, so that one slow solve cannot hold the bench for long. */
const SOLVE_SECONDS = 300;

type RowKind = 'capacity' | 'demand' | 'choice' | 'commitment' | 'place';

interface Row {
  readonly kind: RowKind;
  readonly lower: number;
  readonly upper: number;
  /** Columns (index, coefficient) in the row, appended as patterns are. */
  readonly terms: [number, number][];
}

interface Column {
  readonly cost: number;
  readonly lower: number;
  readonly upper: number;
  readonly rows: readonly number[];
  readonly values: readonly number[];
}

/** A pattern: the gang options a place runs, each with its GPUs per triple. */
interface Pattern {
  readonly place: number;
  readonly options: readonly number[];
}

/** The pricing MIP of one place: fixed but for its costs. */
interface Pricing {
  readonly model: LinearModel;
  /** The gang options of the place, one binary each (columns 0..n−1). */
  readonly options: readonly number[];
  /** Triple of each flow column (columns n..). */
  readonly triples: readonly number[];
}

/**
 * What the bench caches a run under: a run made by another version (its method or settings)
 * is made again.
 */
export const PLACE_BOUND_VERSION =
  'places 2: 80 masters, smoothing 0.8, pricing gap 1e-4, plan 300 s';

/**
 * The place bound of a scenario file, run as a child process (`place-bound-run.ts`), as the
 * family bench takes it: its HiGHS at full speed for long solves, its memory its own.
 */
export function placeBoundReference(file: string, planSeconds: number): PlaceBoundRun {
  const started = performance.now();
  const script = new URL(
    import.meta.url.endsWith('.ts') ? './place-bound-run.ts' : './place-bound-run.js',
    import.meta.url,
  );
  const child = spawnSync(
    process.execPath,
    [...process.execArgv, fileURLToPath(script), file, '--plan-seconds', String(planSeconds)],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 24,
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: RUN_LIMIT_SECONDS * 1000,
    },
  );
  const line = child.stdout.trim().split('\n').pop() ?? '';
  try {
    if (child.status !== 0) throw new Error(`exit ${child.status ?? child.signal ?? '?'}`);
    return { ...(JSON.parse(line) as PlaceBoundRun), version: PLACE_BOUND_VERSION };
  } catch (error) {
    return {
      status: 'failed',
      seconds: (performance.now() - started) / 1000,
      iterations: 0,
      patterns: 0,
      error: error instanceof Error ? error.message : String(error),
      version: PLACE_BOUND_VERSION,
    };
  }
}

/** Runs the column generation and, where asked, the restricted master's plan. */
export function placeBound(
  problem: PlacementProblem,
  solver: LinearSolver,
  options: PlaceBoundOptions = {},
): PlaceBoundRun {
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  const decomposition = new Decomposition(problem);
  // The exact model, once: its LP gives the starting prices, and its runs fixed, the plan.
  const exact = buildExactModel(problem);
  const iterationCap = options.iterations ?? 80;
  const smoothing = options.smoothing ?? 0.8;
  let best = -Infinity;
  let master = Infinity;
  let iteration = 0;
  const outcome = (status: PlaceBoundRun['status'], error?: string): PlaceBoundRun => ({
    status,
    seconds: seconds(),
    iterations: iteration,
    patterns: decomposition.patternCount,
    ...(Number.isFinite(best) ? { lowerBoundUSD: best * UNIT } : {}),
    ...(Number.isFinite(master) ? { masterUSD: master * UNIT } : {}),
    ...(error === undefined ? {} : { error }),
  });

  let status: PlaceBoundRun['status'] = 'iterations';
  let center: Float64Array;
  try {
    for (const pattern of decomposition.startPatterns(options.start ?? [])) {
      decomposition.addPattern(pattern);
    }
    // The LP relaxation's prices: the bound there is the LP's.
    const lp = solver.solve(exact.model, { relax: true, duals: true });
    center = decomposition.pricesFromExact(lp, exact);
    const first = decomposition.lagrangian(center, solver);
    if (Number.isFinite(first.bound)) best = first.bound;
    first.patterns.forEach((pattern) => decomposition.addPattern(pattern));

    for (; iteration < iterationCap; iteration++) {
      const solved = solver.solve(decomposition.master(), {
        relax: true,
        duals: true,
        anyDuals: true,
        timeLimitSeconds: SOLVE_SECONDS,
      });
      if (solved.status !== 'optimal' || !solved.rowDuals) {
        return outcome(
          'failed',
          `master LP: ${solved.status === 'optimal' ? 'no duals' : solved.status}`,
        );
      }
      master = solved.objective;
      const duals = solved.rowDuals;
      let added = 0;
      // Smoothed prices first; where they price out nothing new, the master's own.
      for (const weight of [smoothing, 0]) {
        const prices = Float64Array.from(
          duals,
          (dual, r) => weight * (center[r] ?? 0) + (1 - weight) * dual,
        );
        const priced = decomposition.lagrangian(prices, solver);
        for (const pattern of priced.patterns) if (decomposition.addPattern(pattern)) added++;
        if (Number.isFinite(priced.bound) && priced.bound > best) {
          best = priced.bound;
          center = prices;
        }
        if (added > 0) break;
      }
      options.onIteration?.({ iteration, bound: best * UNIT, master: master * UNIT });
      if (master - best <= CONVERGED * Math.max(1, Math.abs(master))) {
        status = 'converged';
        iteration++;
        break;
      }
      if (added === 0) {
        // Nothing new at the master's own prices, yet the two have not met: the pricing MIPs'
        // gap (10⁻⁴) hides what is left.
        status = 'stalled';
        iteration++;
        break;
      }
    }
  } catch (error) {
    // A bound proven so far stands; what failed is said.
    return outcome('failed', error instanceof Error ? error.message : String(error));
  }

  const planSeconds = options.planSeconds ?? 300;
  if (planSeconds <= 0) return outcome(status);
  try {
    return { ...outcome(status), ...decomposition.plan(solver, planSeconds, exact) };
  } catch (error) {
    return {
      ...outcome(status),
      planStatus: `failed: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

/** The master's rows and columns, the places and their pricing problems. */
class Decomposition {
  readonly rows: Row[] = [];
  readonly columns: Column[] = [];
  /** Place keys (site and accelerator) that host a viable gang option, sorted. */
  readonly places: readonly string[];
  private readonly pricing: Pricing[];
  private readonly patterns: Pattern[] = [];
  private readonly patternKeys = new Set<string>();
  /** Columns before the first pattern: splittable flows and shortfalls. */
  private readonly fixedColumns: number;
  private readonly capacityRow = new Map<string, number>();
  private readonly demandRow = new Map<string, number>();
  private readonly choiceRow = new Map<number, number>();
  private readonly commitmentRows: number[] = [];
  private readonly placeRows: number[] = [];
  /** Cost of a GPU on a triple, in the unit: h·price. */
  private readonly tripleCost: Float64Array;
  /** Commitments that count a triple's spend. */
  private readonly tripleCommitments: (readonly number[])[];
  /** Place index of each viable gang option, −1 for the others. */
  private readonly optionPlace: Int32Array;
  private readonly optionValue: Float64Array;
  private readonly offset: number;

  constructor(private readonly problem: PlacementProblem) {
    const { triples, workloads, pools, gangOptions, commitments } = problem;
    let offset = 0;
    workloads.forEach((workload, w) => {
      const range = problem.demandRange[w];
      if (!range) return;
      for (const period of periodsOf(range)) {
        offset +=
          (workload.gpus * hoursIn(period) * microsToFloat(workload.valuePerGpuHour)) / UNIT;
      }
    });
    this.offset = offset;

    this.tripleCost = new Float64Array(triples.count);
    this.tripleCommitments = [];
    for (let i = 0; i < triples.count; i++) {
      const pool = pools[triples.pool[i] ?? 0];
      const period = (triples.period[i] ?? 0) as Period;
      this.tripleCost[i] = (hoursIn(period) * microsToFloat(pool?.pricePerGpuHour ?? 0n)) / UNIT;
      const covering: number[] = [];
      commitments.forEach((c, k) => {
        if (pool?.provider === c.term.provider && period >= c.range.from && period <= c.range.to) {
          covering.push(k);
        }
      });
      this.tripleCommitments.push(covering);
    }

    this.optionPlace = new Int32Array(gangOptions.length).fill(-1);
    this.optionValue = new Float64Array(gangOptions.length);
    const placeSet = new Set<string>();
    gangOptions.forEach((option) => {
      if (option.viable && problem.demandRange[option.workload]) {
        placeSet.add(placeKey(option.site, option.accelerator));
      }
    });
    this.places = [...placeSet].sort();
    const placeIndex = new Map(this.places.map((place, j) => [place, j]));
    const viableOptions = new Map<number, number>();
    gangOptions.forEach((option, g) => {
      const range = problem.demandRange[option.workload];
      const workload = workloads[option.workload];
      if (!option.viable || !range || !workload) return;
      this.optionPlace[g] = placeIndex.get(placeKey(option.site, option.accelerator)) ?? -1;
      let hours = 0;
      for (const period of periodsOf(range)) hours += hoursIn(period);
      this.optionValue[g] =
        (hours * workload.gpus * microsToFloat(workload.valuePerGpuHour)) / UNIT;
      viableOptions.set(option.workload, (viableOptions.get(option.workload) ?? 0) + 1);
    });

    // Rows: capacity of every pool-month with a triple, splittable demand, gang choice (where a
    // gang has more than one option), commitments, one per place.
    const addRow = (kind: RowKind, lower: number, upper: number) => {
      this.rows.push({ kind, lower, upper, terms: [] });
      return this.rows.length - 1;
    };
    for (let i = 0; i < triples.count; i++) {
      const key = cell(triples.pool[i], triples.period[i]);
      if (!this.capacityRow.has(key)) {
        this.capacityRow.set(
          key,
          addRow('capacity', -Infinity, pools[triples.pool[i] ?? 0]?.gpus ?? 0),
        );
      }
    }
    for (let i = 0; i < triples.count; i++) {
      if ((triples.option[i] ?? -1) >= 0) continue;
      const key = cell(triples.workload[i], triples.period[i]);
      if (!this.demandRow.has(key)) {
        this.demandRow.set(
          key,
          addRow('demand', -Infinity, workloads[triples.workload[i] ?? 0]?.gpus ?? 0),
        );
      }
    }
    for (const [w, count] of [...viableOptions].sort((a, b) => a[0] - b[0])) {
      if (count > 1) this.choiceRow.set(w, addRow('choice', -Infinity, 1));
    }
    for (const commitment of commitments) {
      this.commitmentRows.push(
        addRow('commitment', microsToFloat(commitment.term.minSpend) / UNIT, Infinity),
      );
    }
    for (let j = 0; j < this.places.length; j++) this.placeRows.push(addRow('place', -Infinity, 1));

    // Fixed columns: each splittable triple, each shortfall.
    for (let i = 0; i < triples.count; i++) {
      if ((triples.option[i] ?? -1) >= 0) continue;
      const w = triples.workload[i] ?? 0;
      const workload = workloads[w];
      const pool = pools[triples.pool[i] ?? 0];
      const hours = hoursIn((triples.period[i] ?? 0) as Period);
      const rowsOf = [
        this.capacityRow.get(cell(triples.pool[i], triples.period[i])) ?? 0,
        this.demandRow.get(cell(w, triples.period[i])) ?? 0,
      ];
      const values = [1, 1];
      for (const k of this.tripleCommitments[i] ?? []) {
        rowsOf.push(this.commitmentRows[k] ?? 0);
        values.push(this.tripleCost[i] ?? 0);
      }
      this.addColumn({
        cost:
          (this.tripleCost[i] ?? 0) -
          (hours * microsToFloat(workload?.valuePerGpuHour ?? 0n)) / UNIT,
        lower: 0,
        upper: Math.min(workload?.gpus ?? 0, pool?.gpus ?? 0),
        rows: rowsOf,
        values,
      });
    }
    commitments.forEach((commitment, k) => {
      this.addColumn({
        cost: 1,
        lower: 0,
        upper: microsToFloat(commitment.term.minSpend) / UNIT,
        rows: [this.commitmentRows[k] ?? 0],
        values: [1],
      });
    });
    this.fixedColumns = this.columns.length;
    this.pricing = this.places.map((_, j) => this.buildPricing(j));
  }

  get patternCount(): number {
    return this.patterns.length;
  }

  /** Each place's runs in a plan, with their GPUs as placed, and the empty pattern. */
  startPatterns(placements: readonly Placement[]): (Pattern & { flows: Map<number, number> })[] {
    const { triples } = this.problem;
    const tripleOf = new Map<string, number>();
    for (let i = 0; i < triples.count; i++) {
      tripleOf.set(cell(triples.workload[i], triples.pool[i], triples.period[i]), i);
    }
    const patterns = this.places.map((_, place) => ({
      place,
      options: new Set<number>(),
      flows: new Map<number, number>(),
    }));
    for (const placement of placements) {
      const i = tripleOf.get(cell(placement.workload, placement.pool, placement.period));
      const g = i === undefined ? -1 : (triples.option[i] ?? -1);
      const pattern = patterns[this.optionPlace[g] ?? -1];
      if (i === undefined || !pattern) continue;
      pattern.options.add(g);
      pattern.flows.set(i, placement.gpus);
    }
    return patterns.flatMap(({ place, options, flows }) => [
      { place, options: [], flows: new Map() },
      { place, options: [...options].sort((a, b) => a - b), flows },
    ]);
  }

  /** Adds a pattern's column (its runs, their GPUs per triple) unless it is there. */
  addPattern(pattern: Pattern & { flows: ReadonlyMap<number, number> }): boolean {
    const entries = [...pattern.flows].sort((a, b) => a[0] - b[0]);
    const key = `${pattern.place}|${pattern.options.join(',')}|${entries.map(([i, x]) => `${i}=${x.toFixed(6)}`).join(',')}`;
    if (this.patternKeys.has(key)) return false;
    this.patternKeys.add(key);
    const { triples, gangOptions } = this.problem;
    let cost = 0;
    const terms = new Map<number, number>();
    const add = (row: number, value: number) => terms.set(row, (terms.get(row) ?? 0) + value);
    for (const g of pattern.options) {
      cost -= this.optionValue[g] ?? 0;
      const choice = this.choiceRow.get(gangOptions[g]?.workload ?? -1);
      if (choice !== undefined) add(choice, 1);
    }
    for (const [i, gpus] of entries) {
      cost += gpus * (this.tripleCost[i] ?? 0);
      add(this.capacityRow.get(cell(triples.pool[i], triples.period[i])) ?? 0, gpus);
      for (const k of this.tripleCommitments[i] ?? []) {
        add(this.commitmentRows[k] ?? 0, gpus * (this.tripleCost[i] ?? 0));
      }
    }
    add(this.placeRows[pattern.place] ?? 0, 1);
    const sorted = [...terms].sort((a, b) => a[0] - b[0]);
    this.addColumn({
      cost,
      lower: 0,
      upper: Infinity,
      rows: sorted.map(([row]) => row),
      values: sorted.map(([, value]) => value),
    });
    this.patterns.push(pattern);
    return true;
  }

  /** The master LP with every pattern so far. */
  master(): LinearModel {
    const builder = new ModelBuilder();
    builder.offset = this.offset;
    for (const column of this.columns) {
      builder.addColumn(column.cost, column.lower, column.upper, false);
    }
    for (const row of this.rows) {
      builder.addRow(
        row.terms.map(([column]) => column),
        row.terms.map(([, value]) => value),
        row.lower,
        row.upper,
      );
    }
    return builder.build();
  }

  /** The exact model's LP duals as prices of the master's rows (the place rows at 0). */
  pricesFromExact(outcome: SolveOutcome, exact: ExactModel): Float64Array {
    const prices = new Float64Array(this.rows.length);
    if (outcome.status !== 'optimal' || !outcome.rowDuals) return prices;
    const { triples, gangOptions } = this.problem;
    const duals = outcome.rowDuals;
    const model = exact.model;
    const tripleOfColumn = new Int32Array(model.numCols).fill(-1);
    exact.tripleColumn.forEach((column, i) => (tripleOfColumn[column] = i));
    const optionOfColumn = new Int32Array(model.numCols).fill(-1);
    exact.optionColumn.forEach((column, g) => {
      if (column >= 0) optionOfColumn[column] = g;
    });
    for (const { pool, period, row } of exact.capacityRows) {
      const r = this.capacityRow.get(cell(pool, period));
      if (r !== undefined) prices[r] = (duals[row] ?? 0) / UNIT;
    }
    const capacity = new Set(exact.capacityRows.map(({ row }) => row));
    for (let row = 0; row < model.numRows; row++) {
      if (capacity.has(row)) continue;
      const from = model.rowStarts[row] ?? 0;
      const to = model.rowStarts[row + 1] ?? 0;
      if (to <= from) continue;
      const column = model.rowIndex[from] ?? 0;
      const g = optionOfColumn[column] ?? -1;
      if (g >= 0 && model.rowUpper[row] === 1 && model.rowLower[row] === -Infinity) {
        const r = this.choiceRow.get(gangOptions[g]?.workload ?? -1);
        if (r !== undefined) prices[r] = (duals[row] ?? 0) / UNIT;
        continue;
      }
      const i = tripleOfColumn[column] ?? -1;
      if (i < 0 || (triples.option[i] ?? -1) >= 0 || model.rowLower[row] !== -Infinity) continue;
      const w = triples.workload[i];
      const t = triples.period[i];
      let demand = true;
      for (let q = from; q < to && demand; q++) {
        const other = tripleOfColumn[model.rowIndex[q] ?? 0] ?? -1;
        demand = other >= 0 && triples.workload[other] === w && triples.period[other] === t;
      }
      const r = demand ? this.demandRow.get(cell(w, t)) : undefined;
      if (r !== undefined) prices[r] = (duals[row] ?? 0) / UNIT;
    }
    // The commitment rows close the exact model (no site rows here). Their duals are weights
    // (USD per USD), the same in any unit; the others are USD per GPU or per run.
    this.commitmentRows.forEach((r, k) => {
      prices[r] = duals[model.numRows - this.commitmentRows.length + k] ?? 0;
    });
    return prices;
  }

  /**
   * L(u) at prices u, and each place's best pattern there. Prices are clamped to their rows'
   * senses (≤ rows ≤ 0, ≥ rows ≥ 0), so any u gives a valid bound.
   */
  lagrangian(
    prices: Float64Array,
    solver: LinearSolver,
  ): { bound: number; patterns: (Pattern & { flows: Map<number, number> })[] } {
    const u = Float64Array.from(prices, (price, r) =>
      this.rows[r]?.kind === 'place'
        ? 0
        : this.rows[r]?.kind === 'commitment'
          ? Math.max(0, price)
          : Math.min(0, price),
    );
    let bound = this.offset;
    this.rows.forEach((row, r) => {
      if (row.kind !== 'place')
        bound += (u[r] ?? 0) * (row.kind === 'commitment' ? row.lower : row.upper);
    });
    for (let c = 0; c < this.fixedColumns; c++) {
      const column = this.columns[c];
      if (!column) continue;
      let reduced = column.cost;
      column.rows.forEach((r, q) => (reduced -= (u[r] ?? 0) * (column.values[q] ?? 0)));
      bound += Math.min(reduced * column.lower, reduced * column.upper);
    }
    const patterns: (Pattern & { flows: Map<number, number> })[] = [];
    this.pricing.forEach((pricing, place) => {
      const priced = this.price(pricing, place, u, solver);
      // HiGHS's dual bound holds within its tolerances: a relative 10⁻⁷ of margin.
      bound += Math.min(0, priced.bound - PRICING_MARGIN * Math.abs(priced.bound));
      if (priced.pattern) patterns.push(priced.pattern);
    });
    return { bound, patterns };
  }

  /** The restricted master as a MIP, its runs fixed in the exact model, the plan priced. */
  plan(
    solver: LinearSolver,
    limitSeconds: number,
    exact: ExactModel,
  ): Pick<PlaceBoundRun, 'totalUSD' | 'planStatus' | 'placements'> {
    const master = this.master();
    const integer = new Uint8Array(master.numCols);
    const { triples } = this.problem;
    let split = 0;
    for (let i = 0; i < triples.count; i++) if ((triples.option[i] ?? -1) < 0) integer[split++] = 1;
    for (let c = this.fixedColumns; c < master.numCols; c++) integer[c] = 1;
    const solved = solver.solve({ ...master, integer }, { timeLimitSeconds: limitSeconds });
    if (solved.status !== 'optimal' && solved.status !== 'time-limit')
      return { planStatus: solved.status };
    const running = new Set<number>();
    this.patterns.forEach((pattern, p) => {
      if ((solved.values[this.fixedColumns + p] ?? 0) > 0.5)
        pattern.options.forEach((g) => running.add(g));
    });
    // The runs fixed, the exact model places every GPU in whole numbers.
    const lower = Float64Array.from(exact.model.colLower);
    const upper = Float64Array.from(exact.model.colUpper);
    exact.optionColumn.forEach((column, g) => {
      if (column < 0) return;
      const on = running.has(g) ? 1 : 0;
      lower[column] = on;
      upper[column] = on;
    });
    const fixed = solver.solve(
      { ...exact.model, colLower: lower, colUpper: upper },
      { timeLimitSeconds: SOLVE_SECONDS },
    );
    if (fixed.status !== 'optimal' && fixed.status !== 'time-limit') {
      return { planStatus: `${solved.status}; runs fixed: ${fixed.status}` };
    }
    const placements = readPlacements(this.problem, exact, fixed.values);
    const plan = finishPlan(this.problem, placements, {
      method: 'exact',
      status: 'feasible',
      boundSource: 'mip',
      bound: fixed.bound,
    });
    return {
      planStatus: solved.status,
      totalUSD: microsToFloat(plan.objective.total),
      placements,
    };
  }

  private addColumn(column: Column): void {
    const index = this.columns.length;
    this.columns.push(column);
    column.rows.forEach((r, q) => this.rows[r]?.terms.push([index, column.values[q] ?? 0]));
  }

  private buildPricing(place: number): Pricing {
    const { triples, workloads, pools, gangOptions } = this.problem;
    const options: number[] = [];
    gangOptions.forEach((_, g) => {
      if (this.optionPlace[g] === place) options.push(g);
    });
    const builder = new ModelBuilder();
    options.forEach(() => builder.addColumn(0, 0, 1, true));
    const flowTriples: number[] = [];
    const optionIndex = new Map(options.map((g, q) => [g, q]));
    const byGangPeriod = new Map<string, number[]>();
    const byPoolPeriod = new Map<string, number[]>();
    for (let i = 0; i < triples.count; i++) {
      const q = optionIndex.get(triples.option[i] ?? -1);
      if (q === undefined) continue;
      const column = builder.addColumn(
        0,
        0,
        Math.min(
          workloads[triples.workload[i] ?? 0]?.gpus ?? 0,
          pools[triples.pool[i] ?? 0]?.gpus ?? 0,
        ),
        false,
      );
      flowTriples.push(i);
      push(byGangPeriod, cell(q, triples.period[i]), column);
      push(byPoolPeriod, cell(triples.pool[i], triples.period[i]), column);
    }
    for (const [key, columns] of byGangPeriod) {
      const q = Number(key.slice(0, key.indexOf(':')));
      const gpus = workloads[gangOptions[options[q] ?? 0]?.workload ?? 0]?.gpus ?? 0;
      builder.addRow([...columns, q], [...columns.map(() => 1), -gpus], 0, 0);
    }
    for (const [key, columns] of byPoolPeriod) {
      const pool = pools[Number(key.slice(0, key.indexOf(':')))];
      builder.addRow(
        columns,
        columns.map(() => 1),
        -Infinity,
        pool?.gpus ?? 0,
      );
    }
    return { model: builder.build(), options, triples: flowTriples };
  }

  /** One place's pricing MIP at prices u (clamped): its dual bound and best pattern. */
  private price(
    pricing: Pricing,
    place: number,
    u: Float64Array,
    solver: LinearSolver,
  ): { bound: number; pattern?: Pattern & { flows: Map<number, number> } } {
    const { triples, gangOptions } = this.problem;
    const cost = new Float64Array(pricing.model.numCols);
    pricing.options.forEach((g, q) => {
      const choice = this.choiceRow.get(gangOptions[g]?.workload ?? -1);
      cost[q] = -(this.optionValue[g] ?? 0) - (choice === undefined ? 0 : (u[choice] ?? 0));
    });
    pricing.triples.forEach((i, n) => {
      let c =
        (this.tripleCost[i] ?? 0) -
        (u[this.capacityRow.get(cell(triples.pool[i], triples.period[i])) ?? 0] ?? 0);
      for (const k of this.tripleCommitments[i] ?? [])
        c -= (u[this.commitmentRows[k] ?? 0] ?? 0) * (this.tripleCost[i] ?? 0);
      cost[pricing.options.length + n] = c;
    });
    const solved = solver.solve(
      { ...pricing.model, colCost: cost },
      { relativeGap: PRICING_GAP, timeLimitSeconds: SOLVE_SECONDS },
    );
    if (solved.status !== 'optimal' && solved.status !== 'time-limit') {
      throw new Error(`pricing MIP of place ${this.places[place] ?? place}: ${solved.status}`);
    }
    const options = pricing.options.filter((_, q) => (solved.values[q] ?? 0) > 0.5);
    const flows = new Map<number, number>();
    pricing.triples.forEach((i, n) => {
      const gpus = solved.values[pricing.options.length + n] ?? 0;
      if (gpus > 1e-9 && options.includes(triples.option[i] ?? -1)) flows.set(i, gpus);
    });
    return { bound: solved.bound, pattern: { place, options, flows } };
  }
}

/** A map key of whole numbers. */
function cell(...parts: (number | undefined)[]): string {
  return parts.map((part) => part ?? -1).join(':');
}
