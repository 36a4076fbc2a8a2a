import { beforeAll, describe, expect, it } from 'vitest';
import { createHighsSolver } from '../../solver/highs-solver.js';
import type { Family } from '../../scenario/generate-families.js';
import { fastPlanTotal, generatedProblem } from '../../test-support/generated.js';
import { rowActivity } from '../../test-support/linear-model.js';
import { costs, prepare } from './fast-model.js';
import { planFast } from './fast.js';
import { buildRepackModel } from './gang-repack.js';
import type { LinearModel, LinearSolver, SolveOptions, SolveOutcome } from './solver.js';

/** A solver that counts its solves and hands them to `inner`. */
function counting(inner: LinearSolver): LinearSolver & { calls: SolveOptions[] } {
  const calls: SolveOptions[] = [];
  return {
    name: inner.name,
    calls,
    solve: (model: LinearModel, options: SolveOptions): SolveOutcome => {
      calls.push(options);
      return inner.solve(model, options);
    },
  };
}

let highs: LinearSolver;
beforeAll(async () => {
  highs = await createHighsSolver();
});

describe('the re-pack model', () => {
  it.each<[Family, number]>([
    ['mixed', 1],
    ['gang-heavy', 2],
    ['long-gangs', 4],
  ])(
    'holds the plan it starts from: its runs fit beside its flows (%s, seed %i)',
    (family, seed) => {
      const problem = generatedProblem({
        family,
        workloads: 60,
        pools: 12,
        months: 12,
        seed,
      });
      const model = prepare(problem);
      const result = planFast(problem);
      // The plan's GPUs per internal triple, and its runs.
      const internal = new Map<number, number>();
      model.origin.forEach((t, i) => internal.set(t, i));
      const tripleOf = new Map<string, number>();
      for (let t = 0; t < problem.triples.count; t++) {
        const { workload, pool, period } = problem.triples;
        tripleOf.set(`${workload[t] ?? -1}/${pool[t] ?? -1}/${period[t] ?? -1}`, t);
      }
      const x = new Float64Array(model.spendPerGpu.length);
      const used: number[] = [];
      const chosen = new Uint8Array(model.optionValue.length);
      for (const p of result.placements) {
        const t = tripleOf.get(`${p.workload}/${p.pool}/${p.period}`) ?? -1;
        const i = internal.get(t) ?? -1;
        expect(i).toBeGreaterThanOrEqual(0);
        x[i] = p.gpus;
        used.push(i);
        const g = problem.triples.option[t] ?? -1;
        if (g >= 0) chosen[g] = 1;
      }
      expect(chosen.some((v) => v === 1)).toBe(true);
      // Every pool-month priced, so that displacement and room columns are made.
      const lambda = Float64Array.from(model.capacity, (_, c) => 1 + (c % 7));
      const effective = new Float64Array(model.spendPerGpu.length);
      const reduced = new Float64Array(model.spendPerGpu.length);
      costs(model, undefined, new Float64Array(model.commitments.length), effective, reduced);
      const built = buildRepackModel({ model, chosen, x, used, lambda, effective });
      const m = built.model;
      // One binary per option column, each run's column at 1 in the start.
      const runs = [...chosen].filter((v) => v === 1).length;
      let started = 0;
      built.columnOption.forEach((g, j) => {
        expect(m.integer[j]).toBe(g >= 0 ? 1 : 0);
        if (g >= 0 && built.start[j] === 1) started++;
        if (g >= 0) expect(built.start[j]).toBe(chosen[g]);
      });
      expect(started).toBe(runs);
      expect(built.columnOption.some((g) => g < 0)).toBe(true);
      for (let j = 0; j < m.numCols; j++) {
        expect(built.start[j]).toBeGreaterThanOrEqual((m.colLower[j] ?? 0) - 1e-9);
        expect(built.start[j]).toBeLessThanOrEqual((m.colUpper[j] ?? 0) + 1e-9);
      }
      for (let r = 0; r < m.numRows; r++) {
        const activity = rowActivity(m, built.start, r);
        expect(activity).toBeLessThanOrEqual((m.rowUpper[r] ?? 0) + 1e-6);
        expect(activity).toBeGreaterThanOrEqual((m.rowLower[r] ?? 0) - 1e-6);
      }
    },
  );
});

