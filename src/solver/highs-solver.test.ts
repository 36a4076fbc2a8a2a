import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { LinearModel } from '../core/planner/solver.js';
import { buildExactModel } from '../core/planner/exact.js';
import { buildProblem } from '../core/planner/problem.js';
import { createHighsSolver } from './highs-solver.js';
import { generatedScenario } from '../test-support/generated.js';

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

// The solver as the command runs it: compiled (npm test builds before it runs the tests).
const BUILT = new URL('../../dist/solver/highs-solver.js', import.meta.url);

describe('createHighsSolver', () => {
  it('gives the same answer in a worker thread (time limit) as in process', async () => {
    const solver = await createHighsSolver();
    const { model: m, start } = model(60, 12, 12);
    const inProcess = solver.solve(m, { start });
    const inWorker = solver.solve(m, { start, timeLimitSeconds: 30 });
    expect(inProcess.status).toBe('optimal');
    expect(inWorker).toEqual(inProcess);
  });

  it('answers an LP relaxation in a worker thread too', async () => {
    const solver = await createHighsSolver();
    const { model: m } = model(40, 8, 6);
    const inProcess = solver.solve(m, { relax: true });
    const inWorker = solver.solve(m, { relax: true, timeLimitSeconds: 30 });
    expect(inWorker).toEqual(inProcess);
  });

  it('reports a failure inside the worker as an error, at once', async () => {
    const solver = await createHighsSolver();
    const outcome = solver.solve(BROKEN, { timeLimitSeconds: 30 });
    expect(outcome).toEqual({ status: 'error', message: 'colCost must contain 2 values; got 1' });
  });

  it('starts its worker under node --input-type=module too', () => {
    // Workers inherit the parent's flags; a CommonJS worker must not be read as a module.
    const script = `
      const { createHighsSolver } = await import(${JSON.stringify(BUILT.href)});
      const solver = await createHighsSolver();
      console.log(JSON.stringify(solver.solve(${BROKEN_SOURCE}, { timeLimitSeconds: 30 })));`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(child.stderr).toBe('');
    expect(JSON.parse(child.stdout)).toEqual({
      status: 'error',
      message: 'colCost must contain 2 values; got 1',
    });
  });

  it('stops a solve that runs past its time limit and says so', async () => {
    // No grace and a 1 ms limit: starting the worker alone takes longer.
    const solver = await createHighsSolver({ graceSeconds: () => 0 });
    const { model: m, start } = model(60, 12, 12);
    const outcome = solver.solve(m, { start, timeLimitSeconds: 0.001 });
    expect(outcome).toEqual({
      status: 'overran',
      message: 'HiGHS gave no answer within its 0.001 s time limit and was stopped after 0.001 s',
    });
  });
});
