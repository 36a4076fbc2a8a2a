import { describe, expect, it, vi } from 'vitest';
import type { Plan } from '../core/planner/plan.js';
import type * as Planner from '../core/planner/planner.js';
import type { HighsSolverOptions } from '../solver/highs-solver.js';
import { generatedScenario } from '../test-support/generated.js';
import { bufferIo } from './io.js';

// How `planScenario` asks for HiGHS, without HiGHS or a plan: the setting for many short solves
// is the process's once set (highs-run.ts), so only a plan to act on, planned fast, may ask.
const created: HighsSolverOptions[] = [];
vi.mock('../solver/highs-solver.js', () => ({
  createHighsSolver: vi.fn((settings: HighsSolverOptions = {}) => {
    created.push(settings);
    return Promise.resolve({
      name: 'none',
      solve: () => ({ status: 'error', message: 'not solved in this test' }),
    });
  }),
}));
vi.mock('../core/planner/planner.js', async (original) => ({
  ...(await original<typeof Planner>()),
  planProblem: vi.fn(() => ({}) as Plan),
}));

const { planScenario } = await import('./plan-scenario.js');

// 9,600 eligible triples with gang options: the fast planner may solve sub-MIPs on it.
const withSubMips = generatedScenario({
  workloads: 150,
  pools: 30,
  months: 12,
  family: 'many-accelerators',
});

describe('planScenario’s solver', () => {
  it('is compiled for many short solves only for a fast plan to act on', async () => {
    created.length = 0;
    await planScenario(withSubMips, bufferIo(), { purpose: 'plan', planner: 'fast' });
    await planScenario(withSubMips, bufferIo(), { purpose: 'compare', planner: 'fast' });
    await planScenario(withSubMips, bufferIo(), { purpose: 'plan', planner: 'exact' });
    expect(created).toEqual([
      { lazy: true, manyShortSolves: true },
      { lazy: true, manyShortSolves: false },
      { lazy: false, manyShortSolves: false },
    ]);
  });
});
