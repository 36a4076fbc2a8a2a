import { describe, expect, it } from 'vitest';
import { ModelBuilder } from '../core/planner/solver.js';
import { createHighsSolver, solverThreadsStarted } from './highs-solver.js';

// A file of its own: the solver thread is per module instance, and no other solver of this
// file may have started one.
describe('createHighsSolver({ lazy: true })', () => {
  it('starts no solver thread until its first solve, and then solves', async () => {
    expect(solverThreadsStarted()).toBe(0);
    const solver = await createHighsSolver({ lazy: true });
    expect(solverThreadsStarted()).toBe(0);
    const builder = new ModelBuilder();
    const x = builder.addColumn(-1, 0, 3, true);
    const y = builder.addColumn(-2, 0, 3, true);
    builder.addRow([x, y], [1, 1], -Infinity, 4);
    const outcome = solver.solve(builder.build(), {});
    expect(solverThreadsStarted()).toBe(1);
    expect(outcome.status).toBe('optimal');
    if (outcome.status === 'optimal') expect(outcome.objective).toBeCloseTo(-7, 9);
  });
});
