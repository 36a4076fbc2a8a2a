import { microsToFloat } from '../money.js';
import type { Period } from '../period.js';
import { hoursIn, periodsOf } from '../period.js';
import { finishPlan } from './finish.js';
import type { Placement, Plan } from './plan.js';
import type { PlacementProblem } from './problem.js';
import { placeKey, placeKeyOf, placementOf } from './problem.js';
import type { LinearModel, LinearSolver } from './solver.js';
import { ModelBuilder } from './solver.js';

export interface ExactOptions {
  readonly timeLimitSeconds?: number;
  /** Relative gap at which the solver may stop; default 1e-6. */
  readonly relativeGap?: number;
}

/** Column layout of the mixed-integer model, to read a solution back. */
export interface ExactModel {
  readonly model: LinearModel;
  /** Column of each triple. */
  readonly tripleColumn: Int32Array;
  /** Column of each gang option's choice, -1 for options that are not viable. */
  readonly optionColumn: Int32Array;
  /** A feasible start: nothing placed, every commitment paid in full. */
  readonly start: Float64Array;
  /** The capacity row of each (pool, period) that has one: Σw x[w,p,t] ≤ gpus(p). */
  readonly capacityRows: readonly CapacityRow[];
}

export interface ExactModelOptions {
  /**
   * Adds, for each (site, accelerator) that hosts a gang option and each period, the sum of
   * its pools' capacity rows written with whole gangs: Σ gpus_w·y[w,g] + Σ splittable
   * x[w,p,t] ≤ Σ gpus(p). Implied by the model (the LP relaxation is the same), but a
   * mixed-integer solver's cut generators (knapsack and flow covers) see whole gangs against a
   * site's capacity only in such a row. For a prover (the family bench's Cbc), not for the
   * planner: HiGHS proved the small families no faster with them.
   */
  readonly siteRows?: boolean;
}

/** Where the capacity of one pool in one period sits in the model. */
export interface CapacityRow {
  readonly pool: number;
  readonly period: Period;
  readonly row: number;
}

/**
 * Builds the spec's model as a mixed-integer program. Unmet value is a constant offset minus
 * the value of what is served, so no unmet variables are needed:
 *
 * - x[w,p,t] ≥ 0 integer, GPUs of workload w on pool p in period t, for eligible triples;
 *   cost hours·(price − value) when splittable, hours·price for gang workloads;
 * - y[w,g] binary for each viable gang option, cost −value·Σ hours·gpus;
 * - s[k] ≥ 0 commitment shortfall, cost 1;
 * - demand: Σp x[w,p,t] ≤ gpus (splittable); Σ_{p∈g} x[w,p,t] = gpus·y[w,g] (gang);
 *   Σg y[w,g] ≤ 1; capacity: Σw x[w,p,t] ≤ gpus(p); commitment: s[k] + Σ spend ≥ min.
 *
 * Objective in USD as floats for the solver only; the plan is priced exactly afterwards.
 */
