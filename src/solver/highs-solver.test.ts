import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { LinearModel } from '../core/planner/solver.js';
import { ModelBuilder } from '../core/planner/solver.js';
import { seededRandom } from '../core/random.js';
import { buildExactModel } from '../core/planner/exact.js';
import { buildProblem } from '../core/planner/problem.js';
import { createHighsSolver, solverThreadsStarted } from './highs-solver.js';
import { runPlanTask } from './plan-task.js';
import { generatedScenario } from '../test-support/generated.js';
import { rowActivity } from '../test-support/linear-model.js';

function model(workloads: number, pools: number, months: number) {
  return buildExactModel(
    buildProblem(generatedScenario({ workloads, pools, months, gangShare: 0.2, seed: 7 })),
  );
}

/** A model HiGHS refuses: two columns, one cost. */
const BROKEN_SOURCE = `{
  numCols: 2, numRows: 0, offset: 0,
  colCost: new Float64Array(1), colLower: new Float64Array(2), colUpper: new Float64Array(2),
  integer: new Uint8Array(2), rowStarts: new Int32Array(1), rowIndex: new Int32Array(0),
  rowValue: new Float64Array(0), rowLower: new Float64Array(0), rowUpper: new Float64Array(0),
}`;
const BROKEN: LinearModel = {
  numCols: 2,
  numRows: 0,
  offset: 0,
  colCost: new Float64Array(1),
  colLower: new Float64Array(2),
  colUpper: new Float64Array(2),
  integer: new Uint8Array(2),
  rowStarts: new Int32Array(1),
  rowIndex: new Int32Array(0),
  rowValue: new Float64Array(0),
  rowLower: new Float64Array(0),
  rowUpper: new Float64Array(0),
};

/**
 * A knapsack of 60 binaries and five rows, each row a third of its weights: HiGHS needs 15
 * branch-and-bound nodes for it without presolve.
 */
function knapsack(): LinearModel {
  const random = seededRandom(7);
  const builder = new ModelBuilder();
  const columns = Array.from({ length: 60 }, () =>
    builder.addColumn(-(10 + random.int(0, 90)), 0, 1, true),
  );
  for (let row = 0; row < 5; row++) {
    const weights = columns.map(() => 5 + random.int(0, 45));
    const total = weights.reduce((a, b) => a + b, 0);
    builder.addRow(columns, weights, -Infinity, Math.floor(total / 3));
  }
  return builder.build();
}

// The solver as the command runs it: compiled (npm test builds before it runs the tests).
const BUILT = new URL('../../dist/solver/highs-solver.js', import.meta.url);

