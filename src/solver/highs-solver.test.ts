import { describe, expect, it } from 'vitest';
import { buildExactModel } from '../core/planner/exact.js';
import { buildProblem } from '../core/planner/problem.js';
import { seededRandom } from '../core/random.js';
import { generateScenario } from '../scenario/generate.js';
import { parseScenarioOrThrow } from '../scenario/parse.js';
import { createHighsSolver } from './highs-solver.js';

function model(workloads: number, pools: number, months: number) {
  const document = generateScenario({
    workloads,
    pools,
    months,
    gangShare: 0.2,
    random: seededRandom(7),
  });
  const problem = buildProblem(parseScenarioOrThrow(JSON.stringify(document)));
  return buildExactModel(problem);
}

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

  it('stops a solve that runs past its time limit and says so', async () => {
    // No grace and a 1 ms limit: starting the worker alone takes longer.
    const solver = await createHighsSolver({ graceSeconds: () => 0 });
    const { model: m, start } = model(60, 12, 12);
    const outcome = solver.solve(m, { start, timeLimitSeconds: 0.001 });
    expect(outcome).toEqual({
      status: 'overran',
      message: 'HiGHS did not stop at its 0.001 s time limit and was stopped after 0.001 s',
    });
  });
});