export function buildExactModel(
  problem: PlacementProblem,
  options: ExactModelOptions = {},
): ExactModel {
  const { triples, workloads, pools, gangOptions } = problem;
  const builder = new ModelBuilder();

  // Offset: every GPU-hour of demand unmet.
  workloads.forEach((workload, w) => {
    const range = problem.demandRange[w];
    if (!range) return;
    for (const period of periodsOf(range)) {
      builder.offset += workload.gpus * hoursIn(period) * microsToFloat(workload.valuePerGpuHour);
    }
  });

  const tripleColumn = new Int32Array(triples.count);
  for (let i = 0; i < triples.count; i++) {
    const workload = workloads[triples.workload[i] ?? 0];
    const pool = pools[triples.pool[i] ?? 0];
    if (!workload || !pool) throw new Error('buildExactModel: triple out of range');
    const hours = hoursIn((triples.period[i] ?? 0) as Period);
    const price = microsToFloat(pool.pricePerGpuHour);
    const value = workload.gang ? 0 : microsToFloat(workload.valuePerGpuHour);
    tripleColumn[i] = builder.addColumn(
      hours * (price - value),
      0,
      Math.min(workload.gpus, pool.gpus),
      true,
    );
  }

  const optionColumn = new Int32Array(gangOptions.length).fill(-1);
  gangOptions.forEach((option, g) => {
    if (!option.viable) return;
    const workload = workloads[option.workload];
    const range = problem.demandRange[option.workload];
    if (!workload || !range) return;
    let hours = 0;
    for (const period of periodsOf(range)) hours += hoursIn(period);
    optionColumn[g] = builder.addColumn(
      -hours * workload.gpus * microsToFloat(workload.valuePerGpuHour),
      0,
      1,
      true,
    );
  });

  const commitmentColumn = problem.commitments.map((c) =>
    builder.addColumn(1, 0, microsToFloat(c.term.minSpend), false),
  );

  // Group triples by (workload, period), by (pool, period) and by (option, period).
  const byDemand = new Map<string, number[]>();
  const byCapacity = new Map<string, number[]>();
  for (let i = 0; i < triples.count; i++) {
    const w = triples.workload[i] ?? 0;
    const t = triples.period[i] ?? 0;
    const g = triples.option[i] ?? -1;
    push(byDemand, g >= 0 ? `g${g}:${t}` : `w${w}:${t}`, i);
    push(byCapacity, `${triples.pool[i] ?? 0}:${t}`, i);
  }
  for (const [key, members] of byDemand) {
    const columns = members.map((i) => tripleColumn[i] ?? 0);
    if (key.startsWith('g')) {
      const g = Number(key.slice(1, key.indexOf(':')));
      const gpus = workloads[gangOptions[g]?.workload ?? 0]?.gpus ?? 0;
      builder.addRow([...columns, optionColumn[g] ?? 0], [...columns.map(() => 1), -gpus], 0, 0);
    } else {
      const w = Number(key.slice(1, key.indexOf(':')));
      builder.addRow(
        columns,
        columns.map(() => 1),
        -Infinity,
        workloads[w]?.gpus ?? 0,
      );
    }
  }
  // A viable gang option must be served in every period, even one where the option has no
  // triple (cannot happen for viable options, but the row keeps the model honest).
  gangOptions.forEach((option, g) => {
    const range = problem.demandRange[option.workload];
    if (!option.viable || !range) return;
    for (const period of periodsOf(range)) {
      if (!byDemand.has(`g${g}:${period}`)) builder.addRow([optionColumn[g] ?? 0], [1], 0, 0);
    }
  });
  const choices = new Map<number, number[]>();
  gangOptions.forEach((option, g) => {
    if (option.viable) push(choices, option.workload, optionColumn[g] ?? 0);
  });
  for (const columns of choices.values()) {
    if (columns.length > 1)
      builder.addRow(
        columns,
        columns.map(() => 1),
        -Infinity,
        1,
      );
  }
  const capacityRows: CapacityRow[] = [];
  for (const [key, members] of byCapacity) {
    const pool = pools[Number(key.slice(0, key.indexOf(':')))];
    const columns = members.map((i) => tripleColumn[i] ?? 0);
    if (!pool) continue;
    capacityRows.push({
      pool: Number(key.slice(0, key.indexOf(':'))),
      period: Number(key.slice(key.indexOf(':') + 1)) as Period,
      row: builder.rowCount,
    });
    // A pool holding more than any one workload's need can still be oversubscribed by many.
    builder.addRow(
      columns,
      columns.map(() => 1),
      -Infinity,
      pool.gpus,
    );
  }
  problem.commitments.forEach((commitment, k) => {
    const { range, term } = commitment;
    const columns: number[] = [commitmentColumn[k] ?? 0];
    const coefficients: number[] = [1];
    if (range) {
      for (let i = 0; i < triples.count; i++) {
        const pool = pools[triples.pool[i] ?? 0];
        const period = (triples.period[i] ?? 0) as Period;
        if (pool?.provider !== term.provider || period < range.from || period > range.to) continue;
        columns.push(tripleColumn[i] ?? 0);
        coefficients.push(hoursIn(period) * microsToFloat(pool.pricePerGpuHour));
      }
    }
    builder.addRow(columns, coefficients, microsToFloat(term.minSpend), Infinity);
  });
  if (options.siteRows === true) {
    addSiteRows(problem, builder, { tripleColumn, optionColumn, capacityRows });
  }

  const model = builder.build();
  const start = new Float64Array(model.numCols);
  problem.commitments.forEach((c, k) => {
    start[commitmentColumn[k] ?? 0] = microsToFloat(c.term.minSpend);
  });
  return { model, tripleColumn, optionColumn, start, capacityRows };
}

