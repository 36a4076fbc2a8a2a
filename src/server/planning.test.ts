import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readScenarioDocument } from '../scenario/load.js';
import type { PlanInput } from './plan-compute.js';
import { computePlan } from './plan-compute.js';
import type { PlanThreads } from './planning.js';
import { planThreads } from './planning.js';
import { generatedDocument } from '../test-support/generated.js';

// The worker as the server runs it: compiled (npm test builds before it runs the tests).
const BUILT_WORKER = new URL('../../dist/server/plan-worker.js', import.meta.url);

let example: Record<string, unknown>;
const opened: PlanThreads[] = [];

/** Planning threads on the built worker, stopped after the test. */
function threads(worker = BUILT_WORKER, count?: number): PlanThreads {
  const made = planThreads(worker, count);
  opened.push(made);
  return made;
}

beforeAll(async () => {
  if (!existsSync(fileURLToPath(BUILT_WORKER))) {
    throw new Error('dist/server/plan-worker.js is missing: run npm run build first');
  }
  example = await readScenarioDocument(
    fileURLToPath(new URL('../../examples/stargate-2025.yaml', import.meta.url)),
  );
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((made) => made.stop()));
});

describe('planThreads', () => {
  it('gives the plan computePlan gives in process, exact and fast', async () => {
    const planning = threads();
    const runs = [
      { solver: 'exact' },
      // As the server plans: with a time limit.
      { solver: 'exact', timeLimitSeconds: 30 },
      { solver: 'fast' },
    ] as const;
    for (const options of runs) {
      const input: PlanInput = { planned: example, late: [], options };
      const inThread = await planning.run(input);
      expect(inThread.ok).toBe(true);
      expect(JSON.stringify(inThread)).toBe(JSON.stringify(await computePlan(input)));
    }
  });

  it('plans one after another in one thread, which loads HiGHS once', async () => {
    const planning = threads();
    expect(planning.started).toBe(0);
    const input: PlanInput = {
      planned: example,
      late: [],
      options: { solver: 'exact', timeLimitSeconds: 30 },
    };
    const first = await planning.run(input);
    const afterFirst = await planning.report();
    const second = await planning.run(input);
    const afterSecond = await planning.report();
    expect(first.ok && second.ok).toBe(true);
    expect(planning.started).toBe(1);
    expect(afterFirst.solverThreadsStarted).toBe(1);
    expect(afterSecond).toEqual(afterFirst);
  });

  it('plans at once in threads of their own', async () => {
    const planning = threads(BUILT_WORKER, 2);
    const input: PlanInput = { planned: example, late: [], options: { solver: 'fast' } };
    const both = await Promise.all([planning.run(input), planning.run(input)]);
    expect(both.every((outcome) => outcome.ok)).toBe(true);
    expect(planning.started).toBe(2);
  });

  it('answers an invalid scenario with its problems', async () => {
    const input: PlanInput = {
      planned: { ...example, horizon: { start: '2030-01', end: '2025-01' } },
      late: [],
      options: { solver: 'auto' },
    };
    const outcome = await threads().run(input);
    expect(outcome.ok).toBe(false);
    expect(outcome).toEqual(await computePlan(input));
  });

  it('stops a plan when asked, and fails it without a plan; the next plan gets a fresh thread', async () => {
    const large = generatedDocument({
      workloads: 2500,
      pools: 200,
      months: 48,
    }) as unknown as Record<string, unknown>;
    const planning = threads();
    const stopped = planning.run({ planned: large, late: [], options: { solver: 'fast' } });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(planning.started).toBe(1);
    await planning.stop();
    await expect(stopped).rejects.toThrow('the planning thread gave no plan');
    expect(planning.started).toBe(0);
    const after = await planning.run({ planned: example, late: [], options: { solver: 'fast' } });
    expect(after.ok).toBe(true);
    expect(planning.started).toBe(1);
  });

  it('fails, without a plan, when the worker cannot start', async () => {
    const missing = new URL('./no-such-worker.js', BUILT_WORKER);
    await expect(
      threads(missing).run({ planned: example, late: [], options: { solver: 'fast' } }),
    ).rejects.toThrow('the planning thread gave no plan');
  });
});