describe('createHighsSolver', () => {
  it('gives the same answer with a time limit as without', async () => {
    const solver = await createHighsSolver();
    const { model: m, start } = model(60, 12, 12);
    const inProcess = solver.solve(m, { start });
    const inWorker = solver.solve(m, { start, timeLimitSeconds: 30 });
    expect(inProcess.status).toBe('optimal');
    expect(inWorker).toEqual(inProcess);
  });

  it('stops at a node limit with its best plan, as at a time limit, without presolve too', async () => {
    const solver = await createHighsSolver();
    const m = knapsack();
    const whole = solver.solve(m, { presolve: false });
    const limited = solver.solve(m, { presolve: false, maxNodes: 1 });
    expect(whole.status).toBe('optimal');
    expect(limited.status).toBe('time-limit');
    if (whole.status !== 'optimal' || limited.status !== 'time-limit') return;
    expect(limited.objective).toBeGreaterThanOrEqual(whole.objective - 1e-9);
    expect(limited.bound).toBeLessThanOrEqual(whole.objective + 1e-9);
    // Its plan keeps every row.
    for (let r = 0; r < m.numRows; r++) {
      expect(rowActivity(m, limited.values, r)).toBeLessThanOrEqual((m.rowUpper[r] ?? 0) + 1e-6);
    }
  });

  it('answers an LP relaxation with a time limit too', async () => {
    const solver = await createHighsSolver();
    const { model: m } = model(40, 8, 6);
    const inProcess = solver.solve(m, { relax: true });
    const inWorker = solver.solve(m, { relax: true, timeLimitSeconds: 30 });
    expect(inWorker).toEqual(inProcess);
  });

  it('reports a failure inside the solver thread as an error, at once, and solves on', async () => {
    const solver = await createHighsSolver();
    const outcome = solver.solve(BROKEN, { timeLimitSeconds: 30 });
    expect(outcome).toEqual({ status: 'error', message: 'colCost must contain 2 values; got 1' });
    // The failed thread was ended: the next solve gets a fresh HiGHS.
    const before = solverThreadsStarted();
    const { model: m } = model(20, 4, 3);
    expect(solver.solve(m, { relax: true }).status).toBe('optimal');
    expect(solverThreadsStarted()).toBe(before + 1);
  });

  it('loads HiGHS once for every solve of every solver, with a time limit or without', async () => {
    const first = await createHighsSolver();
    const before = solverThreadsStarted();
    const second = await createHighsSolver();
    const { model: m, start } = model(30, 6, 6);
    const outcomes = [
      first.solve(m, { start }),
      first.solve(m, { start, timeLimitSeconds: 30 }),
      second.solve(m, { relax: true }),
      second.solve(m, { relax: true, duals: true, timeLimitSeconds: 30 }),
    ];
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'optimal',
      'optimal',
      'optimal',
      'optimal',
    ]);
    expect(solverThreadsStarted()).toBe(before);
  });

  it('plans one scenario after another, as a planning thread does, on one HiGHS', async () => {
    await createHighsSolver();
    const before = solverThreadsStarted();
    const scenario = generatedScenario({
      workloads: 30,
      pools: 6,
      months: 6,
      gangShare: 0.2,
      seed: 3,
    });
    const first = await runPlanTask({ scenario, planner: 'exact', timeLimitSeconds: 60 });
    const second = await runPlanTask({ scenario, planner: 'exact' });
    expect([first.solver.method, second.solver.method]).toEqual(['exact', 'exact']);
    expect(second.objective).toEqual(first.objective);
    expect(solverThreadsStarted()).toBe(before);
  });

  it('starts its solver thread from the compiled module, under node --input-type=module too', () => {
    // Workers inherit the parent's flags; the solver thread is a module file of dist/, and
    // one thread answers both solves.
    const script = `
      const { createHighsSolver, solverThreadsStarted } = await import(${JSON.stringify(BUILT.href)});
      const solver = await createHighsSolver();
      const broken = solver.solve(${BROKEN_SOURCE}, { timeLimitSeconds: 30 });
      const empty = solver.solve({ ...${BROKEN_SOURCE}, colCost: new Float64Array(2) }, {});
      console.log(JSON.stringify({ broken, empty: empty.status, threads: solverThreadsStarted() }));`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(child.stderr).toBe('');
    expect(JSON.parse(child.stdout)).toEqual({
      broken: { status: 'error', message: 'colCost must contain 2 values; got 1' },
      empty: 'optimal',
      // The failed solve ended the first thread; the second solve started another.
      threads: 2,
    });
  });

  it('stops a solve that runs past its time limit and says so, and solves on', async () => {
    // A grace that takes back the whole limit: the caller does not wait at all.
    const solver = await createHighsSolver({ graceSeconds: (limit) => -limit });
    const { model: m, start } = model(60, 12, 12);
    const outcome = solver.solve(m, { start, timeLimitSeconds: 0.5 });
    expect(outcome).toEqual({
      status: 'overran',
      message: 'HiGHS gave no answer within its 0.5 s time limit and was stopped after 0 s',
    });
    const before = solverThreadsStarted();
    expect(solver.solve(m, { start }).status).toBe('optimal');
    expect(solverThreadsStarted()).toBe(before + 1);
  });
});