/** See {@link ExactModelOptions.siteRows}. Rows in a fixed order: by place key, then period. */
function addSiteRows(
  problem: PlacementProblem,
  builder: ModelBuilder,
  exact: Pick<ExactModel, 'tripleColumn' | 'optionColumn' | 'capacityRows'>,
): void {
  const { triples, pools, workloads, gangOptions } = problem;
  interface SiteRow {
    readonly terms: Map<number, number>;
    capacity: number;
    hasGang: boolean;
  }
  const rows = new Map<string, SiteRow>();
  const keyOf = (place: string, period: number) => `${place}\u0000${period}`;
  const placeOfPool = pools.map(placeKeyOf);
  // The site's capacity in a period: its pools' capacity rows (a pool-period with a triple).
  for (const { pool, period } of exact.capacityRows) {
    const key = keyOf(placeOfPool[pool] ?? '', period);
    const row = rows.get(key) ?? { terms: new Map(), capacity: 0, hasGang: false };
    row.capacity += pools[pool]?.gpus ?? 0;
    rows.set(key, row);
  }
  for (let i = 0; i < triples.count; i++) {
    if ((triples.option[i] ?? -1) >= 0) continue;
    const key = keyOf(placeOfPool[triples.pool[i] ?? 0] ?? '', triples.period[i] ?? 0);
    rows.get(key)?.terms.set(exact.tripleColumn[i] ?? 0, 1);
  }
  gangOptions.forEach((option, g) => {
    const column = exact.optionColumn[g] ?? -1;
    const range = problem.demandRange[option.workload];
    if (column < 0 || !range) return;
    const gpus = workloads[option.workload]?.gpus ?? 0;
    const place = placeKey(option.site, option.accelerator);
    for (const period of periodsOf(range)) {
      const row = rows.get(keyOf(place, period));
      if (!row) continue;
      row.terms.set(column, gpus);
      row.hasGang = true;
    }
  });
  const keys = [...rows.keys()].filter((key) => rows.get(key)?.hasGang).sort();
  for (const key of keys) {
    const row = rows.get(key);
    if (!row) continue;
    const terms = [...row.terms].sort((a, b) => a[0] - b[0]);
    builder.addRow(
      terms.map(([column]) => column),
      terms.map(([, coefficient]) => coefficient),
      -Infinity,
      row.capacity,
    );
  }
}

/**
 * What the exact planner gives: a plan, or word that the solver did not stop at its time limit
 * and was stopped without one (`overran`), or that it failed without one (`failed`: HiGHS
 * aborted, e.g. out of WebAssembly memory on a large gang-heavy model). Both are outcomes a
 * caller can answer otherwise, not bugs: the caller decides what answers instead.
 */
export type ExactOutcome =
  | { readonly status: 'solved'; readonly plan: Plan }
  | { readonly status: 'overran'; readonly message: string }
  | { readonly status: 'failed'; readonly message: string };

/**
 * Solves the placement problem exactly with a mixed-integer solver, then prices the plan in
 * exact integer arithmetic and explains every shortage. A plan it returns always passes
 * `verifyPlan`. Throws only where the solver failed (an error, or no plan where the model
 * always has one).
 *
 * @example
 * const outcome = solveExact(problem, solver, { timeLimitSeconds: 60 });
 * const plan = outcome.status === 'solved' ? outcome.plan : planFast(problem, {});
 */
export function solveExact(
  problem: PlacementProblem,
  solver: LinearSolver,
  options: ExactOptions = {},
): ExactOutcome {
  const exact = buildExactModel(problem);
  const outcome = solver.solve(exact.model, {
    relativeGap: options.relativeGap ?? 1e-6,
    start: exact.start,
    ...(options.timeLimitSeconds === undefined
      ? {}
      : { timeLimitSeconds: options.timeLimitSeconds }),
  });
  if (outcome.status === 'overran') return { status: 'overran', message: outcome.message };
  // HiGHS itself failed (an abort, out of WebAssembly memory): the caller may plan otherwise.
  if (outcome.status === 'error') return { status: 'failed', message: outcome.message };
  if ('message' in outcome) throw new Error(`${solver.name} found no plan: ${outcome.message}`);
  const placements = readPlacements(problem, exact, outcome.values);
  return {
    status: 'solved',
    plan: finishPlan(problem, placements, {
      method: 'exact',
      status: outcome.status,
      boundSource: 'mip',
      bound: outcome.bound,
    }),
  };
}

/**
 * `solveExact` for a caller that has no other planner to turn to (tests, benchmarks): the
 * plan, or an error where the solver overran its time limit. Without a time limit a solver
 * cannot overrun it.
 */
export function planExact(
  problem: PlacementProblem,
  solver: LinearSolver,
  options: ExactOptions = {},
): Plan {
  const outcome = solveExact(problem, solver, options);
  if (outcome.status !== 'solved') {
    throw new Error(`${solver.name} found no plan: ${outcome.message}`);
  }
  return outcome.plan;
}

/** The placements of a solution of the model, the chosen gang options' alone. */
export function readPlacements(
  problem: PlacementProblem,
  exact: ExactModel,
  values: Float64Array,
): Placement[] {
  const { triples, gangOptions } = problem;
  const chosen = new Set<number>();
  gangOptions.forEach((_, g) => {
    const column = exact.optionColumn[g] ?? -1;
    if (column >= 0 && Math.round(values[column] ?? 0) === 1) chosen.add(g);
  });
  const placements: Placement[] = [];
  for (let i = 0; i < triples.count; i++) {
    const g = triples.option[i] ?? -1;
    if (g >= 0 && !chosen.has(g)) continue;
    const gpus = Math.round(values[exact.tripleColumn[i] ?? 0] ?? 0);
    if (gpus <= 0) continue;
    placements.push(placementOf(triples, i, gpus));
  }
  return placements;
}

/** Appends `value` to the list at `key`, starting the list where there is none. */
export function push<K>(map: Map<K, number[]>, key: K, value: number): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