describe('the fast planner’s re-pack', () => {
  it.each<[Family, number]>([
    ['mixed', 2],
    ['gang-heavy', 1],
    ['gang-heavy', 3],
    ['gang-heavy', 4],
  ])(
    'never gives a dearer plan than the search alone, nor one below the bound, and the same plan twice (%s 100 × 20 × 12, seed %i)',
    (family, seed) => {
      const problem = generatedProblem({
        family,
        workloads: 100,
        pools: 20,
        months: 12,
        seed,
      });
      const searched = planFast(problem);
      const solver = counting(highs);
      const repacked = planFast(problem, { solver, repackFrom: 0, benders: false });
      const again = planFast(problem, { solver: highs, repackFrom: 0, benders: false });
      expect(fastPlanTotal(problem, repacked)).toBeLessThanOrEqual(
        fastPlanTotal(problem, searched) + 1e-6,
      );
      expect(repacked.bound).toBeLessThanOrEqual(repacked.total);
      expect(again.placements).toEqual(repacked.placements);
      // A sub-MIP ran, limited by nodes, presolve off.
      const mips = solver.calls.filter((options) => options.relax !== true);
      expect(mips.length).toBeGreaterThan(0);
      for (const options of mips) {
        expect(options.maxNodes).toBe(100);
        expect(options.presolve).toBe(false);
      }
    },
  );

  // Since the weight search probes its interval's ends (2026-12-06) the search alone ends
  // within 0.015 % of HiGHS's optimum on gang-heavy 60 × 12 × 12 seeds 1–4 and the re-pack
  // finds nothing more there; from a search of one try (seed 3) it still finds a cheaper plan
  // (0.004 %, measured), which it must.
  it('finds a cheaper plan where the search ends short (gang-heavy 60 × 12 × 12, seed 3, one try)', () => {
    const problem = generatedProblem({
      family: 'gang-heavy',
      workloads: 60,
      pools: 12,
      months: 12,
      seed: 3,
    });
    const searched = fastPlanTotal(problem, planFast(problem, { gangTries: 1 }));
    const solver = counting(highs);
    const repacked = planFast(problem, { solver, gangTries: 1, repackFrom: 0, benders: false });
    expect(solver.calls.length).toBeGreaterThan(0);
    expect(fastPlanTotal(problem, repacked)).toBeLessThan(searched - 1e4);
    expect(repacked.bound).toBeLessThanOrEqual(repacked.total);
  });

  it('does not call the solver below 5,000 triples, nor where the plan is within 0.01 % of its bound', () => {
    const small = generatedProblem({
      family: 'mixed',
      workloads: 100,
      pools: 20,
      months: 12,
      seed: 2,
    });
    expect(small.triples.count).toBeLessThan(5_000);
    const solver = counting(highs);
    const plain = planFast(small);
    const given = planFast(small, { solver });
    expect(solver.calls).toHaveLength(0);
    expect(given.placements).toEqual(plain.placements);
    // A plan with gang runs within 0.01 % of its bound (0.0077 % here): nothing worth a solve.
    const close = generatedProblem({
      family: 'tight',
      workloads: 100,
      pools: 20,
      months: 12,
      seed: 3,
    });
    const result = planFast(close);
    expect(close.gangOptions.some((o) => o.viable)).toBe(true);
    expect(result.total - result.bound).toBeLessThan(1e-4 * result.total);
    expect(result.total - result.bound).toBeGreaterThan(0);
    const closeSolver = counting(highs);
    planFast(close, { solver: closeSolver, repackFrom: 0 });
    expect(closeSolver.calls).toHaveLength(0);
  });
});
